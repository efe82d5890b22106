"""Why a replayed or duplicated webhook credits once: two keys, both derived, both stored.

Stripe delivers a webhook *at least* once: it retries until it gets a 2xx, and an attacker
who captured one may replay it within the signature's tolerance. Two rules make that harmless:

1. **The refill's ledger transfer id is derived from the Checkout Session id**
   (:func:`transfer_id_for`). The ledger refuses a second transfer with the same id (result
   ``exists``), so whichever events arrive, in whatever order, however many times, and even
   two different events about the same session (``checkout.session.completed`` then
   ``checkout.session.async_payment_succeeded``), the money moves once. This is THE rule;
   nothing else is needed for the money to be right.
2. **Processed events are remembered** (:class:`ProcessedEvents`), keyed by the event id and
   written in the same LMDB transaction as the credit, so the web host answers a replay with
   200 and the first result without running the service again (no second e-mail, no second
   log line).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import lmdb
import msgspec

from core.ledger.model import ID_MAX
from core.payments.model import PaymentEvent
from core.records import Collection
from core.store import Store, Tx
from core.tokens import Clock, system_clock

__all__ = ["ProcessedEvent", "ProcessedEvents", "transfer_id_for"]

_DOMAIN = b"tirelire:payments:checkout:"


def transfer_id_for(checkout_id: str, leg: int = 0) -> int:
    """The ledger transfer id of leg ``leg`` of what checkout ``checkout_id`` pays for.

    The first 128 bits of SHA-256 over a fixed prefix, the session id and the leg number: the
    same session always gives the same id, in every process, forever (never change the
    formula: stored transfers depend on it). The id is never ``0`` nor ``2**128 - 1`` (both
    reserved by the ledger); in the astronomically unlikely case the digest lands there, the
    next counter value is hashed instead, still deterministically. ``leg`` numbers the
    transfers of one payment (0 for a refill; a ticket plus a membership would be 0 and 1).
    """
    if not checkout_id:
        raise ValueError("checkout_id: empty")
    if isinstance(leg, bool) or not isinstance(leg, int) or leg < 0:
        raise ValueError("leg: a non-negative integer")
    counter = 0
    while True:
        material = b"%s%s:%d:%d" % (_DOMAIN, checkout_id.encode(), leg, counter)
        value = int.from_bytes(hashlib.sha256(material).digest()[:16], "big")
        if 0 < value <= ID_MAX:
            return value
        counter += 1  # pragma: no cover - probability 2**-127


class ProcessedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A webhook event already handled, and what handling it did (``result``)."""

    event_id: str
    processed_at: float
    result: str
    event_type: str = ""
    checkout_id: str = ""


class ProcessedEvents:
    """The events the web host has handled: a replay is answered from here."""

    def __init__(self, store: Store, *, clock: Clock = system_clock) -> None:
        self.store = store
        self.clock = clock
        self.events: Collection[ProcessedEvent] = Collection(
            store, "payment_events", ProcessedEvent, key=lambda e: e.event_id
        )

    def get(self, event_id: str) -> ProcessedEvent | None:
        """The record of ``event_id``, or None when it was never processed."""
        with self.store.read() as txn:
            return self.lookup(txn, event_id)

    def lookup(self, txn: lmdb.Transaction, event_id: str) -> ProcessedEvent | None:
        """Same as :meth:`get`, inside the caller's transaction."""
        return self.events.get(txn, event_id) if event_id else None

    def record(self, tx: Tx, event: PaymentEvent, result: str) -> ProcessedEvent:
        """Remember ``event`` as processed with ``result``, in the caller's write.

        Raises :class:`~core.records.UniqueViolation` if it already was: call it in the same
        transaction as the work it records, after :meth:`lookup` found nothing.
        """
        record = ProcessedEvent(
            event_id=event.id,
            processed_at=self.clock(),
            result=result,
            event_type=event.type,
            checkout_id=event.checkout_id,
        )
        return self.events.insert(tx, record)

    def process_once(
        self, event: PaymentEvent, handle: Callable[[Tx, PaymentEvent], str]
    ) -> tuple[ProcessedEvent, bool]:
        """Run ``handle(tx, event)`` unless ``event`` was processed; one durable write.

        Returns the record and whether this call ran ``handle`` (``False``: a replay, answered
        from the first result). ``handle`` writes through ``tx`` only (it may run more than
        once if the store grows its map) and returns a short result (``credited``,
        ``already credited``, ``ignored``...). If it raises, nothing is recorded and the error
        propagates: the web host answers 500 and Stripe retries later.
        """

        def op(tx: Tx) -> tuple[ProcessedEvent, bool]:
            previous = self.lookup(tx.txn, event.id)
            if previous is not None:
                return previous, False
            return self.record(tx, event, handle(tx, event)), True

        return self.store.write(op)
