"""Payment requests: the staff's "pay me this amount" behind a payment QR code (DOMAIN.md flow 5).

A cashier of an instance enters an amount (and a label); :meth:`PaymentRequests.create` stores
a :class:`PaymentRequest` with a random id (128 bits, URL-safe: the link in the QR code) and an
expiry. The payer opens the link, logs in, and confirms: :meth:`PaymentRequests.pay` is one
atomic write that

1. reads the request (unknown: :class:`UnknownPaymentRequest`; expired:
   :class:`PaymentRequestExpired`; cancelled or paid by someone else:
   :class:`PaymentRequestClosed`);
2. runs ``money.sale_in`` with the request id as the operation id (``payreq:<id>``), so the
   instance's priority order, the acceptance rule and the exact shortfall
   (:class:`~core.wallets.errors.InsufficientFunds`) are the sale's own;
3. marks the request paid by that payer, with the operation's key.

One payment per request: a second confirmation by the same payer (a double click, a replayed
POST) returns the first operation (``replayed``) and moves nothing; another payer is refused.
A refused payment (insufficient funds, asset not accepted) writes nothing: the request stays
open and the payer may top up and confirm again.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import NamedTuple

import lmdb
import msgspec

from core.i18n import N_
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, system_clock
from core.wallets.errors import InvalidInput, MoneyError, UnknownInstance
from core.wallets.model import Operation, WalletRef
from core.wallets.operations import check_amount, check_text
from core.wallets.service import Money

__all__ = [
    "DEFAULT_TTL",
    "PaymentRequest",
    "PaymentRequestClosed",
    "PaymentRequestExpired",
    "PaymentRequests",
    "RequestPayment",
    "UnknownPaymentRequest",
    "operation_id_of",
]

#: How long a payment request can be paid, in seconds, unless the caller says otherwise.
DEFAULT_TTL = 15 * 60
MAX_TTL = 24 * 3600
LABEL_MAX = 100
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class UnknownPaymentRequest(MoneyError):
    """No payment request has this id (a mistyped link, or another instance's request)."""

    code = "unknown_payment_request"

    def __init__(self, request_id: str) -> None:
        super().__init__(f"no payment request {request_id!r}")
        self.request_id = request_id


class PaymentRequestExpired(MoneyError):
    """The payment request expired before it was paid: the staff makes a new one."""

    code = "payment_request_expired"

    def __init__(self, request_id: str) -> None:
        super().__init__(f"payment request {request_id!r} expired")
        self.request_id = request_id


class PaymentRequestClosed(MoneyError):
    """The payment request was cancelled, or already paid by someone else."""

    code = "payment_request_closed"

    def __init__(self, request_id: str, status: str) -> None:
        super().__init__(f"payment request {request_id!r} is {status}")
        self.request_id = request_id
        self.status = status


class PaymentRequest(msgspec.Struct, kw_only=True):
    """What staff asked to be paid, and whether it was. Stored under its ``id``."""

    id: str
    instance: str
    #: in the smallest unit of the sale's assets (cents: the primary asset's unit)
    amount: int
    label: str = ""
    decimals: int = 2
    #: who created it (``user:<id>`` or ``key:<id>``)
    created_by: str = ""
    created_at: float = 0.0
    expires_at: float = 0.0
    #: ``open``, ``paid`` or ``cancelled`` (``expired`` is computed: see :meth:`state`)
    status: str = "open"
    #: the payer's wallet (``user:<id>``) once paid
    payer: str = ""
    paid_at: float = 0.0
    #: the sale's operation key (``sale:payreq:<id>``)
    operation: str = ""

    def state(self, now: float) -> str:
        """``open``, ``paid``, ``cancelled`` or ``expired`` (open past its expiry)."""
        if self.status == "open" and now >= self.expires_at:
            return "expired"
        return self.status


class RequestPayment(NamedTuple):
    """What :meth:`PaymentRequests.pay` returns: the request as it is now, and the sale."""

    request: PaymentRequest
    operation: Operation


def operation_id_of(request_id: str) -> str:
    """The sale's operation id for a payment request: the request id is the idempotency key."""
    return f"payreq:{request_id}"


class PaymentRequests:
    """Payment requests of every instance, and their one payment each."""

    def __init__(self, store: Store, money: Money, *, clock: Clock = system_clock) -> None:
        self.store = store
        self.money = money
        self.clock = clock
        self.records: Collection[PaymentRequest] = Collection(
            store, "payment_requests", PaymentRequest, key=lambda r: r.id,
            indexes=(Index("instance", lambda r: r.instance),),
        )  # fmt: skip

    # -- reading -------------------------------------------------------------------------

    def get(self, request_id: str) -> PaymentRequest | None:
        """The request with this id, or None (also for something that cannot be an id)."""
        if not _looks_like_id(request_id):
            return None
        with self.store.read() as txn:
            return self.records.get(txn, request_id)

    def of_instance(self, instance: str, *, limit: int = 20) -> list[PaymentRequest]:
        """The instance's most recent requests, newest first."""
        with self.store.read() as txn:
            found = list(self.records.find(txn, "instance", instance))
        return sorted(found, key=lambda r: r.created_at, reverse=True)[:limit]

    # -- writing -------------------------------------------------------------------------

    def create(
        self,
        instance: str,
        amount: int,
        *,
        label: str = "",
        author: str = "",
        ttl: int = DEFAULT_TTL,
    ) -> PaymentRequest:
        """Store a new open request of ``amount`` (smallest unit of the primary asset)."""
        amount = check_amount(amount)
        label = check_text(label, "label", required=False, limit=LABEL_MAX)
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 < ttl <= MAX_TTL:
            raise InvalidInput("ttl", N_("from 1 to %(max_ttl)s seconds"), max_ttl=MAX_TTL)
        primary = self.money.assets.primary()
        now = self.clock()
        request = PaymentRequest(
            id=secrets.token_urlsafe(16),
            instance=instance,
            amount=amount,
            label=label,
            decimals=2 if primary is None else primary.decimals,
            created_by=author,
            created_at=now,
            expires_at=now + ttl,
        )

        def op(tx: Tx) -> PaymentRequest:
            if self.money.instances.records.get(tx.txn, instance) is None:
                raise UnknownInstance(instance)
            return self.records.insert(tx, request)

        return self.store.write(op)

    def cancel(self, request_id: str, *, instance: str) -> PaymentRequest:
        """Cancel an open request of ``instance`` (a paid one stays paid)."""

        def op(tx: Tx) -> PaymentRequest:
            request = self._of(tx.txn, request_id, instance)
            if request.status == "paid":
                raise PaymentRequestClosed(request.id, "paid")
            if request.status == "cancelled":
                return request
            return self.records.put(tx, msgspec.structs.replace(request, status="cancelled"))

        return self.store.write(op)

    def pay(
        self,
        request_id: str,
        payer: WalletRef,
        *,
        asset_ids: Sequence[int] | None = None,
        author: str = "",
        grouped: bool = False,
    ) -> RequestPayment:
        """``payer`` pays the request: one sale, one write, once (see the module)."""

        def op(tx: Tx) -> RequestPayment:
            return self.pay_in(tx, request_id, payer, asset_ids=asset_ids, author=author)

        return self.store.write_grouped(op) if grouped else self.store.write(op)

    def pay_in(
        self,
        tx: Tx,
        request_id: str,
        payer: WalletRef,
        *,
        asset_ids: Sequence[int] | None = None,
        author: str = "",
    ) -> RequestPayment:
        """Inside a write: check the request, run the sale, mark the request paid."""
        request = self._of(tx.txn, request_id, None)
        owner = payer.owner
        state = request.state(self.clock())
        if state == "paid" and request.payer != owner:
            raise PaymentRequestClosed(request.id, "paid")
        if state == "cancelled":
            raise PaymentRequestClosed(request.id, "cancelled")
        if state == "expired":
            raise PaymentRequestExpired(request.id)
        operation = self.money.sale_in(
            tx,
            operation_id=operation_id_of(request.id),
            payer=payer,
            instance=request.instance,
            amount=request.amount,
            asset_ids=None if asset_ids is None else list(asset_ids),
            decimals=None if asset_ids is not None else request.decimals,
            author=author,
        )
        if request.status == "paid":
            return RequestPayment(request, operation)
        paid = msgspec.structs.replace(
            request, status="paid", payer=owner, paid_at=self.clock(), operation=operation.key
        )
        return RequestPayment(self.records.put(tx, paid), operation)

    def _of(self, txn: lmdb.Transaction, request_id: str, instance: str | None) -> PaymentRequest:
        found = self.records.get(txn, request_id) if _looks_like_id(request_id) else None
        if found is None or (instance is not None and found.instance != instance):
            raise UnknownPaymentRequest(str(request_id))
        return found


def _looks_like_id(value: object) -> bool:
    return isinstance(value, str) and _ID_RE.match(value) is not None
