"""Refill the primary asset by online payment: the form and the pages the payer comes back to.

- ``GET/POST /mon-compte/tirelire/recharger``: the amount, within the network's limits
  (``refill_min``, ``refill_max``), checked with an error next to the field; the form carries a
  refill id made when it was shown, so a double submit opens one checkout. A valid amount
  sends the person to the provider's payment page (Stripe Checkout, or the demo's own page).
- ``GET /mon-compte/tirelire/recharge/{id}``: the success page. Coming back proves nothing:
  while the webhook has not credited the refill the page says the payment is being confirmed
  (and refreshes itself, without JavaScript, every few seconds); then it shows the amount
  credited and the new balance.
- ``GET /mon-compte/tirelire/recharge/{id}/annulee``: the payment was abandoned; nothing was
  charged.

Only the person who asked for a refill can see its pages.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.i18n import gettext as _
from core.payments import PaymentError
from core.wallets import InvalidInput, MoneyError, OperationConflict, WalletRef
from core.wallets.amounts import parse_amount
from core.wallets.online import OnlineRefill, check_token, new_token
from hosts.web.auth import requires_login
from hosts.web.instances import network_of, site_of
from hosts.web.pages import page
from hosts.web.wallet_common import (
    PaymentsUnavailable,
    base_url,
    error_text,
    person,
    primary_asset,
    provider_for,
)
from hosts.web.wallet_format import money

__all__ = ["REFILL_ROUTES", "refill_urls"]

REFILL_PATH = "/mon-compte/tirelire/recharger"


def refill_urls(request: Request[Any, Any, Any], refill_id: str) -> tuple[str, str]:
    """(success URL, cancel URL) of a refill, on the request's site."""
    back = f"{base_url(request)}/mon-compte/tirelire/recharge/{refill_id}"
    return back, f"{back}/annulee"


def limits_text(request: Request[Any, Any, Any]) -> str:
    """ "between 1,00 FED and 500,00 FED", in the reader's language."""
    refills = network_of(request).online_refills
    asset = primary_asset(request)
    return _(
        "between %(min)s and %(max)s",
        min=money(refills.minimum, asset),
        max=money(refills.maximum, asset),
    )


def _form(
    request: Request[Any, Any, Any], values: dict[str, str], errors: dict[str, str],
    *, status: int = 200,
) -> Response[Any]:  # fmt: skip
    return page(
        request, "refill.html", status_code=status, values=values, errors=errors,
        asset=primary_asset(request), limits=limits_text(request),
    )  # fmt: skip


@get(REFILL_PATH, guards=[requires_login], include_in_schema=False, sync_to_thread=False)
def refill_form(request: Request[Any, Any, Any]) -> Response[Any]:
    """The refill form: one field, the amount."""
    return _form(request, {"refill": new_token(), "amount": ""}, {})


@post(REFILL_PATH, guards=[requires_login], include_in_schema=False)
async def refill_start(request: Request[Any, Any, Any]) -> Response[Any]:
    """Check the amount, open the checkout, send the payer to it."""
    network = network_of(request)
    user = person(request)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("refill", "amount")}
    asset = primary_asset(request)
    try:
        refill_id = check_token(values["refill"], "refill")
        amount = network.online_refills.check_amount(parse_amount(values["amount"], asset.decimals))
    except InvalidInput as exc:
        if exc.field == "refill":
            values["refill"] = new_token()
            return _form(request, values, {"": error_text(network, exc)}, status=400)
        message = _("Enter an amount %(limits)s.", limits=limits_text(request))
        return _form(request, values, {"amount": message}, status=400)
    success_url, cancel_url = refill_urls(request, refill_id)
    site = site_of(request)
    try:
        refill = network.online_refills.start(
            provider_for(request),
            refill_id=refill_id,
            user=user,
            amount=amount,
            success_url=success_url,
            cancel_url=cancel_url,
            instance=site.instance.slug if site.instance is not None else "",
            description=_("Refill of your wallet in %(asset)s", asset=asset.name),
        )
    except PaymentsUnavailable as exc:
        return _form(request, values, {"": str(exc.detail)}, status=503)
    except PaymentError as exc:
        message = _("The payment page could not be opened: %(reason)s", reason=str(exc))
        return _form(request, values, {"": message}, status=502)
    except OperationConflict:
        values["refill"] = new_token()
        message = _("This form was already sent with another amount: check it and send again.")
        return _form(request, values, {"": message}, status=409)
    except MoneyError as exc:
        return _form(request, values, {"": error_text(network, exc)}, status=400)
    return Redirect(refill.checkout_url, status_code=303)


def _own_refill(request: Request[Any, Any, Any], refill_id: str) -> OnlineRefill:
    refill = network_of(request).online_refills.get(refill_id)
    if refill is None or refill.user_id != person(request).id:
        raise NotFoundException()
    return refill


def _return_page(
    request: Request[Any, Any, Any], refill: OnlineRefill, *, cancelled: bool
) -> Response[Any]:
    network = network_of(request)
    balance = network.money.balance(WalletRef.user(refill.user_id), refill.asset_id)
    return page(
        request, "refill_return.html", refill=refill, cancelled=cancelled,
        asset=primary_asset(request), balance=balance, refill_path=REFILL_PATH,
    )  # fmt: skip


@get("/mon-compte/tirelire/recharge/{refill_id:str}", guards=[requires_login],
     include_in_schema=False, sync_to_thread=False)  # fmt: skip
def refill_done(request: Request[Any, Any, Any], refill_id: FromPath[str]) -> Response[Any]:
    """Back from the payment page: being confirmed, or credited with the new balance."""
    return _return_page(request, _own_refill(request, refill_id), cancelled=False)


@get("/mon-compte/tirelire/recharge/{refill_id:str}/annulee", guards=[requires_login],
     include_in_schema=False, sync_to_thread=False)  # fmt: skip
def refill_cancelled(request: Request[Any, Any, Any], refill_id: FromPath[str]) -> Response[Any]:
    """Back from the payment page without paying."""
    return _return_page(request, _own_refill(request, refill_id), cancelled=True)


REFILL_ROUTES = [refill_form, refill_start, refill_done, refill_cancelled]
