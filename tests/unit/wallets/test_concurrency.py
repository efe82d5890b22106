"""Reliability: many clients paying at once from one wallet never overspend it.

64 threads pay through the group-commit writer from a wallet that holds exactly N payments:
exactly N succeed, every other one gets InsufficientFunds with the shortfall, the balance ends
at zero and the ledger verifies (the fixture checks the invariants after each test).
"""

from __future__ import annotations

import threading

import pytest

from core.wallets import InsufficientFunds, WalletRef

CLIENTS = 64


def _pay_concurrently(world, payer, price, **options):
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[object] = [None] * CLIENTS

    def client(k: int) -> None:
        barrier.wait()
        try:
            outcomes[k] = world.money.sale(
                operation_id=f"terminal-{k}",
                payer=payer,
                instance="bisik",
                amount=price,
                grouped=True,
                **options,
            )
        except InsufficientFunds as exc:
            outcomes[k] = exc

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paid = [o for o in outcomes if not isinstance(o, InsufficientFunds)]
    refused = [o for o in outcomes if isinstance(o, InsufficientFunds)]
    assert len(paid) + len(refused) == CLIENTS
    return paid, refused


@pytest.mark.parametrize("payments", [1, 20, 63])
def test_64_clients_pay_from_a_wallet_holding_exactly_n_payments(world, payments):
    alice = world.user("alice")
    price = 150
    world.fund(alice, world.primary, payments * price)
    stats_before = world.store.stats.grouped_operations
    paid, refused = _pay_concurrently(world, alice, price)
    assert len(paid) == payments
    assert all(op.amount == price for op in paid)
    assert len(refused) == CLIENTS - payments
    assert all((e.shortfall, e.available) == (price, 0) for e in refused)
    assert world.balance(alice, world.primary) == 0
    assert world.balance(WalletRef.instance("bisik"), world.primary) == payments * price
    assert world.store.stats.grouped_operations - stats_before == CLIENTS
    assert world.ledger.verify().ok


def test_concurrent_multi_asset_payments_with_an_exact_shortfall(world):
    gift = world.money.assets.create(issuer="bisik", code="BGF", name="Cadeau", category="gift")
    card = world.money.cards.add(uid="04A1B2C3", number="1")
    wallet = WalletRef.card(card.id)
    world.money.grant(operation_id="g", wallet=wallet, asset_id=gift.id, amount=460)
    world.money.refill(operation_id="r", wallet=wallet, asset_id=1, amount=1040)  # 1500 in all
    paid, refused = _pay_concurrently(world, wallet, 400)  # 3 payments, then 300 short of 400
    assert len(paid) == 3
    assert all(e.shortfall == 100 and e.available == 300 for e in refused)
    assert sum(leg.amount for op in paid for leg in op.legs if leg.asset_id == gift.id) == 460
    assert world.balance(wallet, gift) == 0
    assert world.balance(wallet, world.primary) == 300


def test_grouped_and_direct_writes_mixed_never_overspend(world):
    """Direct writes (``store.write``) and grouped ones interleave on one wallet."""
    alice = world.user("alice")
    world.fund(alice, world.primary, 10 * 70)
    barrier = threading.Barrier(32)
    results: list[object] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        barrier.wait()
        try:
            op = world.money.sale(
                operation_id=f"t-{k}", payer=alice, instance="bisik", amount=70, grouped=k % 2 == 0
            )
        except InsufficientFunds as exc:
            op = exc
        with lock:
            results.append(op)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(not isinstance(r, InsufficientFunds) for r in results) == 10
    assert world.balance(alice, world.primary) == 0
