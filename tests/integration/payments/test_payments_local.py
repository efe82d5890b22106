"""The local provider (demo only), the idempotency rule, processed events and the factory.

All on a real LMDB store in tmp_path. The local provider's events are verified by
``stripe.Webhook.construct_event``, through the local provider and through a StripeProvider
holding the same secret: the demo and production share the verification path.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import msgspec
import pytest

from core.ledger.model import ID_MAX
from core.payments import (
    CheckoutRequest,
    LocalProvider,
    PaymentError,
    PaymentEvent,
    ProcessedEvents,
    StripeProvider,
    UnknownCheckout,
    WebhookError,
    make_provider,
    transfer_id_for,
)
from core.payments.webhooks import sign
from core.settings import SettingsError, load_settings
from core.store import Store, Tx

BASE = "http://demo.localhost:8000"
SECRET = "whsec_local_tests"


@pytest.fixture
def local(store: Store) -> LocalProvider:
    """A local provider in demo mode with a known secret."""
    return LocalProvider(SECRET, BASE, demo=True, store=store)


def request(reference: str = "refill:u1:abc", amount: int = 2000) -> CheckoutRequest:
    """A refill's checkout request."""
    return CheckoutRequest(
        amount=amount,
        reference=reference,
        success_url=f"{BASE}/wallet/ok",
        cancel_url=f"{BASE}/wallet",
        metadata={"user": "u1"},
    )


# -- the local provider ------------------------------------------------------------------------


def test_refused_outside_demo(store: Store) -> None:
    with pytest.raises(SettingsError, match=r"demo only \(set demo = true, or TIRELIRE_DEMO=1\)"):
        LocalProvider(SECRET, BASE, demo=False, store=store)


def test_checkout_is_stored_and_served_by_the_app(local: LocalProvider, store: Store) -> None:
    created = local.create_checkout(request())
    assert created.id.startswith("cs_local_")
    assert created.url == f"{BASE}/-/local-pay/{created.id}"
    assert (created.status, created.paid, created.amount, created.currency) == (
        "open", False, 2000, "eur",
    )  # fmt: skip
    assert created.metadata == {"user": "u1", "reference": "refill:u1:abc"}
    assert local.get_checkout(created.id) == created
    # the same reference opens the same checkout; another amount under it is refused
    assert local.create_checkout(request()).id == created.id
    with pytest.raises(PaymentError, match="already used for another amount"):
        local.create_checkout(request(amount=999))
    # it lives in the store: another provider object on the same store sees it
    assert LocalProvider(SECRET, BASE, demo=True, store=store).get_checkout(created.id) == created
    with pytest.raises(UnknownCheckout):
        local.get_checkout("cs_local_nope")


def test_confirm_gives_a_stripe_signed_event_that_credits_once(local: LocalProvider) -> None:
    checkout = local.create_checkout(request())
    payload, header = local.confirm(checkout.id)

    event = local.parse_webhook(payload, header)
    assert event.type == "checkout.session.completed" and event.confirms_checkout
    assert (event.checkout_id, event.amount, event.reference) == (
        checkout.id,
        2000,
        "refill:u1:abc",
    )
    assert event.payment_intent.startswith("pi_local_")
    assert event.metadata == {"user": "u1", "reference": "refill:u1:abc"}

    # exactly Stripe's scheme: a StripeProvider with the same secret verifies it too
    stripe_side = StripeProvider("sk_test_unused", SECRET, api_base="http://127.0.0.1:9")
    assert stripe_side.parse_webhook(payload, header) == event

    paid = local.get_checkout(checkout.id)
    assert (paid.status, paid.paid, paid.payment_intent) == ("complete", True, event.payment_intent)

    # a second confirm (a double click, a reload) is the same event: same id, same transfer
    payload2, header2 = local.confirm(checkout.id)
    again = local.parse_webhook(payload2, header2)
    assert payload2 == payload
    assert again.id == event.id
    assert transfer_id_for(again.checkout_id) == transfer_id_for(event.checkout_id)


def test_tampered_or_stale_local_events_are_refused(local: LocalProvider) -> None:
    checkout = local.create_checkout(request())
    payload, header = local.confirm(checkout.id)
    doctored = json.loads(payload)
    doctored["data"]["object"]["amount_total"] = 200000
    with pytest.raises(WebhookError, match="bad signature"):
        local.parse_webhook(json.dumps(doctored).encode(), header)
    stale = sign(payload, SECRET, timestamp=int(time.time()) - 600)
    with pytest.raises(WebhookError, match="tolerance"):
        local.parse_webhook(payload, stale)
    with pytest.raises(WebhookError, match="missing"):
        local.parse_webhook(payload, "")


@pytest.mark.parametrize(
    "body",
    [b"[]", b"null", b'"x"', b"\xff", b"{}", b'{"id": "", "type": "t", "data": {"object": {}}}'],
)
def test_signed_but_malformed_bodies_are_webhook_errors(local: LocalProvider, body: bytes) -> None:
    with pytest.raises(WebhookError, match=r"not a JSON event|no id, type or data\.object"):
        local.parse_webhook(body, sign(body, SECRET))


def test_tolerance_must_be_positive(store: Store) -> None:
    with pytest.raises(SettingsError, match="tolerance"):
        LocalProvider(SECRET, BASE, demo=True, store=store, tolerance=0)
    with pytest.raises(SettingsError, match="tolerance"):
        StripeProvider("sk_test_x", SECRET, tolerance=0)


def test_confirm_of_an_unknown_checkout(local: LocalProvider) -> None:
    with pytest.raises(UnknownCheckout):
        local.confirm("cs_local_nope")


