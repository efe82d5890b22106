"""Ask for a refund: the primary asset online, and who refunds each local currency.

- ``GET /mon-compte/tirelire/rembourser``: how much of the primary asset can go back online
  (what was paid by card and is still in the wallet), the form, past requests; then, for each
  local currency held, the collective that refunds it (its name and website), and the
  currencies nobody refunds (gift, time, loyalty).
- ``POST /mon-compte/tirelire/rembourser``: one refund per request id (carried by the form),
  through the provider's Refund API; then the request's page.
- ``GET /mon-compte/tirelire/remboursement/{id}``: how much, when, and what happened; a
  failed request can be sent again (``POST .../relancer``, same idempotency keys).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.i18n import gettext as _
from core.wallets import AssetCategory, InvalidInput, MoneyError, WalletRef
from core.wallets.amounts import parse_amount
from core.wallets.model import REFUNDABLE_CATEGORIES
from core.wallets.online import check_token, new_token
from core.wallets.refunds import RefundRequest
from hosts.web.auth import requires_login
from hosts.web.instances import network_of
from hosts.web.pages import page
from hosts.web.wallet_common import (
    PaymentsUnavailable,
    error_text,
    person,
    primary_asset,
    provider_for,
)
from hosts.web.wallet_format import money
from hosts.web.wallet_view import wallet_rows

__all__ = ["REFUND_ROUTES"]

REFUND_PATH = "/mon-compte/tirelire/rembourser"


def _page(
    request: Request[Any, Any, Any], values: dict[str, str], errors: dict[str, str],
    *, status: int = 200,
) -> Response[Any]:  # fmt: skip
    network = network_of(request)
    user = person(request)
    rows = wallet_rows(network, WalletRef.user(user.id))
    primary = primary_asset(request)
    local = []
    for row in rows:
        if row.asset.category == AssetCategory.PRIMARY or row.amount <= 0:
            continue
        issuer = network.instances.get(row.asset.issuer) if row.asset.issuer else None
        local.append((row, issuer, row.asset.category in REFUNDABLE_CATEGORIES))
    return page(
        request, "refund.html", status_code=status, values=values, errors=errors,
        asset=primary, refundable=network.online_refunds.refundable(user.id),
        balance=next(r.amount for r in rows if r.asset.id == primary.id), local=local,
        requests=network.online_refunds.of_user(user.id),
    )  # fmt: skip


@get(REFUND_PATH, guards=[requires_login], include_in_schema=False, sync_to_thread=False)
def refund_form(request: Request[Any, Any, Any]) -> Response[Any]:
    """What can be refunded, and by whom."""
    network = network_of(request)
    left = network.online_refunds.refundable(person(request).id)
    asset = primary_asset(request)
    typed = money(left, asset).removesuffix(f" {asset.code}") if left else ""
    return _page(request, {"request": new_token(), "amount": typed}, {})


@post(REFUND_PATH, guards=[requires_login], include_in_schema=False)
async def refund_ask(request: Request[Any, Any, Any]) -> Response[Any]:
    """Ask for a refund of the primary asset on the card that paid."""
    network = network_of(request)
    user = person(request)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("request", "amount")}
    asset = primary_asset(request)
    try:
        request_id = check_token(values["request"], "request")
        amount = parse_amount(values["amount"], asset.decimals)
        done = network.online_refunds.request(
            provider_for(request), request_id=request_id, user_id=user.id, amount=amount
        )
    except PaymentsUnavailable as exc:
        return _page(request, values, {"": str(exc.detail)}, status=503)
    except InvalidInput as exc:
        if exc.field == "amount":
            left = network.online_refunds.refundable(user.id)
            message = _("Enter an amount of at most %(max)s.", max=money(left, asset))
            return _page(request, values, {"amount": message}, status=400)
        values["request"] = new_token()
        return _page(request, values, {"": error_text(network, exc)}, status=400)
    except MoneyError as exc:
        values["request"] = new_token()
        return _page(request, values, {"": error_text(network, exc)}, status=409)
    return Redirect(f"/mon-compte/tirelire/remboursement/{done.id}", status_code=303)


def _own(request: Request[Any, Any, Any], request_id: str) -> RefundRequest:
    found = network_of(request).online_refunds.get(request_id)
    if found is None or found.user_id != person(request).id:
        raise NotFoundException()
    return found


@get("/mon-compte/tirelire/remboursement/{request_id:str}", guards=[requires_login],
     include_in_schema=False, sync_to_thread=False)  # fmt: skip
def refund_status(request: Request[Any, Any, Any], request_id: FromPath[str]) -> Response[Any]:
    """One refund request: how much, when, and its state."""
    return page(
        request, "refund_status.html", refund=_own(request, request_id),
        asset=primary_asset(request),
    )  # fmt: skip


@post("/mon-compte/tirelire/remboursement/{request_id:str}/relancer", guards=[requires_login],
      include_in_schema=False, sync_to_thread=False)  # fmt: skip
def refund_retry(request: Request[Any, Any, Any], request_id: FromPath[str]) -> Response[Any]:
    """Send a failed request again (the provider's idempotency keeps it to one refund)."""
    found = _own(request, request_id)
    network_of(request).online_refunds.retry(
        provider_for(request), found.id, user_id=person(request).id
    )
    return Redirect(f"/mon-compte/tirelire/remboursement/{found.id}", status_code=303)


REFUND_ROUTES = [refund_form, refund_ask, refund_status, refund_retry]
