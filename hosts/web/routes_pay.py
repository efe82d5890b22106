"""Payment QR codes, the payer's side: the page the QR code's link opens, and "confirm".

- ``GET /payer/{id}``: for a logged-in person (anyone else goes to the login page, and the
  login link brings them back here). It shows the collective, the price, the person's balances
  in the assets this collective accepts with what the sale would take from each, the
  shortfall if they do not cover it, and a "confirm" button (a form with its CSRF token). Once
  paid, the same address is the payer's confirmation.
- ``POST /payer/{id}``: one sale in the collective's priority order (or in the one asset the
  person chose), through :meth:`core.wallets.requests.PaymentRequests.pay`: insufficient funds
  show the exact shortfall and move nothing; a second confirmation (double click, replayed
  POST) pays nothing more; a request paid by someone else, cancelled or expired is refused.

The request's id is a 128-bit random value: the link is the only way to it. It is served on
its own instance's address only.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.wallets import ActionKind, MoneyError, WalletRef
from core.wallets.requests import PaymentRequest, operation_id_of
from hosts.web.auth import requires_login
from hosts.web.instances import network_of, site_of
from hosts.web.pages import page
from hosts.web.payreq_view import payer_view
from hosts.web.wallet_common import error_text, person, primary_asset

__all__ = ["PAY_ROUTES"]


def _request_here(request: Request[Any, Any, Any], request_id: str) -> PaymentRequest:
    site = site_of(request)
    found = network_of(request).payment_requests.get(request_id)
    if found is None or site.instance is None or found.instance != site.instance.slug:
        raise NotFoundException()
    return found


def _page(
    request: Request[Any, Any, Any], found: PaymentRequest, *, error: str = "",
    status: int = 200, chosen: str = "",
) -> Response[Any]:  # fmt: skip
    network = network_of(request)
    user = person(request)
    operation = None
    if found.status == "paid" and found.payer == WalletRef.user(user.id).owner:
        operation = network.money.operation(ActionKind.SALE, operation_id_of(found.id))
    return page(
        request, "pay.html", status_code=status, req=found, error=error, chosen=chosen,
        state=found.state(network.payment_requests.clock()), operation=operation,
        view=payer_view(network, found, user.id), asset=primary_asset(request),
        assets={a.id: a for a in network.money.assets.all()},
    )  # fmt: skip


@get("/payer/{request_id:str}", guards=[requires_login], include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def pay_page(request: Request[Any, Any, Any], request_id: FromPath[str]) -> Response[Any]:
    """What is asked, by whom, and what the person holds to pay it."""
    return _page(request, _request_here(request, request_id))


@post("/payer/{request_id:str}", guards=[requires_login], include_in_schema=False)
async def pay_confirm(request: Request[Any, Any, Any], request_id: FromPath[str]) -> Response[Any]:
    """Pay the request: one sale, once."""
    network = network_of(request)
    user = person(request)
    found = _request_here(request, request_id)
    form = await request.form()
    chosen = str(form.get("asset", "")).strip()
    asset_ids = [int(chosen)] if chosen.isdigit() else None
    try:
        network.payment_requests.pay(
            found.id, WalletRef.user(user.id), asset_ids=asset_ids, author=f"user:{user.id}",
            grouped=True,
        )  # fmt: skip
    except MoneyError as exc:
        fresh = network.payment_requests.get(found.id) or found
        return _page(request, fresh, error=error_text(network, exc), status=409, chosen=chosen)
    return Redirect(f"/payer/{found.id}", status_code=303)


PAY_ROUTES = [pay_page, pay_confirm]
