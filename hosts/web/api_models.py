"""The JSON API's bodies and answers for the wallet and payment requests (msgspec Structs).

Policy (msgspec's, stated once): what clients send is ``forbid_unknown_fields`` and checked
with ``Meta`` constraints at the boundary, so a wrong field is a 400 naming its path; what the
API answers is a plain Struct. Every amount is an ``int`` in the asset's smallest unit (cents),
never a float; timestamps are Unix seconds (``float``) except ledger entries' ``timestamp``,
the ledger's nanoseconds (``int``).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from core.network import Network
from core.wallets import ActionKind, Asset
from core.wallets.online import OnlineRefill
from core.wallets.refunds import RefundRequest
from core.wallets.requests import PaymentRequest, operation_id_of
from hosts.web.api_money_models import LegOut, OperationOut, operation_out
from hosts.web.wallet_format import counterparty_label

__all__ = [
    "AssetOut",
    "BalanceOut",
    "EntryOut",
    "HistoryOut",
    "LegOut",
    "OperationOut",
    "PayIn",
    "PayOut",
    "PayerViewOut",
    "PaymentRequestIn",
    "PaymentRequestOut",
    "RefillIn",
    "RefillOut",
    "RefundIn",
    "RefundOut",
    "RefundPartOut",
    "TransferIn",
    "UsableOut",
    "WalletCardOut",
    "WalletOut",
    "asset_out",
    "operation_out",
    "refill_out",
    "refund_out",
    "request_out",
]

Cents = Annotated[int, Meta(gt=0, lt=1 << 53)]


class In(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: unknown fields are refused."""


class AssetOut(msgspec.Struct, kw_only=True):
    """An asset: amounts in it count ``10**-decimals`` units."""

    id: int
    code: str
    name: str
    category: str
    decimals: int
    transferable: bool
    archived: bool


class EntryOut(msgspec.Struct, kw_only=True):
    """One line of a history: signed for the wallet (+ in, - out)."""

    timestamp: int
    kind: str
    amount: int
    counterparty: str
    operation: str


class BalanceOut(msgspec.Struct, kw_only=True):
    """A balance, where its asset is accepted, and the last transaction in it."""

    asset: AssetOut
    amount: int
    accepted_everywhere: bool
    #: the instances (slugs) that accept it, when not everywhere
    accepted_by: list[str]
    last: EntryOut | None = None


class WalletCardOut(msgspec.Struct, kw_only=True):
    """A card the person claimed (it pays from their wallet)."""

    number: str
    lost: bool


class WalletOut(msgspec.Struct, kw_only=True):
    """The person's wallet: balances and cards; on a collective's address, what it accepts."""

    email: str
    balances: list[BalanceOut]
    cards: list[WalletCardOut]
    #: the money assets the collective of the request's address accepts (none on the home)
    accepted_here: list[AssetOut] = msgspec.field(default_factory=list)


class HistoryOut(msgspec.Struct, kw_only=True):
    """A page of history in one asset; ``next_before`` asks for the next page."""

    asset: AssetOut
    balance: int
    entries: list[EntryOut]
    next_before: int | None = None


class RefillIn(In):
    """Refill the primary asset online: ``refill_id`` (32 hex digits) makes a retry safe."""

    amount: Cents
    refill_id: str | None = None


class RefillOut(msgspec.Struct, kw_only=True):
    """An online refill: open the ``checkout_url``; ``status`` becomes ``credited``."""

    id: str
    amount: int
    status: str
    checkout_url: str
    created_at: float
    credited_at: float


class RefundIn(In):
    """Refund of the primary asset to the card that paid; one per ``request_id``."""

    amount: Cents
    request_id: Annotated[str, Meta(pattern="^[0-9a-f]{32}$")]


class RefundPartOut(msgspec.Struct, kw_only=True):
    """The share of a refund sent back to one payment."""

    amount: int
    refund_id: str
    status: str


