"""What every online payment provider offers: checkouts, verified webhooks, refunds.

Two providers implement :class:`PaymentProvider`: :class:`~core.payments.StripeProvider`
(production) and :class:`~core.payments.LocalProvider` (the demo's embedded page). Services
and the web host only ever talk to this Protocol, so the demo runs the very code paths
production runs: the same request, the same signed webhook, the same verification.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from core.payments.model import Checkout, CheckoutRequest, PaymentEvent, Refund

__all__ = ["DEFAULT_TOLERANCE", "PaymentProvider"]

#: How old (in seconds) a webhook's signed timestamp may be; Stripe's own default.
DEFAULT_TOLERANCE = 300


@runtime_checkable
class PaymentProvider(Protocol):
    """An online payment provider, as services and the web host use it."""

    #: ``stripe`` or ``local``: shown in logs and on the admin's settings page.
    name: str

    def create_checkout(self, req: CheckoutRequest) -> Checkout:
        """Open a hosted payment page for ``req``; send the payer to ``Checkout.url``.

        Creating twice with the same ``req.reference`` returns the same checkout (the reference
        is the idempotency key), so a double-clicked "pay" button opens one page.
        Raises :class:`~core.payments.PaymentError` when the provider refuses or is unreachable.
        """
        ...

    def get_checkout(self, checkout_id: str) -> Checkout:
        """The checkout ``checkout_id`` as the provider sees it now.

        Raises :class:`~core.payments.UnknownCheckout` when there is none.
        """
        ...

    def parse_webhook(self, payload: bytes, signature_header: str) -> PaymentEvent:
        """Verify a webhook's ``Stripe-Signature`` header and reduce the event.

        ``payload`` must be the request body exactly as received (the signature covers its
        bytes). Raises :class:`~core.payments.WebhookError` on an absent or bad signature, a
        timestamp older than the tolerance (300 s by default), or a malformed body.
        """
        ...

    def refund(self, payment_intent: str, amount: int, *, idempotency_key: str = "") -> Refund:
        """Send ``amount`` cents of ``payment_intent`` back to the payer.

        Refuses (:class:`~core.payments.PaymentError`) more than what is left to refund.
        With ``idempotency_key`` (a ledger transfer id, say), a retried call returns the first
        refund instead of refunding twice.
        """
        ...
