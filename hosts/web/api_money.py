"""JSON API of the money actions staff need: the sale, grants, corrections (``/api/...``).

| method and path | role | what |
|---|---|---|
| ``POST /api/sales`` | cashier, treasurer, admin | a card or a person pays this instance |
| ``POST /api/grants`` | treasurer, admin | offer an amount of one of this instance's assets |
| ``POST /api/corrections`` | treasurer, admin | move an amount, with a reason |

Bodies are decoded once, strictly (:mod:`hosts.web.api_writes`): Litestar converts
request data laxly (the string ``"5"`` would become the integer 5), which money must not do: an
amount is a JSON integer in the smallest unit, never a string nor a float.

Every action is idempotent given the caller's ``operation_id``: a retry returns the first
operation (``replayed: true``, HTTP 200 instead of 201) and moves nothing. A sale the balances
do not cover is a 409 problem with ``code: insufficient_funds`` and the exact ``shortfall``;
nothing moves. A sale runs through the store's group-commit writer (many payments, one
fsync) and the handler awaits it without holding a thread; the payer's card is looked up and
the balances read inside the same write, so the answer shows the balances right after it.
"""

from __future__ import annotations

from typing import Any

import lmdb
from litestar import Request, Response
from litestar.params import JSONBody

from core.accounts import normalize_email
from core.i18n import N_
from core.network import Network
from core.store import Tx
from core.wallets import (
    Asset,
    Card,
    CardLost,
    InvalidInput,
    Money,
    NotIssuer,
    Operation,
    UnknownAsset,
    UnknownCard,
    WalletRef,
    normalize_uid,
)
from hosts.web.api_cards import one_of
from hosts.web.api_money_models import (
    BalanceLine,
    CorrectionIn,
    GrantIn,
    OperationOut,
    SaleIn,
    SaleOut,
    WalletSpec,
    operation_out,
)
from hosts.web.api_writes import api_post
from hosts.web.instances import network_of
from hosts.web.money_web import (
    STAFF_API,
    STAFF_OPT,
    TREASURY_API,
    TREASURY_OPT,
    author_of,
    request_instance,
)

__all__ = ["MONEY_API_ROUTES"]

TAGS = ["money: actions"]


def normalize_email_or_fail(value: str, field: str = "user_email") -> str:
    """The e-mail as stored; InvalidInput naming ``field`` if it is not one."""
    try:
        return normalize_email(value)
    except ValueError:
        raise InvalidInput(field, N_("not an e-mail address")) from None


def _card_of(money: Money, txn: lmdb.Transaction, field: str, value: str) -> Card:
    """Inside a transaction: the card named by its UID, number or QR code; UnknownCard."""
    records = money.card_records
    if field == "card_uid":
        try:
            card = records.get_by(txn, "uid", normalize_uid(value))
        except InvalidInput:
            raise InvalidInput(field, N_("a UID is 8 or 14 hexadecimal digits")) from None
    elif field == "card_qr_id":
        card = records.get_by(txn, "qr_id", value)
    else:
        card = records.get_by(txn, "number", value)
    if card is None:
        raise UnknownCard(value[:64])
    return card


def _holder(card: Card) -> WalletRef:
    """The wallet a card's balances live in: its user's once claimed, else its own."""
    return WalletRef.user(card.owner) if card.owner else WalletRef.card(card.id)


def _balances(money: Money, txn: lmdb.Transaction, wallet: WalletRef) -> list[BalanceLine]:
    out = []
    for balance in money.accounts.balances_in(txn, wallet):
        asset = money.assets.get_in(txn, balance.asset_id)
        if asset is not None:
            out.append(
                BalanceLine(
                    asset_id=asset.id,
                    code=asset.code,
                    decimals=asset.decimals,
                    amount=balance.amount,
                )
            )
    return out


@api_post(
    "/api/sales",
    guards=STAFF_API,
    opt=STAFF_OPT,
    tags=TAGS,
    summary="Sale: a card or a person pays this instance",
)
async def api_sale(request: Request[Any, Any, Any], data: JSONBody[SaleIn]) -> Response[SaleOut]:
    """Pay ``amount`` from the payer's wallet to this instance, idempotent by operation id.

    201 with the operation and the payer's balances; 200 for a replay; 409 with the exact
    ``shortfall`` when the balances (in the assets this instance accepts) do not cover it.
    """
    slug = request_instance(request).slug
    network = network_of(request)
    money = network.money
    field, value = one_of(
        card_uid=data.card_uid, card_number=data.card_number, user_email=data.user_email
    )
    if data.asset_id is not None and data.asset_ids is not None:
        raise InvalidInput("asset_ids", N_("give asset_id or asset_ids, not both"))
    assets = [data.asset_id] if data.asset_id is not None else data.asset_ids
    email = normalize_email_or_fail(value) if field == "user_email" else ""
    author = author_of(request)

    def op(tx: Tx) -> tuple[Operation, list[BalanceLine]]:
        if email:
            user = network.accounts.users.get_by(tx.txn, "email", email)
            if user is None:
                raise InvalidInput("user_email", N_("no person has this e-mail address"))
            payer = holder = WalletRef.user(user.id)
        else:  # the service refuses a lost card and pays a claimed one from its user's wallet
            card = _card_of(money, tx.txn, field, value)
            payer, holder = WalletRef.card(card.id), _holder(card)
        operation = money.sale_in(
            tx,
            operation_id=data.operation_id,
            payer=payer,
            instance=slug,
            amount=data.amount,
            asset_ids=assets,
            author=author,
        )
        return operation, _balances(money, tx.txn, holder)

    operation, balances = await network.store.write_async(op)
    answer = SaleOut(operation=operation_out(operation), balances=balances)
    return Response(answer, status_code=200 if operation.replayed else 201)


