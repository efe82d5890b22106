"""Online payments (Stripe, or the demo's local page): checkouts, verified webhooks, refunds.

The web host builds one provider per process with :func:`make_provider` and uses only the
:class:`PaymentProvider` Protocol. A refill goes:

1. ``provider.create_checkout(CheckoutRequest(...))``, then send the payer to ``checkout.url``;
2. the webhook route passes the raw body and the ``Stripe-Signature`` header to
   ``provider.parse_webhook`` (:class:`WebhookError`: answer 400);
3. ``ProcessedEvents.process_once(event, handle)`` runs the service once per event, and the
   service credits with the ledger transfer id ``transfer_id_for(event.checkout_id)``, so a
   replayed or duplicated event credits once.

See docs/payments.md.
"""

from core.payments.factory import make_provider
from core.payments.idempotency import ProcessedEvent, ProcessedEvents, transfer_id_for
from core.payments.local_provider import LOCAL_PAY_PATH, LocalProvider
from core.payments.model import (
    Checkout,
    CheckoutRequest,
    PaymentError,
    PaymentEvent,
    Refund,
    UnknownCheckout,
    WebhookError,
)
from core.payments.provider import DEFAULT_TOLERANCE, PaymentProvider
from core.payments.stripe_provider import StripeProvider

__all__ = [
    "DEFAULT_TOLERANCE",
    "LOCAL_PAY_PATH",
    "Checkout",
    "CheckoutRequest",
    "LocalProvider",
    "PaymentError",
    "PaymentEvent",
    "PaymentProvider",
    "ProcessedEvent",
    "ProcessedEvents",
    "Refund",
    "StripeProvider",
    "UnknownCheckout",
    "WebhookError",
    "make_provider",
    "transfer_id_for",
]
