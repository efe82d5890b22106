"""Refills of the primary asset by online payment: the checkout, then the webhook that credits.

The flow (see docs/payments.md for the provider's side, docs/wallet.md for the pages):

1. :meth:`OnlineRefills.start` checks the amount against the network's limits, asks the
   provider for a checkout (reference ``refill:<user id>:<refill id>``; the refill id comes
   from the form, so a double-submitted form opens one checkout) and stores an
   :class:`OnlineRefill` (``open``) with the checkout's id and URL.
2. The payer pays on the provider's page. Coming back proves nothing: the success page reads
   the refill's status.
3. :meth:`OnlineRefills.process_webhook` verifies the event with the provider's
   ``parse_webhook`` (:class:`~core.payments.WebhookError` on a bad signature: nothing is
   credited) and, for a paid checkout, runs :meth:`credit_in` inside
   ``ProcessedEvents.process_once``: one write holds the refill (``money.refill_in`` with the
   Checkout Session id as operation id), the refill's new status and the processed event.

A replayed event is answered from the processed-events record; a second, different event about
the same session (``completed`` then ``async_payment_succeeded``) reaches ``refill_in`` with the
same operation id and is a replay there: the money moves once either way.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, NamedTuple

import lmdb
import msgspec

from core.accounts import User
from core.i18n import N_
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, system_clock
from core.wallets.assets import PRIMARY_ASSET_ID
from core.wallets.errors import InvalidInput, OperationConflict
from core.wallets.model import WalletRef
from core.wallets.service import Money

if TYPE_CHECKING:  # core.payments imports the stripe library: only when a Network is built
    from core.payments import PaymentEvent, PaymentProvider

__all__ = ["OnlineRefill", "OnlineRefills", "WebhookOutcome", "check_token", "new_token"]

_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
REFERENCE_PREFIX = "refill:"


def new_token() -> str:
    """A fresh id for a form (refill, refund request, transfer): 32 hex digits."""
    return uuid.uuid4().hex


def check_token(value: object, field: str) -> str:
    """``value`` if it is an id made by :func:`new_token`; else InvalidInput on ``field``."""
    if not isinstance(value, str) or not _TOKEN_RE.match(value):
        raise InvalidInput(field, N_("the form is out of date: open it again"))
    return value


class OnlineRefill(msgspec.Struct, kw_only=True):
    """A refill paid online: asked (``open``), then ``credited`` by the webhook. Stored."""

    id: str
    user_id: str
    amount: int
    asset_id: int = PRIMARY_ASSET_ID
    #: the instance whose pages the person used ("" on the network's home)
    instance: str = ""
    provider: str = ""
    checkout_id: str = ""
    checkout_url: str = ""
    status: str = "open"
    payment_intent: str = ""
    #: the refill's operation key (``refill:<checkout id>``) once credited
    operation: str = ""
    created_at: float = 0.0
    credited_at: float = 0.0
    #: cents of this payment already sent back to the payer's card by refund requests
    refunded: int = 0

    @property
    def refundable(self) -> int:
        """What can still go back to the card that paid (0 until credited)."""
        if self.status != "credited" or not self.payment_intent:
            return 0
        return max(0, self.amount - self.refunded)


class WebhookOutcome(NamedTuple):
    """What a webhook did: the verified event, the result, and whether this call did it."""

    event: PaymentEvent
    result: str
    fresh: bool


class OnlineRefills:
    """Online refills of the primary asset: their records and the webhook that credits them."""

    def __init__(
        self,
        store: Store,
        money: Money,
        *,
        minimum: int = 100,
        maximum: int = 50_000,
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.money = money
        self.minimum = minimum
        self.maximum = maximum
        self.clock = clock
        from core.payments import ProcessedEvents

        self.events = ProcessedEvents(store, clock=clock)
        self.records: Collection[OnlineRefill] = Collection(
            store, "online_refills", OnlineRefill, key=lambda r: r.id,
            indexes=(
                Index("user", lambda r: r.user_id),
                Index("checkout", lambda r: r.checkout_id or None, unique=True),
            ),
        )  # fmt: skip

    # -- reading -------------------------------------------------------------------------

    def get(self, refill_id: str) -> OnlineRefill | None:
        """The refill with this id, or None."""
        if not isinstance(refill_id, str) or not _TOKEN_RE.match(refill_id):
            return None
        with self.store.read() as txn:
            return self.records.get(txn, refill_id)

    def of_user(self, user_id: str) -> list[OnlineRefill]:
        """A person's online refills, newest first."""
        with self.store.read() as txn:
            return self.of_user_in(txn, user_id)

    def of_user_in(self, txn: lmdb.Transaction, user_id: str) -> list[OnlineRefill]:
        """Same as :meth:`of_user`, inside the caller's transaction."""
        found = list(self.records.find(txn, "user", user_id)) if user_id else []
        return sorted(found, key=lambda r: r.created_at, reverse=True)

    # -- asking --------------------------------------------------------------------------

    def check_amount(self, amount: object) -> int:
        """``amount`` if it is an integer within the limits; else InvalidInput on ``amount``."""
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidInput("amount", N_("an amount is an integer in the smallest unit (cents)"))
        if not self.minimum <= amount <= self.maximum:
            raise InvalidInput(
                "amount",
                N_("between %(minimum)s and %(maximum)s cents"),
                minimum=self.minimum,
                maximum=self.maximum,
            )
        return amount

    def start(
        self,
        provider: PaymentProvider,
        *,
        refill_id: str,
        user: User,
        amount: int,
        success_url: str,
        cancel_url: str,
        instance: str = "",
        description: str = "",
    ) -> OnlineRefill:
        """Open a checkout for a refill of ``amount`` cents; the same ``refill_id`` opens one.

        Raises InvalidInput (``amount``, ``refill_id``), OperationConflict (the id was used
        for another amount) or the provider's :class:`~core.payments.PaymentError`.
        """
        from core.payments import CheckoutRequest

        check_token(refill_id, "refill_id")
        amount = self.check_amount(amount)
        existing = self.get(refill_id)
        if existing is not None:
            return self._same(existing, user.id, amount)
        checkout = provider.create_checkout(
            CheckoutRequest(
                amount=amount,
                reference=f"{REFERENCE_PREFIX}{user.id}:{refill_id}",
                success_url=success_url,
                cancel_url=cancel_url,
                description=description,
                customer_email=user.email,
                metadata={"kind": "refill", "user": user.id, "refill": refill_id},
            )
        )
        record = OnlineRefill(
            id=refill_id,
            user_id=user.id,
            amount=amount,
            instance=instance,
            provider=provider.name,
            checkout_id=checkout.id,
            checkout_url=checkout.url,
            created_at=self.clock(),
        )

        def op(tx: Tx) -> OnlineRefill:
            found = self.records.get(tx.txn, refill_id)
            if found is not None:  # the webhook (or a twin request) was faster
                return self._same(found, user.id, amount)
            return self.records.insert(tx, record)

        return self.store.write(op)

    def _same(self, found: OnlineRefill, user_id: str, amount: int) -> OnlineRefill:
        if found.user_id != user_id:
            raise InvalidInput("refill_id", N_("this refill belongs to someone else"))
        if found.amount != amount:
            raise OperationConflict("refill", found.id)
        return found

    # -- the webhook ---------------------------------------------------------------------

    def process_webhook(
        self, provider: PaymentProvider, payload: bytes, signature_header: str
    ) -> WebhookOutcome:
        """Verify a webhook and credit what it confirms, once (see the module).

        Raises :class:`~core.payments.WebhookError` for a bad signature or body: nothing is
        recorded nor credited. Events that confirm no checkout are acknowledged as
        ``ignored`` without being recorded.
        """
        event = provider.parse_webhook(payload, signature_header)
        if not event.confirms_checkout:
            return WebhookOutcome(event, "ignored", False)

        def handle(tx: Tx, ev: PaymentEvent) -> str:
            return self.credit_in(tx, ev, author=f"online:{provider.name}")

        record, fresh = self.events.process_once(event, handle)
        return WebhookOutcome(event, record.result, fresh)

    def credit_in(self, tx: Tx, event: PaymentEvent, *, author: str = "online") -> str:
        """Inside a write: credit the refill a paid checkout confirms; return the result.

        Events about something else than a refill are ``ignored``; an event whose reference
        names no user of the network is ``refused`` (recorded, so the sender stops retrying,
        and nothing moves).
        """
        kind, user_id, refill_id = _parse_reference(event.reference)
        if kind != "refill":
            return "ignored: not a refill"
        if event.currency and event.currency != "eur":
            return f"refused: currency {event.currency}"
        if self.money.people.users.get(tx.txn, user_id) is None or event.amount <= 0:
            return "refused: no such user or amount"
        found = self.records.get(tx.txn, refill_id)
        if found is not None and found.user_id != user_id:
            return "refused: the reference names another person"
        operation = self.money.refill_in(
            tx,
            operation_id=event.checkout_id,
            wallet=WalletRef.user(user_id),
            asset_id=PRIMARY_ASSET_ID,
            amount=event.amount,
            author=author,
        )
        now = self.clock()
        base = found or OnlineRefill(
            id=refill_id, user_id=user_id, amount=event.amount, created_at=now
        )
        credited = msgspec.structs.replace(
            base,
            status="credited",
            checkout_id=event.checkout_id,
            payment_intent=event.payment_intent or base.payment_intent,
            operation=operation.key,
            credited_at=base.credited_at or now,
        )
        self.records.put(tx, credited)
        return "already credited" if operation.replayed else "credited"


def _parse_reference(reference: str) -> tuple[str, str, str]:
    """``refill:<user>:<refill id>`` → ("refill", user, refill id); anything else → ("", ...)."""
    if not reference.startswith(REFERENCE_PREFIX):
        return "", "", ""
    user_id, sep, refill_id = reference[len(REFERENCE_PREFIX) :].partition(":")
    if not sep or not user_id or not _TOKEN_RE.match(refill_id):
        return "", "", ""
    return "refill", user_id, refill_id