class RefundOut(msgspec.Struct, kw_only=True):
    """A refund request and what happened to it."""

    id: str
    amount: int
    status: str
    error: str
    created_at: float
    parts: list[RefundPartOut]


class TransferIn(In):
    """Give to a person of the network, by e-mail; ``operation_id`` makes a retry safe."""

    operation_id: Annotated[str, Meta(min_length=1, max_length=100)]
    email: Annotated[str, Meta(min_length=3, max_length=254)]
    asset_id: Annotated[int, Meta(gt=0)]
    amount: Cents


class PaymentRequestIn(In):
    """What a cashier asks to be paid (a payment QR code)."""

    amount: Cents
    label: Annotated[str, Meta(max_length=100)] = ""
    ttl_seconds: Annotated[int, Meta(ge=30, le=86400)] = 900


class PaymentRequestOut(msgspec.Struct, kw_only=True):
    """A payment request: ``pay_url`` goes in the QR code."""

    id: str
    instance: str
    amount: int
    decimals: int
    label: str
    status: str
    created_at: float
    expires_at: float
    pay_url: str
    paid_at: float = 0.0
    #: who paid, for the instance's staff ("" otherwise)
    payer: str = ""
    legs: list[LegOut] = msgspec.field(default_factory=list)


class UsableOut(msgspec.Struct, kw_only=True):
    """A balance the payer could use here, and what the sale would take from it."""

    asset: AssetOut
    balance: int
    take: int


class PayerViewOut(msgspec.Struct, kw_only=True):
    """What the payer sees before confirming."""

    request: PaymentRequestOut
    usable: list[UsableOut]
    shortfall: int
    not_accepted: list[BalanceOut]


class PayIn(In):
    """Confirm a payment; ``asset_id`` pays in that asset only (else the priority order)."""

    asset_id: Annotated[int, Meta(gt=0)] | None = None


class PayOut(msgspec.Struct, kw_only=True):
    """The paid request and the sale."""

    request: PaymentRequestOut
    operation: OperationOut


def asset_out(asset: Asset) -> AssetOut:
    """An asset for the API."""
    return AssetOut(
        id=asset.id, code=asset.code, name=asset.name, category=asset.category.value,
        decimals=asset.decimals, transferable=asset.transferable, archived=asset.archived,
    )  # fmt: skip


def refill_out(refill: OnlineRefill) -> RefillOut:
    """An online refill for the API."""
    return RefillOut(
        id=refill.id, amount=refill.amount, status=refill.status,
        checkout_url=refill.checkout_url, created_at=refill.created_at,
        credited_at=refill.credited_at,
    )  # fmt: skip


def refund_out(refund: RefundRequest) -> RefundOut:
    """A refund request for the API."""
    return RefundOut(
        id=refund.id, amount=refund.amount, status=refund.status, error=refund.error,
        created_at=refund.created_at,
        parts=[RefundPartOut(amount=p.amount, refund_id=p.refund_id, status=p.status)
               for p in refund.parts],
    )  # fmt: skip


def request_out(
    network: Network, request: PaymentRequest, pay_url: str, *, staff: bool
) -> PaymentRequestOut:
    """A payment request for the API; the payer and the legs are for its staff only."""
    legs: list[LegOut] = []
    payer = ""
    if staff and request.status == "paid":
        payer = counterparty_label(network, request.payer)
        done = network.money.operation(ActionKind.SALE, operation_id_of(request.id))
        if done is not None:
            legs = [LegOut(asset_id=leg.asset_id, amount=leg.amount) for leg in done.legs]
    return PaymentRequestOut(
        id=request.id, instance=request.instance, amount=request.amount,
        decimals=request.decimals, label=request.label,
        status=request.state(network.payment_requests.clock()), created_at=request.created_at,
        expires_at=request.expires_at, pay_url=pay_url, paid_at=request.paid_at, payer=payer,
        legs=legs,
    )  # fmt: skip
