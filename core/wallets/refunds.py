"""Refund requests of the primary asset, paid back online to the card that paid the refills.

Only what a person bought online can go back online: each refill paid by card keeps how much
of it was already refunded (:attr:`OnlineRefill.refunded`), and a request is spread over those
payments, newest first. What came from elsewhere (a transfer, a refill at a counter) is not
refundable online; local assets are refunded by their issuer (see docs/wallet.md).

:meth:`OnlineRefunds.request` works in two steps around the provider's API:

1. **one atomic write**: the ledger refund (``money.refund_in``: the person's wallet → the
   issuer; ``InsufficientFunds`` if the balance moved meanwhile), the share taken from each
   payment, and the :class:`RefundRequest` record (``pending``). The request id comes from the
   form, so a double-submitted form makes one request, and one ledger refund;
2. **the provider's Refund API**, one call per payment, each with the idempotency key
   ``<request id>:<part>``, then a write of the outcome (``succeeded``, or ``failed`` with the
   provider's message).

A failed request keeps the money aside at the issuer (it left the wallet in step 1) and can be
sent again (:meth:`OnlineRefunds.retry`): the same idempotency keys make a retry of a refund
that did go through return it instead of refunding twice. Nothing is ever credited back
automatically, because a provider that timed out may still have refunded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lmdb
import msgspec

from core.i18n import N_
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, system_clock
from core.wallets.assets import PRIMARY_ASSET_ID
from core.wallets.errors import InvalidInput, OperationConflict
from core.wallets.model import WalletRef
from core.wallets.online import OnlineRefills, check_token
from core.wallets.operations import check_amount
from core.wallets.service import Money

if TYPE_CHECKING:
    from core.payments import PaymentProvider

__all__ = ["OnlineRefunds", "RefundPart", "RefundRequest"]


class RefundPart(msgspec.Struct, kw_only=True):
    """The share of a refund request taken from one online payment."""

    refill_id: str
    payment_intent: str
    amount: int
    #: the provider's refund id and status once sent ("" before)
    refund_id: str = ""
    status: str = ""


class RefundRequest(msgspec.Struct, kw_only=True):
    """A person's request to get primary-asset money back on their card. Stored by id."""

    id: str
    user_id: str
    amount: int
    asset_id: int = PRIMARY_ASSET_ID
    parts: list[RefundPart] = msgspec.field(default_factory=list)
    #: ``pending`` (money aside, not yet sent), ``succeeded`` or ``failed``
    status: str = "pending"
    error: str = ""
    #: the ledger refund's operation key (``refund:online:<id>``)
    operation: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0