def _own_asset(money: Money, txn: lmdb.Transaction, asset_id: int, slug: str) -> Asset:
    asset = money.assets.get_in(txn, asset_id)
    if asset is None:
        raise UnknownAsset(asset_id)
    if asset.issuer != slug:
        raise NotIssuer(asset.id, slug)
    return asset


@api_post(
    "/api/grants",
    guards=TREASURY_API,
    opt=TREASURY_OPT,
    tags=TAGS,
    summary="Grant an amount of this instance's asset",
)
async def api_grant(
    request: Request[Any, Any, Any], data: JSONBody[GrantIn]
) -> Response[OperationOut]:
    """Offer an amount to a person (by e-mail: made if new) or a card; 201, or 200 on replay."""
    slug = request_instance(request).slug
    network = network_of(request)
    money = network.money
    field, value = one_of(
        user_email=data.user_email,
        card_uid=data.card_uid,
        card_number=data.card_number,
        card_qr_id=data.card_qr_id,
    )
    email = normalize_email_or_fail(value) if field == "user_email" else ""
    author = author_of(request)

    def op(tx: Tx) -> Operation:
        asset = _own_asset(money, tx.txn, data.asset_id, slug)
        if email:
            wallet = WalletRef.user(network.accounts.ensure_user(tx, email).id)
        else:  # resolved by the service: a lost card is refused
            wallet = WalletRef.card(_card_of(money, tx.txn, field, value).id)
        return money.grant_in(
            tx,
            operation_id=data.operation_id,
            wallet=wallet,
            asset_id=asset.id,
            amount=data.amount,
            author=author,
            reason=data.reason,
        )

    operation = await network.store.write_async(op)
    return Response(operation_out(operation), status_code=200 if operation.replayed else 201)


def _wallet(
    network: Network, txn: lmdb.Transaction, spec: WalletSpec, field: str, asset: Asset
) -> WalletRef:
    """Inside a transaction: the wallet a correction names."""
    value = spec.value.strip()
    if spec.kind == "issuer":
        return WalletRef.issuer(asset.id)
    if spec.kind == "user":
        user = network.accounts.users.get_by(txn, "email", normalize_email_or_fail(value, field))
        if user is None:
            raise InvalidInput(field, N_("no person has this e-mail address"))
        return WalletRef.user(user.id)
    if spec.kind == "card":
        records = network.money.card_records
        card = records.get_by(txn, "number", value)
        if card is None:
            try:
                card = records.get_by(txn, "uid", normalize_uid(value))
            except InvalidInput:
                card = None
        if card is None:
            raise InvalidInput(field, N_("no card has this number or UID"))
        if card.lost:  # a correction names wallets as they are: never a dead card's
            raise CardLost(card.id)
        return _holder(card)
    if network.instances.records.get(txn, value) is None:
        raise InvalidInput(field, N_("no instance has this slug"))
    return WalletRef.instance(value)


@api_post(
    "/api/corrections",
    guards=TREASURY_API,
    opt=TREASURY_OPT,
    tags=TAGS,
    summary="Correct a mistake in this instance's asset",
)
async def api_correction(
    request: Request[Any, Any, Any], data: JSONBody[CorrectionIn]
) -> Response[OperationOut]:
    """A new transfer between two wallets, with a reason; the author is whoever acts."""
    slug = request_instance(request).slug
    network = network_of(request)
    money = network.money
    author = author_of(request)

    def op(tx: Tx) -> Operation:
        asset = _own_asset(money, tx.txn, data.asset_id, slug)
        return money.correction_in(
            tx,
            operation_id=data.operation_id,
            debit=_wallet(network, tx.txn, data.debit, "debit", asset),
            credit=_wallet(network, tx.txn, data.credit, "credit", asset),
            asset_id=asset.id,
            amount=data.amount,
            reason=data.reason,
            author=author,
        )

    operation = await network.store.write_async(op)
    return Response(operation_out(operation), status_code=200 if operation.replayed else 201)


MONEY_API_ROUTES = [api_sale, api_grant, api_correction]
