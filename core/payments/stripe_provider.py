"""Stripe, through the official ``stripe`` library: Checkout Sessions, webhooks, refunds.

- A refill (later a ticket or a membership) is a Checkout Session in ``payment`` mode with one
  line item priced inline (``price_data``): no product catalogue to keep in step with Stripe.
  The request's reference goes in ``client_reference_id`` and in the metadata of the session
  and of its payment intent; it doubles as the idempotency key of the creation, so a retried
  or double-clicked request opens one session.
- Webhooks are verified by ``stripe.Webhook.construct_event`` (see
  :mod:`core.payments.webhooks`) with the endpoint's secret.
- Refunds go through the Refund API, after checking what is left to refund on the payment
  (so the payer gets a clear message, and a test server that would accept too much cannot).

Every ``stripe`` exception becomes a :class:`~core.payments.PaymentError` whose message can be
shown to a person; the original stays chained (``__cause__``) for the logs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import stripe

from core.payments._fields import euros, id_of, int_of, metadata_of
from core.payments.model import (
    Checkout,
    CheckoutRequest,
    PaymentError,
    PaymentEvent,
    Refund,
    UnknownCheckout,
)
from core.payments.provider import DEFAULT_TOLERANCE
from core.payments.webhooks import verify
from core.settings import SettingsError

__all__ = ["StripeProvider"]

T = TypeVar("T")


class StripeProvider:
    """The production provider: Stripe's API with the network's secret key.

    ``api_base`` replaces ``https://api.stripe.com`` (tests point it at a server on
    127.0.0.1). ``timeout`` bounds each HTTP request, in seconds; ``max_network_retries``
    retries connection errors and 5xx answers (Stripe's library adds an idempotency key to
    every retried POST, so a retry never pays or refunds twice).
    """

    name = "stripe"

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        api_base: str | None = None,
        tolerance: int = DEFAULT_TOLERANCE,
        timeout: float = 20.0,
        max_network_retries: int = 2,
    ) -> None:
        if not api_key:
            raise SettingsError("stripe_api_key: empty (TIRELIRE_STRIPE_API_KEY)")
        if not webhook_secret:
            raise SettingsError(
                "stripe_webhook_secret: empty (TIRELIRE_STRIPE_WEBHOOK_SECRET); without it "
                "no payment could ever be confirmed"
            )
        if tolerance <= 0:  # the library reads 0 as "no limit"
            raise SettingsError("the webhook tolerance must be a positive number of seconds")
        self.webhook_secret = webhook_secret
        self.tolerance = tolerance
        #: The library's client, for operations outside the provider's Protocol.
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    # -- checkouts -------------------------------------------------------------------------

    def create_checkout(self, req: CheckoutRequest) -> Checkout:
        """Create a Checkout Session for ``req`` (idempotent on ``req.reference``)."""
        metadata = req.all_metadata()
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": req.currency,
                        "unit_amount": req.amount,
                        "product_data": {"name": req.label},
                    },
                }
            ],
            "client_reference_id": req.reference,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": req.success_url,
            "cancel_url": req.cancel_url,
        }
        if req.customer_email:
            params["customer_email"] = req.customer_email
        session = self._call(
            "open a payment page",
            lambda: self.client.v1.checkout.sessions.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": f"tirelire-checkout:{req.reference}"},
            ),
        )
        return _checkout(session.to_dict())

    def get_checkout(self, checkout_id: str) -> Checkout:
        """Retrieve the Checkout Session ``checkout_id``."""
        if not checkout_id:
            raise UnknownCheckout("no checkout id was given")
        session = self._call(
            f"find the payment page {checkout_id}",
            lambda: self.client.v1.checkout.sessions.retrieve(checkout_id),
            missing=UnknownCheckout,
        )
        return _checkout(session.to_dict())

    # -- webhooks --------------------------------------------------------------------------

    def parse_webhook(self, payload: bytes, signature_header: str) -> PaymentEvent:
        """Verify and reduce a webhook from Stripe (see :func:`core.payments.webhooks.verify`)."""
        return verify(payload, signature_header, self.webhook_secret, tolerance=self.tolerance)

    # -- refunds ---------------------------------------------------------------------------

    def refundable(self, payment_intent: str) -> int:
        """How many cents of ``payment_intent`` can still be refunded (0 if never paid)."""
        intent = self._call(
            f"look up the payment {payment_intent}",
            lambda: self.client.v1.payment_intents.retrieve(
                payment_intent, params={"expand": ["latest_charge"]}
            ),
        ).to_dict()
        charge = intent.get("latest_charge")
        if charge and not isinstance(charge, Mapping):  # not expanded: fetch it
            charge_id = str(charge)
            charge = self._call(
                f"look up the payment {payment_intent}",
                lambda: self.client.v1.charges.retrieve(charge_id),
            ).to_dict()
        if not isinstance(charge, Mapping) or charge.get("status") != "succeeded":
            return 0
        captured = int_of(charge.get("amount_captured")) or int_of(charge.get("amount"))
        return max(0, captured - int_of(charge.get("amount_refunded")))

    def refund(self, payment_intent: str, amount: int, *, idempotency_key: str = "") -> Refund:
        """Refund ``amount`` cents of ``payment_intent``; refuses more than what is left."""
        _check_refund(payment_intent, amount)
        left = self.refundable(payment_intent)
        if amount > left:
            raise PaymentError(
                f"cannot refund {euros(amount)}: {euros(left)} left to refund on {payment_intent}",
                code="amount_too_large",
            )
        options: dict[str, Any] = {}
        if idempotency_key:
            options["idempotency_key"] = f"tirelire-refund:{idempotency_key}"
        refund = self._call(
            f"refund {payment_intent}",
            lambda: self.client.v1.refunds.create(
                params={"payment_intent": payment_intent, "amount": amount},
                options=options,  # type: ignore[arg-type]
            ),
        ).to_dict()
        return Refund(
            id=str(refund.get("id") or ""),
            payment_intent=id_of(refund.get("payment_intent")) or payment_intent,
            amount=int_of(refund.get("amount")),
            status=str(refund.get("status") or ""),
        )

    # -- errors ----------------------------------------------------------------------------

    def _call(
        self,
        action: str,
        fn: Callable[[], T],
        *,
        missing: type[PaymentError] = PaymentError,
    ) -> T:
        """Run ``fn``; turn the library's exceptions into a PaymentError naming ``action``."""
        try:
            return fn()
        except stripe.APIConnectionError as exc:
            raise PaymentError(
                f"Stripe could not be reached to {action}; please try again in a moment"
            ) from exc
        except stripe.StripeError as exc:
            status = exc.http_status or 0
            cls = missing if status == 404 else PaymentError
            reason = (exc.user_message or "").strip() or f"HTTP {status}"
            raise cls(
                f"Stripe refused to {action}: {reason}", code=exc.code or "", http_status=status
            ) from exc


def _check_refund(payment_intent: str, amount: int) -> None:
    if not payment_intent:
        raise PaymentError("no payment to refund was given")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise PaymentError("a refund is a positive number of cents")


def _checkout(session: Mapping[str, Any]) -> Checkout:
    """A Checkout Session (as a dict) as a :class:`Checkout`."""
    metadata = metadata_of(session)
    return Checkout(
        id=str(session.get("id") or ""),
        url=str(session.get("url") or ""),
        status=str(session.get("status") or "open"),
        amount=int_of(session.get("amount_total")),
        currency=str(session.get("currency") or ""),
        reference=str(session.get("client_reference_id") or metadata.get("reference", "")),
        payment_intent=id_of(session.get("payment_intent")),
        paid=session.get("payment_status") == "paid",
        metadata=metadata,
    )