class OnlineRefunds:
    """Refund requests and their refunds through the payment provider."""

    def __init__(
        self, store: Store, money: Money, refills: OnlineRefills, *, clock: Clock = system_clock
    ) -> None:
        self.store = store
        self.money = money
        self.refills = refills
        self.clock = clock
        self.records: Collection[RefundRequest] = Collection(
            store, "refund_requests", RefundRequest, key=lambda r: r.id,
            indexes=(Index("user", lambda r: r.user_id),),
        )  # fmt: skip

    # -- reading -------------------------------------------------------------------------

    def get(self, request_id: str) -> RefundRequest | None:
        """The request with this id, or None."""
        try:
            check_token(request_id, "request_id")
        except InvalidInput:
            return None
        with self.store.read() as txn:
            return self.records.get(txn, request_id)

    def of_user(self, user_id: str) -> list[RefundRequest]:
        """A person's refund requests, newest first."""
        with self.store.read() as txn:
            found = list(self.records.find(txn, "user", user_id)) if user_id else []
        return sorted(found, key=lambda r: r.created_at, reverse=True)

    def refundable(self, user_id: str) -> int:
        """How much of the person's primary balance can go back online now."""
        with self.store.read() as txn:
            return self._refundable_in(txn, user_id)

    def _refundable_in(self, txn: lmdb.Transaction, user_id: str) -> int:
        paid = sum(r.refundable for r in self.refills.of_user_in(txn, user_id))
        have = self.money.accounts.available_in(txn, WalletRef.user(user_id), PRIMARY_ASSET_ID)
        return max(0, min(paid, have))

    # -- asking --------------------------------------------------------------------------

    def request(
        self, provider: PaymentProvider, *, request_id: str, user_id: str, amount: int
    ) -> RefundRequest:
        """Ask for ``amount`` cents back; one request (and one refund) per ``request_id``.

        Raises InvalidInput on ``amount`` when more than what can go back online is asked,
        :class:`~core.wallets.errors.InsufficientFunds` if the balance does not cover it, and
        OperationConflict when the id was used for another amount. Provider failures do not
        raise: the request comes back ``failed`` with the provider's message.
        """
        check_token(request_id, "request_id")
        amount = check_amount(amount)

        def op(tx: Tx) -> RefundRequest:
            found = self.records.get(tx.txn, request_id)
            if found is not None:
                if found.user_id != user_id:
                    raise InvalidInput("request_id", N_("this request belongs to someone else"))
                if found.amount != amount:
                    raise OperationConflict("refund", request_id)
                return found
            limit = self._refundable_in(tx.txn, user_id)
            if amount > limit:
                raise InvalidInput(
                    "amount", N_("at most %(limit)s cents can be refunded online"), limit=limit
                )
            parts = self._reserve(tx, user_id, amount)
            operation = self.money.refund_in(
                tx,
                operation_id=f"online:{request_id}",
                wallet=WalletRef.user(user_id),
                asset_id=PRIMARY_ASSET_ID,
                amount=amount,
                author="online refund",
            )
            now = self.clock()
            record = RefundRequest(
                id=request_id, user_id=user_id, amount=amount, parts=parts,
                operation=operation.key, created_at=now, updated_at=now,
            )  # fmt: skip
            return self.records.insert(tx, record)

        return self._send(provider, self.store.write(op))

    def retry(self, provider: PaymentProvider, request_id: str, *, user_id: str) -> RefundRequest:
        """Send again the parts of a request the provider has not refunded yet."""
        found = self.get(request_id)
        if found is None or found.user_id != user_id:
            raise InvalidInput("request_id", N_("no such refund request"))
        return self._send(provider, found)

    def _reserve(self, tx: Tx, user_id: str, amount: int) -> list[RefundPart]:
        """Take ``amount`` from the person's online payments, newest first (in ``tx``)."""
        parts = []
        left = amount
        for refill in self.refills.of_user_in(tx.txn, user_id):
            take = min(refill.refundable, left)
            if take <= 0:
                continue
            parts.append(
                RefundPart(refill_id=refill.id, payment_intent=refill.payment_intent, amount=take)
            )
            self.refills.records.put(
                tx, msgspec.structs.replace(refill, refunded=refill.refunded + take)
            )
            left -= take
            if not left:
                break
        return parts

    def _send(self, provider: PaymentProvider, request: RefundRequest) -> RefundRequest:
        """Call the provider for each part not refunded yet, then record the outcome."""
        from core.payments import PaymentError  # imports stripe: not at ``import core``

        if request.status == "succeeded":
            return request
        parts = list(request.parts)
        error = ""
        for index, part in enumerate(parts):
            if part.refund_id:
                continue
            try:
                done = provider.refund(
                    part.payment_intent, part.amount, idempotency_key=f"{request.id}:{index}"
                )
            except PaymentError as exc:
                error = str(exc)
                break
            parts[index] = msgspec.structs.replace(part, refund_id=done.id, status=done.status)
        status = "failed" if error else "succeeded"
        outcome = msgspec.structs.replace(
            request, parts=parts, status=status, error=error, updated_at=self.clock()
        )
        return self.store.write(lambda tx: self.records.put(tx, outcome))
