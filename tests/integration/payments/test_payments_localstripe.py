"""StripeProvider against localstripe: payment intents, refunds and signed webhooks, over HTTP.

localstripe plays Stripe's API on 127.0.0.1; the real ``stripe`` library talks to it. What
localstripe does not do (Checkout Sessions) is in test_payments_checkout.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest
from payments_support import API_KEY, WebhookReceiver, post_json

from core.payments import PaymentError, StripeProvider, WebhookError

WEBHOOK_SECRET = "whsec_tirelire_tests"


@pytest.fixture
def provider(localstripe: str) -> StripeProvider:
    """A StripeProvider whose API base is localstripe, with no retries (errors show at once)."""
    return StripeProvider(
        API_KEY, WEBHOOK_SECRET, api_base=localstripe, timeout=5, max_network_retries=0
    )


def paid_intent(provider: StripeProvider, amount: int, reference: str = "") -> str:
    """A succeeded payment intent of ``amount`` cents, paid with Stripe's test Visa card."""
    intent = provider.client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "eur",
            "payment_method": "pm_card_visa",
            "metadata": {"reference": reference or f"test:{uuid.uuid4()}"},
        }
    )
    assert intent.status == "requires_confirmation"
    confirmed = provider.client.v1.payment_intents.confirm(intent.id)
    assert confirmed.status == "succeeded"
    return str(confirmed.id)


def stripe_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """Stripe's signing scheme, written out here independently of the code under test."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


# -- refunds ----------------------------------------------------------------------------------


def test_refund_part_then_the_rest_then_nothing(provider: StripeProvider) -> None:
    intent = paid_intent(provider, 1000)
    assert provider.refundable(intent) == 1000

    first = provider.refund(intent, 300)
    assert (first.payment_intent, first.amount, first.status) == (intent, 300, "succeeded")
    assert first.id.startswith("re_")
    assert provider.refundable(intent) == 700

    rest = provider.refund(intent, 700)
    assert rest.amount == 700 and rest.id != first.id
    assert provider.refundable(intent) == 0

    with pytest.raises(PaymentError) as refused:
        provider.refund(intent, 1)
    assert refused.value.code == "amount_too_large"
    assert str(refused.value) == f"cannot refund 0,01 €: 0,00 € left to refund on {intent}"


def test_over_refund_is_refused_before_reaching_stripe(provider: StripeProvider) -> None:
    intent = paid_intent(provider, 1000)
    with pytest.raises(PaymentError, match="cannot refund 10,01 €: 10,00 € left"):
        provider.refund(intent, 1001)
    assert provider.refundable(intent) == 1000  # nothing was refunded


def test_refund_of_an_unknown_payment_is_a_clean_error(provider: StripeProvider) -> None:
    with pytest.raises(PaymentError) as refused:
        provider.refund("pi_doesnotexist", 100)
    message = str(refused.value)
    assert message == "Stripe refused to look up the payment pi_doesnotexist: Not Found"
    assert refused.value.http_status == 404
    assert "Traceback" not in message


@pytest.mark.parametrize("amount", [0, -5, True])
def test_refund_amount_must_be_positive_cents(provider: StripeProvider, amount: int) -> None:
    with pytest.raises(PaymentError, match="positive number of cents"):
        provider.refund("pi_whatever", amount)


def test_unreachable_stripe_is_a_clean_error() -> None:
    closed = StripeProvider(
        API_KEY, WEBHOOK_SECRET, api_base="http://127.0.0.1:9", timeout=2, max_network_retries=0
    )
    with pytest.raises(PaymentError, match="Stripe could not be reached to look up the payment"):
        closed.refund("pi_x", 100)


# -- signed webhooks ------------------------------------------------------------------------


def test_webhook_signed_by_localstripe_verifies(
    localstripe: str, provider: StripeProvider, webhook_receiver: WebhookReceiver
) -> None:
    registered = post_json(
        f"{localstripe}/_config/webhooks/tirelire",
        {
            "url": webhook_receiver.url,
            "secret": WEBHOOK_SECRET,
            "events": ["payment_intent.succeeded"],
        },
    )
    assert registered == 200
    reference = f"refill:user-1:{uuid.uuid4()}"
    intent = paid_intent(provider, 2500, reference)

    delivery = webhook_receiver.wait_for(lambda e: e["data"]["object"]["id"] == intent)
    header = delivery.headers["stripe-signature"]
    event = provider.parse_webhook(delivery.body, header)

    assert event.type == "payment_intent.succeeded"
    assert event.id.startswith("evt_")
    assert (event.payment_intent, event.amount, event.currency) == (intent, 2500, "eur")
    assert event.reference == reference
    assert event.paid and event.checkout_id == "" and not event.confirms_checkout

    # tampered body: same header, one byte of the amount changed
    tampered = delivery.body.replace(b'"amount": 2500', b'"amount": 9500')
    assert tampered != delivery.body
    with pytest.raises(WebhookError, match="bad signature"):
        provider.parse_webhook(tampered, header)

    # the right body verified with another endpoint's secret
    other = StripeProvider(API_KEY, "whsec_someone_else", api_base=localstripe)
    with pytest.raises(WebhookError, match="bad signature"):
        other.parse_webhook(delivery.body, header)

    # no header at all, or garbage in it
    with pytest.raises(WebhookError, match="missing"):
        provider.parse_webhook(delivery.body, "")
    with pytest.raises(WebhookError, match="bad signature"):
        provider.parse_webhook(delivery.body, "garbage")


def test_webhook_with_an_old_timestamp_is_refused(provider: StripeProvider) -> None:
    body = json.dumps(
        {
            "id": "evt_old",
            "type": "payment_intent.succeeded",
            "created": 1,
            "data": {"object": {"id": "pi_old", "amount": 100, "status": "succeeded"}},
        }
    ).encode()
    now = int(time.time())
    fresh = provider.parse_webhook(body, stripe_signature(body, WEBHOOK_SECRET, now - 200))
    assert fresh.id == "evt_old" and fresh.paid

    stale = stripe_signature(body, WEBHOOK_SECRET, now - 301)  # correctly signed, too old
    with pytest.raises(WebhookError, match="Timestamp outside the tolerance zone"):
        provider.parse_webhook(body, stale)


def test_non_json_body_is_a_webhook_error(provider: StripeProvider) -> None:
    body = b"not json"
    header = stripe_signature(body, WEBHOOK_SECRET, int(time.time()))
    with pytest.raises(WebhookError, match="not a JSON event"):
        provider.parse_webhook(body, header)
