"""Treasurer pages: grant an amount of the instance's asset, correct a mistake.

- ``GET|POST /admin/attribution``: the issuer's admin or treasurer grants an amount of one of
  its assets to a person (by e-mail: an account is created for a new address, in the same
  write) or to a card (QR code, printed number or UID). The form carries an operation id made
  when it is shown, so a double submission grants once.
- ``GET|POST /admin/correction``: moves an amount of one of the instance's own assets between
  two wallets (its issuer account, a person, a card, an instance) to repair a mistake; a
  reason is required and the author is the person logged in. The past is never edited: a
  correction is a new transfer, in every history.

Both are limited to assets this instance issued: an instance never moves another issuer's
money, nor the network's primary asset. Treasurers and admins only.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core.i18n import N_
from core.i18n import gettext as _
from core.store import Tx
from core.wallets import (
    ActionKind,
    Asset,
    CardLost,
    InvalidInput,
    MoneyError,
    Operation,
    WalletRef,
)
from hosts.web.instances import network_of
from hosts.web.money_forms import form_errors, form_status
from hosts.web.money_web import (
    TREASURY,
    TREASURY_OPT,
    author_of,
    format_amount,
    money_page,
    parse_amount,
    request_instance,
)
from hosts.web.routes_cards import find_card

__all__ = ["TREASURY_ROUTES", "own_asset"]

_GRANT_FIELDS = ("asset_id", "amount", "wallet", "reason", "operation_id")
_CORRECTION_FIELDS = (
    "asset_id",
    "amount",
    "debit_kind",
    "debit",
    "credit_kind",
    "credit",
    "reason",
    "operation_id",
)
WALLET_KINDS = ("issuer", "user", "card", "instance")


def own_asset(request: Request[Any, Any, Any], value: object, *, usable: bool) -> Asset:
    """The asset chosen in a form, if this instance issued it; InvalidInput on ``asset_id``."""
    instance = request_instance(request)
    text = str(value or "").strip()
    asset = network_of(request).money.assets.get(int(text)) if text.isdigit() else None
    if asset is None or asset.issuer != instance.slug or (usable and asset.archived):
        raise InvalidInput("asset_id", N_("choose one of this instance's assets"))
    return asset


def _assets(request: Request[Any, Any, Any], *, usable: bool) -> list[Asset]:
    issued = network_of(request).money.assets.issued_by(request_instance(request).slug)
    return [a for a in issued if not (usable and a.archived)]


def _done(request: Request[Any, Any, Any], kind: ActionKind, op: str | None) -> str:
    operation = network_of(request).money.operation(kind, op) if op else None
    if operation is None:
        return ""
    asset = network_of(request).money.assets.get(operation.legs[0].asset_id)
    if asset is None:
        return ""
    amount = f"{format_amount(operation.amount, asset.decimals)} {asset.code}"
    return _("Done: %(amount)s (operation %(op)s).", amount=amount, op=operation.operation_id)


def _grant_page(
    request: Request[Any, Any, Any],
    values: dict[str, str],
    errors: dict[str, str],
    *,
    notice: str = "",
    status: int = 200,
) -> Template:
    return money_page(
        request,
        "admin_grant.html",
        status_code=status,
        values=values,
        errors=errors,
        assets=_assets(request, usable=True),
        notice=notice,
    )


@get(
    "/admin/attribution",
    guards=TREASURY,
    opt=TREASURY_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def grant_form(request: Request[Any, Any, Any], op: FromQuery[str | None] = None) -> Template:
    """The grant form, with a fresh operation id."""
    values = dict.fromkeys(_GRANT_FIELDS, "")
    values["operation_id"] = f"web-grant-{uuid.uuid4().hex}"
    return _grant_page(request, values, {}, notice=_done(request, ActionKind.GRANT, op))


def beneficiary(request: Request[Any, Any, Any], tx: Tx, typed: str) -> WalletRef:
    """Inside a write: the wallet of an e-mail (its account made if new) or of a card."""
    network = network_of(request)
    text = typed.strip()
    if "@" in text:
        try:
            return WalletRef.user(network.accounts.ensure_user(tx, text).id)
        except ValueError:
            raise InvalidInput("wallet", N_("not an e-mail address")) from None
    if not text:
        raise InvalidInput("wallet", N_("name a person or a card"))
    card, _by_qr = find_card(network.money, text)
    return WalletRef.card(card.id)  # the service refuses a lost card, resolves a claimed one


@post("/admin/attribution", guards=TREASURY, opt=TREASURY_OPT, include_in_schema=False)
async def grant_save(request: Request[Any, Any, Any]) -> Response[Any]:
    """Grant the amount; refused fields come back next to themselves."""
    network = network_of(request)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in _GRANT_FIELDS}
    author = author_of(request)
    try:
        asset = own_asset(request, values["asset_id"], usable=True)
        amount = parse_amount(values["amount"], asset.decimals)

        def op(tx: Tx) -> Any:
            return network.money.grant_in(
                tx,
                operation_id=values["operation_id"],
                wallet=beneficiary(request, tx, values["wallet"]),
                asset_id=asset.id,
                amount=amount,
                author=author,
                reason=values["reason"],
            )

        done = await network.store.write_async(op)
    except MoneyError as exc:
        errors = form_errors(exc, fields={"card": "wallet", "card_id": "wallet"})
        return _grant_page(request, values, errors, status=form_status(exc))
    return Redirect(f"/admin/attribution?op={done.operation_id}")


def _correction_page(
    request: Request[Any, Any, Any],
    values: dict[str, str],
    errors: dict[str, str],
    *,
    notice: str = "",
    status: int = 200,
) -> Template:
    return money_page(
        request,
        "admin_correction.html",
        status_code=status,
        values=values,
        errors=errors,
        assets=_assets(request, usable=False),
        kinds=WALLET_KINDS,
        notice=notice,
    )


@get(
    "/admin/correction",
    guards=TREASURY,
    opt=TREASURY_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def correction_form(request: Request[Any, Any, Any], op: FromQuery[str | None] = None) -> Template:
    """The correction form, with a fresh operation id."""
    values = dict.fromkeys(_CORRECTION_FIELDS, "")
    values.update(debit_kind="user", credit_kind="issuer")
    values["operation_id"] = f"web-correction-{uuid.uuid4().hex}"
    return _correction_page(request, values, {}, notice=_done(request, ActionKind.CORRECTION, op))


def wallet_named(
    request: Request[Any, Any, Any], kind: str, typed: str, field: str, asset: Asset
) -> WalletRef:
    """The wallet a correction names: the asset's issuer account, a person, a card, an instance."""
    network = network_of(request)
    text = typed.strip()
    if kind == "issuer":
        return WalletRef.issuer(asset.id)
    if kind == "user":
        user = network.accounts.user_by_email(text)
        if user is None:
            raise InvalidInput(field, N_("no person has this e-mail address"))
        return WalletRef.user(user.id)
    if kind == "card":
        try:
            card, _by_qr = find_card(network.money, text)
        except MoneyError:
            raise InvalidInput(field, N_("no card has this number")) from None
        if card.lost:  # a correction names wallets as they are: never a dead card's
            raise CardLost(card.id)
        return WalletRef.user(card.owner) if card.owner else WalletRef.card(card.id)
    if kind == "instance" and network.instances.get(text) is not None:
        return WalletRef.instance(text)
    raise InvalidInput(field, N_("name a wallet"))


@post("/admin/correction", guards=TREASURY, opt=TREASURY_OPT, include_in_schema=False)
async def correction_save(request: Request[Any, Any, Any]) -> Response[Any]:
    """Record the correction (a new transfer with its reason and author)."""
    network = network_of(request)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in _CORRECTION_FIELDS}
    try:
        asset = own_asset(request, values["asset_id"], usable=False)
        amount = parse_amount(values["amount"], asset.decimals)
        debit = wallet_named(request, values["debit_kind"], values["debit"], "debit", asset)
        credit = wallet_named(request, values["credit_kind"], values["credit"], "credit", asset)
        author = author_of(request)

        def op(tx: Tx) -> Operation:
            return network.money.correction_in(
                tx,
                operation_id=values["operation_id"],
                debit=debit,
                credit=credit,
                asset_id=asset.id,
                amount=amount,
                reason=values["reason"],
                author=author,
            )

        done = await network.store.write_async(op)
    except MoneyError as exc:
        return _correction_page(request, values, form_errors(exc), status=form_status(exc))
    return Redirect(f"/admin/correction?op={done.operation_id}")


TREASURY_ROUTES = [grant_form, grant_save, correction_form, correction_save]