def test_local_refunds(local: LocalProvider) -> None:
    checkout = local.create_checkout(request(amount=1000))
    assert local.refundable("pi_local_nothing") == 0
    with pytest.raises(PaymentError, match="no payment"):
        local.refund("pi_local_nothing", 100)
    local.confirm(checkout.id)
    intent = local.get_checkout(checkout.id).payment_intent

    first = local.refund(intent, 400, idempotency_key="t-1")
    assert (first.payment_intent, first.amount, first.status) == (intent, 400, "succeeded")
    assert local.refund(intent, 400, idempotency_key="t-1") == first  # a retry, not a second
    with pytest.raises(PaymentError, match="used for another refund"):
        local.refund(intent, 500, idempotency_key="t-1")
    with pytest.raises(PaymentError, match="cannot refund 6,01 €: 6,00 € left"):
        local.refund(intent, 601)
    local.refund(intent, 600)
    assert local.refundable(intent) == 0


def test_generated_secret_is_shared_through_the_store(store: Store) -> None:
    one = LocalProvider("", BASE, demo=True, store=store)
    two = LocalProvider("", BASE, demo=True, store=store)
    assert one.webhook_secret.startswith("whsec_local_") and len(one.webhook_secret) > 40
    assert two.webhook_secret == one.webhook_secret
    payload, header = one.confirm(one.create_checkout(request()).id)
    assert two.parse_webhook(payload, header).confirms_checkout


# -- the idempotency rule ------------------------------------------------------------------------


def test_transfer_id_is_stable_and_in_range() -> None:
    first = transfer_id_for("cs_test_a1b2c3")
    assert first == transfer_id_for("cs_test_a1b2c3")
    # the formula is frozen: stored transfers depend on it
    assert first == 0xE24DE9A1D6606DB028379415402647F0
    assert 0 < first <= ID_MAX < (1 << 128) - 1
    ids = {transfer_id_for(f"cs_{n}", leg) for n in range(500) for leg in (0, 1)}
    assert len(ids) == 1000 and all(0 < i <= ID_MAX for i in ids)
    assert transfer_id_for("cs_x", 1) != transfer_id_for("cs_x")
    with pytest.raises(ValueError):
        transfer_id_for("")
    with pytest.raises(ValueError):
        transfer_id_for("cs_x", -1)


def test_processed_events_answer_a_replay_without_running_again(store: Store) -> None:
    processed = ProcessedEvents(store, clock=lambda: 1000.0)
    event = PaymentEvent(
        id="evt_1", type="checkout.session.completed", checkout_id="cs_1", paid=True
    )
    calls: list[int] = []

    def handle(tx: Tx, ev: PaymentEvent) -> str:
        calls.append(transfer_id_for(ev.checkout_id))
        return "credited"

    record, fresh = processed.process_once(event, handle)
    assert fresh and record.result == "credited" and record.processed_at == 1000.0
    again, fresh_again = processed.process_once(event, handle)
    assert not fresh_again and again == record
    assert calls == [transfer_id_for("cs_1")]
    assert processed.get("evt_1") == record and processed.get("evt_other") is None

    def fail(tx: Tx, ev: PaymentEvent) -> str:
        raise RuntimeError("wallet service down")

    other = msgspec.structs.replace(event, id="evt_2")
    with pytest.raises(RuntimeError):
        processed.process_once(other, fail)
    assert processed.get("evt_2") is None  # not recorded: Stripe's retry will run it
    with store.read() as txn:
        assert processed.events.count(txn) == 1


# -- settings and the factory ----------------------------------------------------------------------


def test_factory_refuses_unsafe_choices(tmp_path: Path, store: Store) -> None:
    plain = load_settings(tmp_path / "d1")
    assert plain.payment_provider == "local" and not plain.demo
    with pytest.raises(SettingsError, match="demo only"):
        make_provider(plain, store, BASE)
    stripe_no_keys = load_settings(tmp_path / "d2", payment_provider="stripe")
    with pytest.raises(SettingsError) as missing:
        make_provider(stripe_no_keys, store, BASE)
    assert str(missing.value) == (
        "payment_provider = 'stripe' needs stripe_api_key (TIRELIRE_STRIPE_API_KEY) and "
        "stripe_webhook_secret (TIRELIRE_STRIPE_WEBHOOK_SECRET)"
    )
    with pytest.raises(SettingsError, match="payment_provider must be 'local' or 'stripe'"):
        load_settings(tmp_path / "d3", payment_provider="paypal")


def test_factory_builds_what_settings_ask(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = make_provider(load_settings(tmp_path / "d1", demo=True), store, BASE)
    assert isinstance(demo, LocalProvider) and demo.name == "local"

    monkeypatch.setenv("TIRELIRE_PAYMENT_PROVIDER", "stripe")
    monkeypatch.setenv("TIRELIRE_STRIPE_API_KEY", "sk_test_env")
    monkeypatch.setenv("TIRELIRE_STRIPE_WEBHOOK_SECRET", "whsec_env")
    settings = load_settings(tmp_path / "d2", stripe_api_base="http://127.0.0.1:9")
    assert (settings.stripe_api_key, settings.stripe_webhook_secret) == ("sk_test_env", "whsec_env")
    real = make_provider(settings, store, BASE)
    assert isinstance(real, StripeProvider) and real.name == "stripe"
    body = b'{"id": "evt_e", "type": "charge.refunded", "data": {"object": {"id": "ch_1"}}}'
    event = real.parse_webhook(body, sign(body, "whsec_env"))
    assert (event.id, event.type, event.paid) == ("evt_e", "charge.refunded", False)
