"""StripeProvider's Checkout Sessions through the real ``stripe`` library, over HTTP.

localstripe has no Checkout Sessions, so ``fake_checkout`` serves Stripe's two endpoints on
127.0.0.1 and records what it received: the assertions are on the wire format the library
produced from our parameters, not on a patched function.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from payments_support import API_KEY, FakeCheckoutSessions

from core.payments import (
    CheckoutRequest,
    PaymentError,
    StripeProvider,
    UnknownCheckout,
    transfer_id_for,
)

SECRET = "whsec_checkout_tests"


@pytest.fixture
def provider(fake_checkout: FakeCheckoutSessions) -> StripeProvider:
    """A StripeProvider whose API base is the fake."""
    return StripeProvider(
        API_KEY, SECRET, api_base=fake_checkout.url, timeout=5, max_network_retries=0
    )


def refill(reference: str = "refill:user-7:0b6f", amount: int = 1250) -> CheckoutRequest:
    """A refill's checkout request, as the wallet service will make it."""
    return CheckoutRequest(
        amount=amount,
        reference=reference,
        description="Recharge tirelire",
        customer_email="ada@example.org",
        success_url="http://demo.localhost:8000/wallet/refill/done",
        cancel_url="http://demo.localhost:8000/wallet",
        metadata={"user": "user-7", "wallet": "w-42"},
    )


def test_create_sends_one_priced_line_and_the_reference(
    provider: StripeProvider, fake_checkout: FakeCheckoutSessions
) -> None:
    checkout = provider.create_checkout(refill())

    [sent] = fake_checkout.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent.headers["idempotency-key"] == "tirelire-checkout:refill:user-7:0b6f"
    assert sent.form == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "1250",
        "line_items[0][price_data][product_data][name]": "Recharge tirelire",
        "client_reference_id": "refill:user-7:0b6f",
        "metadata[user]": "user-7",
        "metadata[wallet]": "w-42",
        "metadata[reference]": "refill:user-7:0b6f",
        "payment_intent_data[metadata][user]": "user-7",
        "payment_intent_data[metadata][wallet]": "w-42",
        "payment_intent_data[metadata][reference]": "refill:user-7:0b6f",
        "success_url": "http://demo.localhost:8000/wallet/refill/done",
        "cancel_url": "http://demo.localhost:8000/wallet",
        "customer_email": "ada@example.org",
    }

    assert checkout.id.startswith("cs_test_")
    assert checkout.url == f"https://checkout.stripe.com/c/pay/{checkout.id}"
    assert (checkout.status, checkout.paid, checkout.payment_intent) == ("open", False, "")
    assert (checkout.amount, checkout.currency) == (1250, "eur")
    assert checkout.reference == "refill:user-7:0b6f"
    assert checkout.metadata == {
        "user": "user-7",
        "wallet": "w-42",
        "reference": checkout.reference,
    }


def test_creating_twice_with_one_reference_opens_one_session(
    provider: StripeProvider, fake_checkout: FakeCheckoutSessions
) -> None:
    first = provider.create_checkout(refill())
    again = provider.create_checkout(refill())
    assert again.id == first.id
    assert len(fake_checkout.sessions) == 1
    other = provider.create_checkout(refill(reference="refill:user-7:other"))
    assert other.id != first.id


def test_retrieve_follows_the_session_to_paid(
    provider: StripeProvider, fake_checkout: FakeCheckoutSessions
) -> None:
    created = provider.create_checkout(refill())
    assert provider.get_checkout(created.id) == created
    fake_checkout.pay(created.id, payment_intent="pi_test_123")

    paid = provider.get_checkout(created.id)
    assert (paid.status, paid.paid, paid.payment_intent) == ("complete", True, "pi_test_123")
    assert paid.url == ""
    assert fake_checkout.requests[-1].method == "GET"
    assert fake_checkout.requests[-1].path == f"/v1/checkout/sessions/{created.id}"


def test_unknown_session_is_unknown_checkout(provider: StripeProvider) -> None:
    with pytest.raises(UnknownCheckout) as missing:
        provider.get_checkout("cs_test_nope")
    assert str(missing.value) == (
        "Stripe refused to find the payment page cs_test_nope: "
        "No such checkout.session: 'cs_test_nope'"
    )
    assert missing.value.code == "resource_missing"
    with pytest.raises(UnknownCheckout):
        provider.get_checkout("")


def test_stripe_errors_become_payment_errors(
    provider: StripeProvider, fake_checkout: FakeCheckoutSessions
) -> None:
    fake_checkout.fail_next = (
        400,
        json.dumps(
            {"error": {"type": "invalid_request_error", "code": "amount_too_small",
                       "message": "Amount must be at least 0,50 €"}}
        ).encode(),
    )  # fmt: skip
    with pytest.raises(PaymentError) as refused:
        provider.create_checkout(refill(amount=10))
    assert (
        str(refused.value)
        == "Stripe refused to open a payment page: Amount must be at least 0,50 €"
    )
    assert (refused.value.code, refused.value.http_status) == ("amount_too_small", 400)

    fake_checkout.fail_next = (502, b"<html>Bad gateway</html>")
    with pytest.raises(PaymentError, match="Stripe refused to open a payment page") as broken:
        provider.create_checkout(refill())
    assert broken.value.http_status == 502


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": 0}, "amount: between 1 and"),
        ({"amount": 1.5}, "amount: an integer number of cents"),
        ({"reference": ""}, "reference: 1 to 200 characters"),
        ({"success_url": "/relative"}, "success_url: an absolute http"),
        ({"metadata": {"reference": "another"}}, "metadata.reference: reserved"),
        ({"metadata": {"a[b]": "x"}}, "metadata: bad key"),
    ],
)
def test_a_bad_request_never_reaches_stripe(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "amount": 100,
        "reference": "refill:u:1",
        "success_url": "https://x.example/ok",
        "cancel_url": "https://x.example/no",
        **change,
    }
    with pytest.raises(ValueError, match=message):
        CheckoutRequest(**fields)  # type: ignore[arg-type]


def test_signed_checkout_completed_event_gives_the_session_and_its_transfer_id(
    provider: StripeProvider, fake_checkout: FakeCheckoutSessions
) -> None:
    created = provider.create_checkout(refill())
    fake_checkout.pay(created.id, payment_intent="pi_test_9")
    body = json.dumps(
        {
            "id": "evt_test_checkout",
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "data": {"object": fake_checkout.sessions[created.id]},
        },
        indent=2,
    ).encode()
    ts = int(time.time())
    mac = hmac.new(SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    header = f"t={ts},v1={mac}"

    event = provider.parse_webhook(body, header)
    assert event.confirms_checkout
    assert (event.checkout_id, event.payment_intent) == (created.id, "pi_test_9")
    assert (event.amount, event.currency, event.reference) == (1250, "eur", created.reference)
    assert event.metadata["wallet"] == "w-42"

    replayed = provider.parse_webhook(body, header)
    assert replayed == event
    assert transfer_id_for(replayed.checkout_id) == transfer_id_for(event.checkout_id)
