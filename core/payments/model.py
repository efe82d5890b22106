"""The vocabulary of online payments: what services ask a provider and what it answers.

These Structs are the only thing the rest of tirelire sees of a payment provider (Stripe, or the
local provider of the demo). They are plain values, frozen and keyword-only; amounts are
integers in cents, never floats.

- :class:`CheckoutRequest`: what is being paid (a refill, later a ticket or a membership);
- :class:`Checkout`: a hosted payment page, opened by the payer at ``url``;
- :class:`PaymentEvent`: a verified webhook event, reduced to what services need;
- :class:`Refund`: money sent back to the payer's bank card.

A :class:`CheckoutRequest` checks its own fields when it is built (``__post_init__``), and the
same checks run when one is decoded with msgspec, so a bad amount or URL never reaches the
provider's API.
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = [
    "MAX_AMOUNT",
    "Checkout",
    "CheckoutRequest",
    "PaymentError",
    "PaymentEvent",
    "Refund",
    "UnknownCheckout",
    "WebhookError",
]

#: Stripe's largest amount for one euro payment (999,999.99 €), in cents.
MAX_AMOUNT = 99_999_999
#: Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500.
MAX_METADATA_KEYS = 50
MAX_METADATA_KEY = 40
MAX_METADATA_VALUE = 500
#: Stripe's limit for ``client_reference_id``.
MAX_REFERENCE = 200

Currency = Literal["eur"]


class PaymentError(RuntimeError):
    """The provider refused or could not do what was asked; the message is for a person.

    ``code`` is the provider's error code when it gave one (``amount_too_large``...),
    ``http_status`` the HTTP status of its answer (0 when it could not be reached).
    """

    def __init__(self, message: str, *, code: str = "", http_status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class UnknownCheckout(PaymentError):
    """No checkout has this id (a mistyped link, or one from another provider)."""


class WebhookError(ValueError):
    """A webhook was refused: absent or bad signature, stale timestamp, or malformed body.

    The web host answers 400 and does nothing else: a genuine event is retried by its sender.
    """


class CheckoutRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a service asks to be paid online.

    ``reference`` says what is being paid, in a form the service can read back from the webhook
    (``refill:<user id>:<uuid>``); it is sent to Stripe as ``client_reference_id`` and as the
    ``reference`` metadata key, so it comes back on both checkout and payment-intent events.
    """

    amount: int
    reference: str
    success_url: str
    cancel_url: str
    currency: Currency = "eur"
    #: The line shown to the payer on the payment page (defaults to the reference).
    description: str = ""
    #: Prefills the payer's e-mail on the payment page.
    customer_email: str = ""
    #: Extra keys for the service (``user``, ``wallet``...), returned on every event.
    metadata: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError("amount: an integer number of cents")
        if not 0 < self.amount <= MAX_AMOUNT:
            raise ValueError(f"amount: between 1 and {MAX_AMOUNT} cents")
        if self.currency != "eur":
            raise ValueError("currency: only 'eur' is supported")
        if not self.reference or len(self.reference) > MAX_REFERENCE:
            raise ValueError(f"reference: 1 to {MAX_REFERENCE} characters")
        for name in ("success_url", "cancel_url"):
            url = getattr(self, name)
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"{name}: an absolute http(s) URL")
        if len(self.all_metadata()) > MAX_METADATA_KEYS:  # ``reference`` is one of them
            raise ValueError(f"metadata: at most {MAX_METADATA_KEYS - 1} keys")
        for key, value in self.metadata.items():
            if not key or len(key) > MAX_METADATA_KEY or "[" in key or "]" in key:
                raise ValueError(f"metadata: bad key {key!r}")
            if len(value) > MAX_METADATA_VALUE:
                raise ValueError(f"metadata.{key}: at most {MAX_METADATA_VALUE} characters")
        if self.metadata.get("reference", self.reference) != self.reference:
            raise ValueError("metadata.reference: reserved for the request's reference")

    @property
    def label(self) -> str:
        """The line shown to the payer: the description, or else the reference."""
        return self.description or self.reference

    def all_metadata(self) -> dict[str, str]:
        """The metadata sent to the provider: the service's keys plus ``reference``."""
        return {**self.metadata, "reference": self.reference}


class Checkout(msgspec.Struct, frozen=True, kw_only=True):
    """A hosted payment page and its state, as the provider reports it.

    ``status`` is Stripe's: ``open`` (waiting for the payer), ``complete`` or ``expired``.
    ``paid`` is true once the money is confirmed; a service still credits only from the
    verified webhook, never from this (a redirect to the success page proves nothing).
    """

    id: str
    url: str
    status: str
    amount: int
    currency: str
    reference: str
    payment_intent: str = ""
    paid: bool = False
    metadata: dict[str, str] = msgspec.field(default_factory=dict)


class PaymentEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A webhook event whose signature was verified, reduced to what services need.

    ``checkout_id`` is set for ``checkout.session.*`` events, empty for ``payment_intent.*``
    ones. ``paid`` is true only for an event that confirms money was received
    (``checkout.session.completed`` or ``checkout.session.async_payment_succeeded`` with
    ``payment_status == "paid"``, ``payment_intent.succeeded``); every other type comes with
    ``paid=False`` so the web host can acknowledge it and do nothing.
    """

    id: str
    type: str
    checkout_id: str = ""
    payment_intent: str = ""
    amount: int = 0
    currency: str = ""
    reference: str = ""
    metadata: dict[str, str] = msgspec.field(default_factory=dict)
    paid: bool = False
    #: When the provider created the event (Unix seconds).
    created: int = 0

    @property
    def confirms_checkout(self) -> bool:
        """True when this event is the one a service credits from: a paid checkout."""
        return self.paid and bool(self.checkout_id)


class Refund(msgspec.Struct, frozen=True, kw_only=True):
    """Money sent back to the payer's card: ``status`` is ``succeeded``, ``pending``..."""

    id: str
    payment_intent: str
    amount: int
    status: str
