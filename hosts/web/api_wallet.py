"""The JSON API of a person's wallet: balances, history, refill, refund, transfer.

Same authorization as the pages: a logged-in person (the session cookie), acting on their own
wallet only; no route takes a wallet or a user id. An API key belongs to an instance, not to a
person, so it has no wallet here (401). Writes made with the session cookie must send
``application/json`` (:func:`hosts.web.wallet_common.json_only`): the cookie alone, from a page
of another site, can never move money. Errors are RFC 9457 problem details with a ``code``
(and ``field``, ``shortfall`` where they apply: :mod:`hosts.web.money_errors`).

| route | what |
|---|---|
| ``GET /api/wallet`` | balances, where each asset is accepted, last transaction, cards |
| ``GET /api/wallet/history/{asset_id}`` | history, newest first (``before``, ``limit``) |
| ``POST /api/wallet/refills`` | open a checkout for a refill; ``checkout_url`` to open |
| ``GET /api/wallet/refills/{id}`` | the refill's status (``open``, ``credited``) |
| ``POST /api/wallet/refunds`` | refund to the card that paid; one per ``request_id`` |
| ``GET /api/wallet/refunds/{id}`` | a refund request's status |
| ``POST /api/wallet/transfers`` | give to someone by e-mail; one per ``operation_id`` |
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from core.i18n import gettext as _
from core.payments import PaymentError
from core.wallets import WalletRef
from core.wallets.online import new_token
from hosts.web.api_models import (
    BalanceOut,
    EntryOut,
    HistoryOut,
    OperationOut,
    RefillIn,
    RefillOut,
    RefundIn,
    RefundOut,
    TransferIn,
    WalletCardOut,
    WalletOut,
    asset_out,
    operation_out,
    refill_out,
    refund_out,
)
from hosts.web.api_writes import api_post
from hosts.web.auth import requires_login
from hosts.web.errors import problem
from hosts.web.instances import network_of, site_of
from hosts.web.routes_refill import refill_urls
from hosts.web.wallet_common import json_only, person, primary_asset, provider_for
from hosts.web.wallet_format import counterparty_label
from hosts.web.wallet_view import WalletRow, accepted_here, card_rows, wallet_rows

__all__ = ["WALLET_API_ROUTES"]

LOGIN = [requires_login]
WRITE = [requires_login, json_only]
TAGS = ["wallet"]


def _entry(network: Any, entry: Any) -> EntryOut:
    return EntryOut(
        timestamp=entry.timestamp, kind=entry.kind.label, amount=entry.amount,
        counterparty=counterparty_label(network, entry.counterparty), operation=entry.operation,
    )  # fmt: skip


def _balance(network: Any, row: WalletRow) -> BalanceOut:
    return BalanceOut(
        asset=asset_out(row.asset), amount=row.amount, accepted_everywhere=row.everywhere,
        accepted_by=[slug for slug, _name in row.accepted_by],
        last=_entry(network, row.last) if row.last else None,
    )  # fmt: skip


@get("/api/wallet", guards=LOGIN, tags=TAGS, sync_to_thread=False)
def api_wallet(request: Request[Any, Any, Any]) -> WalletOut:
    """My wallet: each balance, where its asset is accepted, the last transaction; my cards;
    on a collective's address, the currencies it accepts (``accepted_here``)."""
    network = network_of(request)
    user = person(request)
    balances = [_balance(network, row) for row in wallet_rows(network, WalletRef.user(user.id))]
    cards = [
        WalletCardOut(number=r.card.number, lost=r.card.lost) for r in card_rows(network, user.id)
    ]
    site = site_of(request)
    here = accepted_here(network, site.instance.slug) if site.instance is not None else []
    return WalletOut(
        email=user.email, balances=balances, cards=cards,
        accepted_here=[asset_out(row.asset) for row in here],
    )  # fmt: skip


