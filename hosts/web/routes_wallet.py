""" "Ma tirelire": balances, where each asset is accepted, history, person-to-person transfer.

- ``GET /mon-compte/tirelire``: one row per asset (amount, accepted by, last transaction,
  link to its history), the person's claimed cards, the currencies the collective of this
  address accepts, and the actions (refill, refund, give, and for staff the payment QR code).
- ``GET /mon-compte/tirelire/historique/{asset_id}``: the history in one asset, newest first,
  20 per page (``?avant=<timestamp>`` for the next page).
- ``GET/POST /mon-compte/tirelire/donner``: give to someone else, by e-mail, in an asset that
  allows it. The form carries an operation id made when it was shown, so submitting it twice
  moves the money once.

A person only ever sees their own wallet: every route reads the session's user, and no route
takes a wallet or user id from the request.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.accounts import Role, role_allows
from core.i18n import N_
from core.i18n import gettext as _
from core.wallets import MoneyError, WalletRef
from core.wallets.amounts import parse_amount
from core.wallets.online import check_token, new_token
from hosts.web.auth import requires_login
from hosts.web.instances import network_of, site_of
from hosts.web.pages import page
from hosts.web.wallet_common import form_error, person
from hosts.web.wallet_format import counterparty_label
from hosts.web.wallet_view import accepted_here, card_rows, wallet_rows

__all__ = ["HISTORY_PAGE", "WALLET_ROUTES"]

HISTORY_PAGE = 20
NOTICES = {
    "transfer": N_("The money was given."),
}


@get("/mon-compte/tirelire", name="wallet", guards=[requires_login], include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def wallet(request: Request[Any, Any, Any], ok: FromQuery[str | None] = None) -> Response[Any]:
    """The wallet page."""
    network = network_of(request)
    user = person(request)
    site = site_of(request)
    role = network.accounts.role_of(site.instance.slug, user.id) if site.instance else None
    return page(
        request,
        "wallet.html",
        rows=wallet_rows(network, WalletRef.user(user.id)),
        cards=card_rows(network, user.id),
        staff=role_allows(role, Role.CASHIER),
        here=site.instance,
        accepted=accepted_here(network, site.instance.slug) if site.instance else [],
        notice=_(NOTICES[ok]) if ok in NOTICES else "",
        counterparty=lambda owner: counterparty_label(network, owner),
    )


@get("/mon-compte/tirelire/historique/{asset_id:int}", guards=[requires_login],
     include_in_schema=False, sync_to_thread=False)  # fmt: skip
def history(
    request: Request[Any, Any, Any], asset_id: FromPath[int], avant: FromQuery[int | None] = None
) -> Response[Any]:
    """One asset's history, newest first, a page at a time."""
    network = network_of(request)
    user = person(request)
    asset = network.money.assets.get(asset_id)
    if asset is None:
        raise NotFoundException()
    entries = network.money.history(
        WalletRef.user(user.id), asset_id, limit=HISTORY_PAGE + 1, before=avant
    )
    more = len(entries) > HISTORY_PAGE
    entries = entries[:HISTORY_PAGE]
    return page(
        request, "wallet_history.html", asset=asset, entries=entries,
        balance=network.money.balance(WalletRef.user(user.id), asset_id),
        next_before=entries[-1].timestamp if more else None, first=avant is None,
        counterparty=lambda owner: counterparty_label(network, owner),
    )  # fmt: skip


def _transfer_page(
    request: Request[Any, Any, Any], values: dict[str, str], errors: dict[str, str],
    *, status: int = 200,
) -> Response[Any]:  # fmt: skip
    network = network_of(request)
    user = person(request)
    choices = [
        row for row in wallet_rows(network, WalletRef.user(user.id))
        if row.asset.transferable and not row.asset.archived and row.amount > 0
    ]  # fmt: skip
    return page(
        request, "wallet_transfer.html", status_code=status, values=values, errors=errors,
        choices=choices,
    )  # fmt: skip


@get("/mon-compte/tirelire/donner", guards=[requires_login], include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def transfer_form(request: Request[Any, Any, Any]) -> Response[Any]:
    """The form to give money to someone, by e-mail."""
    values = {"operation": new_token(), "email": "", "amount": "", "asset": ""}
    return _transfer_page(request, values, {})


@post("/mon-compte/tirelire/donner", guards=[requires_login], include_in_schema=False)
async def transfer_send(request: Request[Any, Any, Any]) -> Response[Any]:
    """Give: the recipient must be a person of the network; the money moves once."""
    network = network_of(request)
    user = person(request)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("operation", "email", "amount", "asset")}
    errors: dict[str, str] = {}
    asset = network.money.assets.get(int(values["asset"])) if values["asset"].isdigit() else None
    if asset is None:
        errors["asset"] = _("Choose a currency.")
    recipient = network.accounts.user_by_email(values["email"])
    if recipient is None:
        errors["email"] = _(
            "No one in the network uses this e-mail address. Check it, or ask the person to "
            "log in once so that their wallet exists."
        )
    elif recipient.id == user.id:
        errors["email"] = _("This is your own address: choose someone else.")
    try:
        operation = check_token(values["operation"], "operation")
        amount = parse_amount(values["amount"], asset.decimals if asset else 2)
    except MoneyError as exc:
        field, message = form_error(network, exc)
        errors[field if field in values else ""] = message
    if errors or asset is None or recipient is None:
        return _transfer_page(request, values, errors, status=400)
    try:
        network.money.transfer(
            operation_id=f"{user.id}:{operation}",
            payer=WalletRef.user(user.id),
            payee=WalletRef.user(recipient.id),
            asset_id=asset.id,
            amount=amount,
            author=f"user:{user.id}",
        )
    except MoneyError as exc:
        field, message = form_error(network, exc)
        errors[field if field in values else ""] = message
        return _transfer_page(request, values, errors, status=409)
    return Redirect("/mon-compte/tirelire?ok=transfer")


WALLET_ROUTES = [wallet, history, transfer_form, transfer_send]
