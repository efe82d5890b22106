"""Idempotency: every action replayed with its operation id moves money once; other
parameters under the same id are a conflict."""

from __future__ import annotations

import pytest

from core.wallets import ActionKind, OperationConflict, WalletRef


def _actions(world):
    """Each action: (kind, call(**overrides)); the overrides change one parameter."""
    money = world.money
    alice, bob = world.user("alice"), world.user("bob")
    goulues = WalletRef.instance("goulues")
    world.fund(alice, world.primary, 10_000)
    world.fund(alice, world.cla, 10_000)
    world.fund(goulues, world.cla, 10_000)
    card = money.cards.add(uid="04A1B2C3", number="0001")
    money.grant(operation_id="fund-card", wallet=WalletRef.card(card.id), asset_id=1, amount=300)
    money.cards.claim(card.id, world.users["bob"])  # fused into bob's wallet
    other = money.cards.add(uid="04A1B2C4", number="0002")
    money.cards.claim(other.id, world.users["bob"])
    money.correction(  # a claimed card's own wallet only gets money by a correction
        operation_id="leftover",
        debit=WalletRef.issuer(1),
        credit=WalletRef.card(other.id),
        asset_id=1,
        amount=5,
        reason="refill lost at the counter",
        author="admin",
    )

    def call(method, **base):
        return lambda **changes: getattr(money, method)(**(base | changes))

    return [
        (ActionKind.REFILL, call("refill", wallet=alice, asset_id=1, amount=500), {"amount": 501}),
        (ActionKind.GRANT, call("grant", wallet=bob, asset_id=2, amount=50), {"wallet": alice}),
        (
            ActionKind.SALE,
            call("sale", payer=alice, instance="bisik", amount=120),
            {"instance": "goulues"},
        ),
        (
            ActionKind.TRANSFER,
            call("transfer", payer=alice, payee=bob, asset_id=1, amount=70),
            {"payee": WalletRef.instance("bisik")},
        ),
        (ActionKind.REFUND, call("refund", wallet=alice, asset_id=1, amount=90), {"amount": 1}),
        (
            ActionKind.REMITTANCE,
            call(
                "remittance",
                instance="goulues",
                asset_id=2,
                amount=400,
                bank_reference="VIR-7",
                bank_date="2026-11-20",
                author="tresorier",
            ),
            {"bank_reference": "VIR-8"},
        ),
        (
            ActionKind.FUSION,
            call("fusion", card_id=other.id, user_id=world.users["bob"]),
            {"card_id": card.id},
        ),
        (
            ActionKind.CORRECTION,
            call(
                "correction",
                debit=alice,
                credit=bob,
                asset_id=2,
                amount=33,
                reason="typo",
                author="admin",
            ),
            {"reason": "another reason"},
        ),
    ]


def _snapshot(world):
    with world.store.read() as txn:
        owners = sorted({r.owner for r in world.money.accounts.records.scan(txn)})
    return world.ledger.head().seq, {
        owner: [(b.asset_id, b.amount) for b in world.money.balances(WalletRef.parse(owner))]
        for owner in owners
    }


def test_every_action_replays_without_moving_money_twice(world):
    actions = _actions(world)
    assert {kind for kind, _, _ in actions} == set(ActionKind)
    for kind, call, _ in actions:
        first = call(operation_id=f"op-{kind.label}")
        assert first.kind == kind and not first.replayed
        assert first.legs, kind
        before = _snapshot(world)
        again = call(operation_id=f"op-{kind.label}")
        assert again.replayed
        assert again.legs == first.legs and again.amount == first.amount
        assert again.created_at == first.created_at
        assert _snapshot(world) == before, kind


def test_same_id_with_other_parameters_is_a_conflict(world):
    for kind, call, changes in _actions(world):
        call(operation_id=f"op-{kind.label}")
        before = _snapshot(world)
        with pytest.raises(OperationConflict) as info:
            call(operation_id=f"op-{kind.label}", **changes)
        assert (info.value.kind, info.value.operation_id) == (kind.label, f"op-{kind.label}")
        assert _snapshot(world) == before, kind


def test_operation_ids_are_per_action(world):
    alice = world.user("alice")
    world.money.refill(operation_id="same", wallet=alice, asset_id=1, amount=100)
    world.money.sale(operation_id="same", payer=alice, instance="bisik", amount=100)
    assert world.balance(alice, world.primary) == 0


def test_a_replayed_sale_returns_the_first_legs_even_when_balances_changed(world):
    alice = world.user("alice")
    gift = world.money.assets.create(issuer="bisik", code="BGF", name="G", category="gift")
    world.fund(alice, gift, 100)
    world.fund(alice, world.primary, 500)
    first = world.money.sale(operation_id="s", payer=alice, instance="bisik", amount=300)
    world.fund(alice, gift, 1000)  # the order would now take only gift
    again = world.money.sale(operation_id="s", payer=alice, instance="bisik", amount=300)
    assert again.legs == first.legs
    assert world.balance(alice, gift) == 1000


def test_replay_through_the_group_writer_from_many_threads(world):
    from concurrent.futures import ThreadPoolExecutor

    alice = world.user("alice")
    world.fund(alice, world.primary, 1000)

    def pay(_):
        return world.money.sale(
            operation_id="terminal-42", payer=alice, instance="bisik", amount=250, grouped=True
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(pay, range(16)))
    assert sum(not r.replayed for r in results) == 1
    assert world.balance(alice, world.primary) == 750