@get("/api/wallet/history/{asset_id:int}", guards=LOGIN, tags=TAGS, sync_to_thread=False)
def api_history(
    request: Request[Any, Any, Any],
    asset_id: FromPath[int],
    before: FromQuery[int | None] = None,
    limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
) -> HistoryOut:
    """My history in one asset, newest first; pass ``next_before`` as ``before`` for more."""
    network = network_of(request)
    user = person(request)
    asset = network.money.assets.get(asset_id)
    if asset is None:
        raise NotFoundException(detail="no such asset")
    wallet = WalletRef.user(user.id)
    entries = network.money.history(wallet, asset_id, limit=limit + 1, before=before)
    more = len(entries) > limit
    entries = entries[:limit]
    return HistoryOut(
        asset=asset_out(asset), balance=network.money.balance(wallet, asset_id),
        entries=[_entry(network, e) for e in entries],
        next_before=entries[-1].timestamp if more else None,
    )  # fmt: skip


@api_post("/api/wallet/refills", guards=WRITE, tags=TAGS, sync_to_thread=True)
def api_refill(request: Request[Any, Any, Any], data: JSONBody[RefillIn]) -> Response[Any]:
    """Refill the primary asset online: open ``checkout_url``; the webhook credits it."""
    network = network_of(request)
    user = person(request)
    refill_id = data.refill_id or new_token()
    success_url, cancel_url = refill_urls(request, refill_id)
    site = site_of(request)
    try:
        refill = network.online_refills.start(
            provider_for(request), refill_id=refill_id, user=user, amount=data.amount,
            success_url=success_url, cancel_url=cancel_url,
            instance=site.instance.slug if site.instance is not None else "",
            description=_("Refill of your wallet in %(asset)s", asset=primary_asset(request).name),
        )  # fmt: skip
    except PaymentError as exc:
        return problem(502, str(exc), code="payment_provider_error")
    return Response(refill_out(refill), status_code=201)


@get("/api/wallet/refills/{refill_id:str}", guards=LOGIN, tags=TAGS, sync_to_thread=False)
def api_refill_status(request: Request[Any, Any, Any], refill_id: FromPath[str]) -> RefillOut:
    """One of my online refills."""
    refill = network_of(request).online_refills.get(refill_id)
    if refill is None or refill.user_id != person(request).id:
        raise NotFoundException(detail="no such refill")
    return refill_out(refill)


@api_post("/api/wallet/refunds", guards=WRITE, tags=TAGS, sync_to_thread=True)
def api_refund(request: Request[Any, Any, Any], data: JSONBody[RefundIn]) -> Response[Any]:
    """Ask for money back on the card that paid; ``status`` says whether it was sent."""
    done = network_of(request).online_refunds.request(
        provider_for(request), request_id=data.request_id, user_id=person(request).id,
        amount=data.amount,
    )  # fmt: skip
    return Response(refund_out(done), status_code=201)


@get("/api/wallet/refunds/{request_id:str}", guards=LOGIN, tags=TAGS, sync_to_thread=False)
def api_refund_status(request: Request[Any, Any, Any], request_id: FromPath[str]) -> RefundOut:
    """One of my refund requests."""
    found = network_of(request).online_refunds.get(request_id)
    if found is None or found.user_id != person(request).id:
        raise NotFoundException(detail="no such refund request")
    return refund_out(found)


@api_post("/api/wallet/transfers", guards=WRITE, tags=TAGS, sync_to_thread=True)
def api_transfer(
    request: Request[Any, Any, Any], data: JSONBody[TransferIn]
) -> Response[OperationOut]:
    """Give to a person of the network by e-mail (201; 200 when it was already done)."""
    network = network_of(request)
    user = person(request)
    recipient = network.accounts.user_by_email(data.email)
    if recipient is None or recipient.id == user.id:
        detail = (
            _("No one in the network uses this e-mail address.")
            if recipient is None
            else _("This is your own address: choose someone else.")
        )
        return problem(422, detail, code="unknown_recipient", field="email")
    operation = network.money.transfer(
        operation_id=f"{user.id}:{data.operation_id}", payer=WalletRef.user(user.id),
        payee=WalletRef.user(recipient.id), asset_id=data.asset_id, amount=data.amount,
        author=f"user:{user.id}", grouped=True,
    )  # fmt: skip
    return Response(operation_out(operation), status_code=200 if operation.replayed else 201)


WALLET_API_ROUTES = [
    api_wallet, api_history, api_refill, api_refill_status, api_refund, api_refund_status,
    api_transfer,
]  # fmt: skip
