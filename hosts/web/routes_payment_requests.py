"""Payment QR codes, the staff's side (DOMAIN.md flow 5): ask, show the code, see it paid.

Every route here is for a cashier (or an admin) of the request's instance, with the role in
``opt["role"]`` so the cross-instance walk of the tests covers them; a request of another
instance is a 404 (it does not exist here).

- ``GET/POST /caisse/qr``: the amount (and an optional label) → a new request, then its page;
  the recent requests of the instance are listed under the form.
- ``GET /caisse/qr/{id}``: the QR code (inline SVG) holding the payer's link, the price, and
  the state. Without JavaScript a "refresh" link shows the current state; with it,
  ``/-/static/payment-request.js`` listens to the events route and updates the state in place.
- ``GET /caisse/qr/{id}/evenements``: server-sent events. The route reads the request from the
  store twice a second (short read transactions, so every server worker sees every payment
  whatever process took it) and sends an event ``status`` (JSON: ``status``, ``text``) when
  its state changes; it ends once the request is paid, cancelled or expired.
- ``POST /caisse/qr/{id}/annuler``: cancel an open request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from core.accounts import Role
from core.i18n import gettext as _
from core.network import Network
from core.wallets import ActionKind, MoneyError
from core.wallets.amounts import parse_amount
from core.wallets.requests import PaymentRequest, PaymentRequestClosed, operation_id_of
from hosts.web.auth import actor_of, requires_role
from hosts.web.instances import network_of, site_of
from hosts.web.pages import page
from hosts.web.payreq_view import pay_url, status_text
from hosts.web.qr import qr_svg
from hosts.web.routes_admin import current_instance
from hosts.web.wallet_common import error_text, primary_asset
from hosts.web.wallet_format import money

__all__ = ["PAYMENT_REQUEST_ROUTES", "POLL_SECONDS"]

CASHIER = {"role": Role.CASHIER.value}
GUARDS = [requires_role(Role.CASHIER)]
#: How often the events route reads the request, and how often it sends a keep-alive comment.
POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0


def request_of_instance(request: Request[Any, Any, Any], request_id: str) -> PaymentRequest:
    """The payment request ``request_id`` of the request's instance (another one's: 404)."""
    instance = current_instance(request)
    found = network_of(request).payment_requests.get(request_id)
    if found is None or found.instance != instance.slug:
        raise NotFoundException()
    return found


def _new_page(
    request: Request[Any, Any, Any], values: dict[str, str], errors: dict[str, str],
    *, status: int = 200,
) -> Response[Any]:  # fmt: skip
    network = network_of(request)
    instance = current_instance(request)
    recent = network.payment_requests.of_instance(instance.slug, limit=10)
    now = network.payment_requests.clock()
    return page(
        request, "payreq_new.html", status_code=status, values=values, errors=errors,
        asset=primary_asset(request), recent=[(r, r.state(now)) for r in recent],
    )  # fmt: skip


@get("/caisse/qr", guards=GUARDS, opt=CASHIER, include_in_schema=False, sync_to_thread=False)
def payreq_form(request: Request[Any, Any, Any]) -> Response[Any]:
    """The amount to ask for, and the instance's recent requests."""
    return _new_page(request, {"amount": "", "label": ""}, {})


@post("/caisse/qr", guards=GUARDS, opt=CASHIER, include_in_schema=False)
async def payreq_create(request: Request[Any, Any, Any]) -> Response[Any]:
    """Store a request and show its QR code."""
    network = network_of(request)
    instance = current_instance(request)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("amount", "label")}
    asset = primary_asset(request)
    try:
        amount = parse_amount(values["amount"], asset.decimals)
        created = network.payment_requests.create(
            instance.slug, amount, label=values["label"], author=actor_of(request).label
        )
    except MoneyError as exc:
        field = getattr(exc, "field", "")
        key = field if field in values else ""
        message = (
            _("Enter an amount such as 4,50.") if key == "amount" else error_text(network, exc)
        )
        return _new_page(request, values, {key: message}, status=400)
    return Redirect(f"/caisse/qr/{created.id}", status_code=303)


@get("/caisse/qr/{request_id:str}", guards=GUARDS, opt=CASHIER, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def payreq_show(request: Request[Any, Any, Any], request_id: FromPath[str]) -> Response[Any]:
    """The QR code, the price and the state."""
    network = network_of(request)
    found = request_of_instance(request, request_id)
    link = pay_url(site_of(request), found)
    asset = primary_asset(request)
    operation = None
    if found.status == "paid":
        operation = network.money.operation(ActionKind.SALE, operation_id_of(found.id))
    return page(
        request, "payreq_show.html", req=found, state=found.state(network.payment_requests.clock()),
        status=status_text(network, found), link=link, asset=asset, operation=operation,
        qr=qr_svg(link, title=_("Pay %(amount)s", amount=money(found.amount, asset))),
        assets={a.id: a for a in network.money.assets.all()},
    )  # fmt: skip


async def _status_events(network: Network, request_id: str) -> AsyncIterator[Any]:
    """``status`` events while the request changes; ends when it is paid, cancelled, expired."""
    last = ""
    quiet_since = time.monotonic()
    while True:
        found = network.payment_requests.get(request_id)
        if found is None:
            return
        state = found.state(network.payment_requests.clock())
        if state != last:
            data = json.dumps({"status": state, "text": status_text(network, found)})
            yield ServerSentEventMessage(event="status", data=data, id=state)
            last = state
            quiet_since = time.monotonic()
        if state != "open":
            return
        if time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
            yield ServerSentEventMessage(comment="keep-alive")
            quiet_since = time.monotonic()
        await asyncio.sleep(POLL_SECONDS)


@get("/caisse/qr/{request_id:str}/evenements", guards=GUARDS, opt=CASHIER,
     include_in_schema=False, sync_to_thread=False)  # fmt: skip
def payreq_events(request: Request[Any, Any, Any], request_id: FromPath[str]) -> ServerSentEvent:
    """Server-sent events: the request's state as it changes (see the module)."""
    found = request_of_instance(request, request_id)
    return ServerSentEvent(_status_events(network_of(request), found.id), retry_duration=2000)


@post("/caisse/qr/{request_id:str}/annuler", guards=GUARDS, opt=CASHIER, include_in_schema=False,
      sync_to_thread=False)  # fmt: skip
def payreq_cancel(request: Request[Any, Any, Any], request_id: FromPath[str]) -> Response[Any]:
    """Cancel an open request (a paid one stays paid)."""
    found = request_of_instance(request, request_id)
    with contextlib.suppress(PaymentRequestClosed):  # paid meanwhile: its page says so
        network_of(request).payment_requests.cancel(found.id, instance=found.instance)
    return Redirect(f"/caisse/qr/{found.id}", status_code=303)


PAYMENT_REQUEST_ROUTES = [payreq_form, payreq_create, payreq_show, payreq_events, payreq_cancel]
