"""Webhook signatures, Stripe's scheme: one verification path for every provider.

Stripe signs each webhook with a header ``Stripe-Signature: t=<unix time>,v1=<hex>`` where the
hex is HMAC-SHA256, keyed with the endpoint's secret, of ``"<t>.<body>"``. Verification is
done by the official library, ``stripe.Webhook.construct_event``, for Stripe's events and for
the local provider's alike: there is no second, home-made verifier to drift.

:func:`sign` is the signing half, for the local provider (and only it: Stripe signs its own).
:func:`payment_event` reduces a verified event to a :class:`~core.payments.PaymentEvent`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

import stripe

from core.payments._fields import id_of, int_of, metadata_of
from core.payments.model import PaymentEvent, WebhookError
from core.payments.provider import DEFAULT_TOLERANCE

__all__ = ["PAID_CHECKOUT_EVENTS", "encode_event", "payment_event", "sign", "verify"]

#: The checkout events that may confirm money (when ``payment_status`` is ``paid``).
PAID_CHECKOUT_EVENTS = frozenset(
    {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
)


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value for ``payload``, as Stripe computes it."""
    if not secret:
        raise ValueError("a webhook secret is needed to sign")
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), b"%d." % ts + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def verify(
    payload: bytes, signature_header: str, secret: str, *, tolerance: int = DEFAULT_TOLERANCE
) -> PaymentEvent:
    """Check the signature with ``stripe.Webhook.construct_event`` and reduce the event.

    Raises :class:`WebhookError` with the reason, never the library's exception.
    """
    if tolerance <= 0:  # the library reads 0 as "no limit": a replay could come any day
        raise ValueError("tolerance: a positive number of seconds")
    if not secret:
        raise WebhookError("no webhook secret is configured: every webhook is refused")
    if not signature_header:
        raise WebhookError("the Stripe-Signature header is missing")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise WebhookError(f"bad signature: {exc.user_message}") from None
    except (ValueError, TypeError, AttributeError):  # not UTF-8, not JSON, not an object
        raise WebhookError("the body is not a JSON event") from None
    return payment_event(event.to_dict())


def payment_event(event: Mapping[str, Any]) -> PaymentEvent:
    """Reduce a Stripe event (a verified one, as a dict) to a :class:`PaymentEvent`."""
    try:
        event_id = str(event["id"])
        kind = str(event["type"])
        obj = event["data"]["object"]
        if not isinstance(obj, Mapping) or not event_id or not kind:
            raise TypeError("data.object")
    except (KeyError, TypeError):
        raise WebhookError("the event has no id, type or data.object") from None
    metadata = metadata_of(obj)
    common: dict[str, Any] = {
        "id": event_id,
        "type": kind,
        "currency": str(obj.get("currency") or ""),
        "metadata": metadata,
        "created": int_of(event.get("created")),
    }
    if kind.startswith("checkout.session."):
        return PaymentEvent(
            **common,
            checkout_id=id_of(obj.get("id")),
            payment_intent=id_of(obj.get("payment_intent")),
            amount=int_of(obj.get("amount_total")),
            reference=str(obj.get("client_reference_id") or metadata.get("reference", "")),
            paid=kind in PAID_CHECKOUT_EVENTS and obj.get("payment_status") == "paid",
        )
    if kind.startswith("payment_intent."):
        return PaymentEvent(
            **common,
            payment_intent=id_of(obj.get("id")),
            amount=int_of(obj.get("amount_received")) or int_of(obj.get("amount")),
            reference=metadata.get("reference", ""),
            paid=kind == "payment_intent.succeeded" and obj.get("status") == "succeeded",
        )
    return PaymentEvent(**common, reference=metadata.get("reference", ""))


def encode_event(event: Mapping[str, Any]) -> bytes:
    """A stable JSON encoding of an event (sorted keys): the same event, the same bytes."""
    return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
