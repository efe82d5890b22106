"""Payment requests (QR codes): one sale per request, the exact shortfall, expiry, closing."""

from __future__ import annotations

import threading

import pytest

from core.wallets import (
    AssetNotAccepted,
    InsufficientFunds,
    InvalidInput,
    UnknownInstance,
    WalletRef,
)
from core.wallets.requests import (
    PaymentRequestClosed,
    PaymentRequestExpired,
    PaymentRequests,
    UnknownPaymentRequest,
)


@pytest.fixture
def requests(world) -> PaymentRequests:
    return PaymentRequests(world.store, world.money, clock=world.clock)


def test_create_then_pay_once(world, requests):
    alice = world.user("alice")
    world.fund(alice, world.primary, 1000)
    req = requests.create("goulues", 450, label="Pâtes", author="user:staff")
    assert (req.status, req.amount, req.decimals, req.label) == ("open", 450, 2, "Pâtes")
    assert len(req.id) >= 20 and req.expires_at == world.clock.now + 15 * 60

    first = requests.pay(req.id, alice)
    assert first.request.status == "paid" and first.request.payer == alice.owner
    assert first.operation.operation_id == f"payreq:{req.id}" and not first.operation.replayed
    assert first.request.operation == first.operation.key
    again = requests.pay(req.id, alice)  # a double click
    assert again.operation.replayed and again.request.status == "paid"
    assert world.balance(alice, world.primary) == 550
    assert world.money.balance(WalletRef.instance("goulues"), world.primary.id) == 450


def test_another_payer_cannot_pay_a_paid_request(world, requests):
    alice, bob = world.user("alice"), world.user("bob")
    world.fund(alice, world.primary, 1000)
    world.fund(bob, world.primary, 1000)
    req = requests.create("goulues", 300)
    requests.pay(req.id, alice)
    with pytest.raises(PaymentRequestClosed):
        requests.pay(req.id, bob)
    assert world.balance(bob, world.primary) == 1000


def test_shortfall_moves_nothing_and_the_request_stays_open(world, requests):
    alice = world.user("alice")
    world.fund(alice, world.primary, 200)
    req = requests.create("goulues", 450)
    with pytest.raises(InsufficientFunds) as refused:
        requests.pay(req.id, alice)
    assert refused.value.shortfall == 250
    assert requests.get(req.id).status == "open"
    assert world.balance(alice, world.primary) == 200
    world.fund(alice, world.primary, 250)  # a top-up, then the same request
    assert requests.pay(req.id, alice).request.status == "paid"
    assert world.balance(alice, world.primary) == 0


def test_only_assets_the_instance_accepts_pay(world, requests):
    """CLA (issued by claf) is not accepted by bisik: it does not count, and naming it fails."""
    alice = world.user("alice")
    world.fund(alice, world.cla, 5000)
    req = requests.create("bisik", 300)
    with pytest.raises(InsufficientFunds) as refused:
        requests.pay(req.id, alice)
    assert refused.value.shortfall == 300
    with pytest.raises(AssetNotAccepted):
        requests.pay(req.id, alice, asset_ids=[world.cla.id])
    assert world.balance(alice, world.cla) == 5000
    at_claf = requests.create("claf", 300)
    assert requests.pay(at_claf.id, alice).operation.legs[0].asset_id == world.cla.id


def test_expired_and_cancelled_requests_refuse_payment(world, requests):
    alice = world.user("alice")
    world.fund(alice, world.primary, 1000)
    old = requests.create("goulues", 100, ttl=60)
    world.clock.now += 61
    assert requests.get(old.id).state(world.clock.now) == "expired"
    with pytest.raises(PaymentRequestExpired):
        requests.pay(old.id, alice)
    gone = requests.create("goulues", 100)
    requests.cancel(gone.id, instance="goulues")
    with pytest.raises(PaymentRequestClosed):
        requests.pay(gone.id, alice)
    with pytest.raises(UnknownPaymentRequest):
        requests.cancel(gone.id, instance="bisik")  # another instance's request
    assert world.balance(alice, world.primary) == 1000


def test_bad_input(world, requests):
    with pytest.raises(InvalidInput, match="amount"):
        requests.create("goulues", 0)
    with pytest.raises(InvalidInput, match="label"):
        requests.create("goulues", 10, label="x" * 101)
    with pytest.raises(UnknownInstance):
        requests.create("nowhere", 10)
    with pytest.raises(UnknownPaymentRequest):
        requests.pay("not-a-request-id", world.user("alice"))
    assert requests.get("../../etc") is None
    assert [r.amount for r in requests.of_instance("goulues")] == []


def test_racing_payers_pay_once(world, requests):
    """16 confirmations at once (8 people, each clicking twice): one sale, one payer."""
    payers = [world.user(f"p{i}") for i in range(8)]
    for payer in payers:
        world.fund(payer, world.primary, 500)
    req = requests.create("goulues", 300)
    outcomes: list[object] = []

    def confirm(payer):
        try:
            outcomes.append(requests.pay(req.id, payer, grouped=True))
        except PaymentRequestClosed as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=confirm, args=(p,)) for p in payers for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    paid = [o for o in outcomes if not isinstance(o, PaymentRequestClosed)]
    winner = requests.get(req.id).payer
    assert len(paid) == 2 and all(p.request.payer == winner for p in paid)
    assert sum(p.operation.replayed for p in paid) == 1
    assert sum(world.balance(p, world.primary) for p in payers) == 8 * 500 - 300
    assert world.money.balance(WalletRef.instance("goulues"), world.primary.id) == 300
