"""The local payment provider: the demo's own "card payment" page, signed like Stripe.

For the demo and development only: it refuses to exist unless the settings say ``demo``. It
lets a person try a refill end to end on a machine with no Stripe account and no network:

1. :meth:`LocalProvider.create_checkout` stores a checkout in the store and gives it a URL on
   the app itself (``{base_url}/-/local-pay/{checkout_id}``), which the web host serves: a page
   showing the amount with a "pay" and a "cancel" button.
2. On "pay", the web host calls :meth:`LocalProvider.confirm`, which marks the checkout paid
   and returns a ``checkout.session.completed`` event, JSON shaped like Stripe's, with a
   ``Stripe-Signature`` header computed exactly as Stripe computes it.
3. The web host hands that body and header to its webhook handler, the same one Stripe's
   webhooks reach, where :meth:`LocalProvider.parse_webhook` verifies them with
   ``stripe.Webhook.construct_event``: the demo exercises the production verification path.

Confirming twice gives the same event (same id, same body): downstream it credits once.
Refunds are recorded in the store and checked against what was paid.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import lmdb
import msgspec

from core.payments._fields import euros
from core.payments.model import (
    Checkout,
    CheckoutRequest,
    PaymentError,
    PaymentEvent,
    Refund,
    UnknownCheckout,
)
from core.payments.provider import DEFAULT_TOLERANCE
from core.payments.webhooks import encode_event, sign, verify
from core.records import Collection, Index
from core.settings import SettingsError
from core.store import Store, Tx
from core.tokens import Clock, system_clock

__all__ = ["LOCAL_PAY_PATH", "LocalCheckout", "LocalProvider", "LocalRefund"]

#: Where the web host serves the local payment page: ``{base_url}{LOCAL_PAY_PATH}{id}``.
LOCAL_PAY_PATH = "/-/local-pay/"
_SECRET_NAME = "local_webhook_secret"


class LocalCheckout(msgspec.Struct, kw_only=True):
    """A checkout of the local provider, as stored."""

    id: str
    amount: int
    currency: str
    reference: str
    success_url: str
    cancel_url: str
    description: str = ""
    customer_email: str = ""
    metadata: dict[str, str] = msgspec.field(default_factory=dict)
    #: ``open`` until confirmed, then ``complete``.
    status: str = "open"
    payment_intent: str = ""
    created_at: float = 0.0
    #: When it was confirmed (Unix seconds; the event's ``created``), 0 while open.
    confirmed_at: int = 0


class LocalRefund(msgspec.Struct, kw_only=True):
    """A refund recorded by the local provider."""

    id: str
    payment_intent: str
    amount: int
    status: str
    created_at: float
    idempotency_key: str = ""


class _Secret(msgspec.Struct, kw_only=True):
    name: str
    value: str


def _derived(prefix: str, kind: str, checkout_id: str) -> str:
    return prefix + hashlib.sha256(f"{kind}:{checkout_id}".encode()).hexdigest()[:24]


class LocalProvider:
    """The embedded provider of the demo (see the module's docstring).

    ``webhook_secret`` empty: a random secret is generated once and kept in the store, so every
    process of the network signs and verifies with the same one.
    """

    name = "local"

    def __init__(
        self,
        webhook_secret: str,
        base_url: str,
        *,
        demo: bool,
        store: Store,
        tolerance: int = DEFAULT_TOLERANCE,
        clock: Clock = system_clock,
    ) -> None:
        if not demo:
            raise SettingsError(
                "payment_provider = 'local' is for the demo only (set demo = true, or "
                "TIRELIRE_DEMO=1); a real network uses payment_provider = 'stripe'"
            )
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError(f"the local provider needs an absolute base URL, not {base_url!r}")
        if tolerance <= 0:  # the library reads 0 as "no limit"
            raise SettingsError("the webhook tolerance must be a positive number of seconds")
        self.base_url = base_url.rstrip("/")
        self.store = store
        self.tolerance = tolerance
        self.clock = clock
        self.checkouts: Collection[LocalCheckout] = Collection(
            store, "payment_local_checkouts", LocalCheckout, key=lambda c: c.id,
            indexes=(
                Index("reference", lambda c: c.reference, unique=True),
                Index("payment_intent", lambda c: c.payment_intent or None, unique=True),
            ),
        )  # fmt: skip
        self.refunds: Collection[LocalRefund] = Collection(
            store, "payment_local_refunds", LocalRefund, key=lambda r: r.id,
            indexes=(
                Index("payment_intent", lambda r: r.payment_intent),
                Index("idempotency_key", lambda r: r.idempotency_key or None, unique=True),
            ),
        )  # fmt: skip
        self._secrets: Collection[_Secret] = Collection(
            store, "payment_local_secrets", _Secret, key=lambda s: s.name
        )
        self.webhook_secret = webhook_secret or self._stored_secret()

    def _stored_secret(self) -> str:
        """The generated secret kept in the store (created by the first process to ask)."""

        def op(tx: Tx) -> str:
            found = self._secrets.get(tx.txn, _SECRET_NAME)
            if found is None:
                found = self._secrets.insert(
                    tx, _Secret(name=_SECRET_NAME, value="whsec_local_" + secrets.token_hex(24))
                )
            return found.value

        with self.store.read() as txn:
            found = self._secrets.get(txn, _SECRET_NAME)
        return found.value if found is not None else self.store.write(op)

    # -- checkouts -------------------------------------------------------------------------

    def create_checkout(self, req: CheckoutRequest) -> Checkout:
        """Store a checkout for ``req`` (idempotent on ``req.reference``) and give its page."""

        def op(tx: Tx) -> LocalCheckout:
            existing = self.checkouts.get_by(tx.txn, "reference", req.reference)
            if existing is not None:
                if existing.amount != req.amount or existing.currency != req.currency:
                    raise PaymentError(
                        f"reference {req.reference!r} was already used for another amount",
                        code="idempotency_error",
                    )
                return existing
            record = LocalCheckout(
                id="cs_local_" + secrets.token_hex(12),
                amount=req.amount,
                currency=req.currency,
                reference=req.reference,
                success_url=req.success_url,
                cancel_url=req.cancel_url,
                description=req.label,
                customer_email=req.customer_email,
                metadata=req.all_metadata(),
                created_at=self.clock(),
            )
            return self.checkouts.insert(tx, record)

        return self._checkout(self.store.write(op))

    def get_checkout(self, checkout_id: str) -> Checkout:
        """The stored checkout ``checkout_id``."""
        return self._checkout(self.record(checkout_id))

    def record(self, checkout_id: str) -> LocalCheckout:
        """The stored record of ``checkout_id`` (what the local payment page displays)."""
        with self.store.read() as txn:
            found = self.checkouts.get(txn, checkout_id) if checkout_id else None
        if found is None:
            raise UnknownCheckout(f"no payment page {checkout_id!r}")
        return found

    def _checkout(self, c: LocalCheckout) -> Checkout:
        return Checkout(
            id=c.id,
            url=f"{self.base_url}{LOCAL_PAY_PATH}{c.id}",
            status=c.status,
            amount=c.amount,
            currency=c.currency,
            reference=c.reference,
            payment_intent=c.payment_intent,
            paid=c.status == "complete",
            metadata=dict(c.metadata),
        )

    # -- the payer pays --------------------------------------------------------------------

    def confirm(self, checkout_id: str) -> tuple[bytes, str]:
        """Mark the checkout paid; return the signed ``checkout.session.completed`` event.

        Returns ``(payload, signature_header)``, to be handled exactly like a webhook from
        Stripe. Calling it again returns the same payload (same event id); only the signature's
        timestamp is fresh.
        """

        def op(tx: Tx) -> LocalCheckout:
            found = self.checkouts.get(tx.txn, checkout_id) if checkout_id else None
            if found is None:
                raise UnknownCheckout(f"no payment page {checkout_id!r}")
            if found.status == "open":
                found = msgspec.structs.replace(
                    found,
                    status="complete",
                    payment_intent=_derived("pi_local_", "payment_intent", found.id),
                    confirmed_at=int(self.clock()),
                )
                self.checkouts.put(tx, found)
            return found

        payload = encode_event(self._event(self.store.write(op)))
        return payload, sign(payload, self.webhook_secret, timestamp=int(self.clock()))

    def _event(self, c: LocalCheckout) -> dict[str, Any]:
        """The event Stripe would send for this paid checkout (the fields we read, and a few)."""
        session = {
            "id": c.id,
            "object": "checkout.session",
            "mode": "payment",
            "amount_total": c.amount,
            "amount_subtotal": c.amount,
            "currency": c.currency,
            "client_reference_id": c.reference,
            "customer_email": c.customer_email or None,
            "metadata": c.metadata,
            "payment_intent": c.payment_intent,
            "payment_status": "paid",
            "status": "complete",
            "success_url": c.success_url,
            "cancel_url": c.cancel_url,
            "livemode": False,
        }
        return {
            "id": _derived("evt_local_", "event", c.id),
            "object": "event",
            "type": "checkout.session.completed",
            "created": c.confirmed_at,
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": session},
        }

    # -- webhooks --------------------------------------------------------------------------

    def parse_webhook(self, payload: bytes, signature_header: str) -> PaymentEvent:
        """Verify with ``stripe.Webhook.construct_event``, like :class:`StripeProvider` does."""
        return verify(payload, signature_header, self.webhook_secret, tolerance=self.tolerance)

    # -- refunds ---------------------------------------------------------------------------

    def refundable(self, payment_intent: str) -> int:
        """How many cents of ``payment_intent`` can still be refunded (0 if never paid)."""
        with self.store.read() as txn:
            return self._left(txn, payment_intent)

    def _left(self, txn: lmdb.Transaction, payment_intent: str) -> int:
        paid = self.checkouts.get_by(txn, "payment_intent", payment_intent)
        if paid is None or paid.status != "complete":
            return 0
        refunded = sum(r.amount for r in self.refunds.find(txn, "payment_intent", payment_intent))
        return paid.amount - refunded

    def refund(self, payment_intent: str, amount: int, *, idempotency_key: str = "") -> Refund:
        """Record a refund of ``amount`` cents; refuses more than what is left to refund."""
        if not payment_intent:
            raise PaymentError("no payment to refund was given")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise PaymentError("a refund is a positive number of cents")

        def op(tx: Tx) -> LocalRefund:
            if idempotency_key:
                earlier = self.refunds.get_by(tx.txn, "idempotency_key", idempotency_key)
                if earlier is not None:
                    if (earlier.payment_intent, earlier.amount) != (payment_intent, amount):
                        raise PaymentError(
                            f"idempotency key {idempotency_key!r} was used for another refund",
                            code="idempotency_error",
                        )
                    return earlier
            if self.checkouts.get_by(tx.txn, "payment_intent", payment_intent) is None:
                raise PaymentError(f"no payment {payment_intent!r}", http_status=404)
            left = self._left(tx.txn, payment_intent)
            if amount > left:
                raise PaymentError(
                    f"cannot refund {euros(amount)}: {euros(left)} left to refund on "
                    f"{payment_intent}",
                    code="amount_too_large",
                )
            record = LocalRefund(
                id="re_local_" + secrets.token_hex(12),
                payment_intent=payment_intent,
                amount=amount,
                status="succeeded",
                created_at=self.clock(),
                idempotency_key=idempotency_key,
            )
            return self.refunds.insert(tx, record)

        done = self.store.write(op)
        return Refund(
            id=done.id, payment_intent=done.payment_intent, amount=done.amount, status=done.status
        )
