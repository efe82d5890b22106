"""Invariants: for each asset the balances sum to zero, nobody but an issuer is below zero,
every balance is what the successful operations say; histories; the network's wiring."""

from __future__ import annotations

import random
from collections import Counter

import msgspec
import pytest

from core.ledger import Account, Transfer
from core.network import Network
from core.records import Collection
from core.settings import load_settings
from core.wallets import ActionKind, InsufficientFunds, MoneyError, WalletRef, account_id_for


def test_seeded_random_workload_keeps_every_invariant(world):
    """300 random actions; the model of expected balances matches the ledger's."""
    rng = random.Random(20261121)
    money = world.money
    gift = money.assets.create(
        issuer="bisik", code="BGF", name="Cadeau", category="gift", transferable=True
    )
    assets = [world.primary, world.cla, gift]
    people = [world.user(name) for name in ("alice", "bob", "carol")]
    cards = [money.cards.add(uid=f"04A1B2{k:02X}", number=str(k)) for k in range(3)]
    wallets = people + [WalletRef.card(c.id) for c in cards]
    places = ["bisik", "goulues", "claf"]
    expected: Counter[tuple[str, int]] = Counter()
    outcomes: Counter[str] = Counter()
    for step in range(300):
        kind = rng.choice(["grant", "refill", "sale", "transfer", "refund"])
        wallet, other = rng.sample(wallets, 2)
        asset = rng.choice(assets)
        amount = rng.randint(1, 400)
        op_id = f"op-{step}"
        try:
            if kind == "grant":
                op = money.grant(
                    operation_id=op_id, wallet=wallet, asset_id=asset.id, amount=amount
                )
            elif kind == "refill":
                op = money.refill(
                    operation_id=op_id, wallet=wallet, asset_id=asset.id, amount=amount
                )
            elif kind == "sale":
                op = money.sale(
                    operation_id=op_id, payer=wallet, instance=rng.choice(places), amount=amount
                )
            elif kind == "transfer":
                op = money.transfer(
                    operation_id=op_id, payer=wallet, payee=other, asset_id=asset.id, amount=amount
                )
            else:
                op = money.refund(
                    operation_id=op_id, wallet=wallet, asset_id=asset.id, amount=amount
                )
        except MoneyError as exc:
            outcomes[type(exc).__name__] += 1
            continue
        outcomes[kind] += 1
        for leg in op.legs:
            expected[(leg.debit, leg.asset_id)] -= leg.amount
            expected[(leg.credit, leg.asset_id)] += leg.amount
        if rng.random() < 0.05:  # now and then, a card is claimed mid-way
            card = rng.choice(cards)
            if not money.cards.get(card.id).owner:
                owner = rng.choice(people)
                _, fusion = money.cards.claim(card.id, owner.id)
                for leg in fusion.legs:
                    expected[(leg.debit, leg.asset_id)] -= leg.amount
                    expected[(leg.credit, leg.asset_id)] += leg.amount
    assert outcomes["sale"] > 20 and outcomes["InsufficientFunds"] > 10
    report = money.check_invariants()
    assert report.ok, report.problems
    assert set(report.totals.values()) == {0}
    assert report.outstanding[gift.id] == -expected[(f"issuer:{gift.id}", gift.id)]
    with world.store.read() as txn:
        for (owner, asset_id), amount in expected.items():
            ref = WalletRef.parse(owner)
            assert money.accounts.balance_in(txn, ref, asset_id) == amount, (owner, asset_id)
            if ref.kind.value != "issuer":
                assert amount >= 0


def test_the_checker_sees_money_that_left_the_map(world):
    """A transfer to an account the wallets do not know breaks the sum: the check says so."""
    alice = world.user("alice")
    world.fund(alice, world.primary, 100)
    world.ledger.create_accounts([Account(id=77, ledger=1, code=9)])
    source = account_id_for(alice.owner, 1)
    world.ledger.create_transfers(
        [
            Transfer(
                id=900, debit_account_id=source, credit_account_id=77, amount=30, ledger=1, code=9
            )
        ]
    )
    report = world.money.check_invariants(verify_ledger=False)
    assert not report.ok
    assert report.problems == ["asset 1: balances sum to -30, not 0"]
    world.ledger.create_transfers(  # put it back, so the fixture's final check passes
        [
            Transfer(
                id=901, debit_account_id=77, credit_account_id=source, amount=30, ledger=1, code=9
            )
        ]
    )
    assert world.money.check_invariants().ok


def test_history_names_counterparties_and_operations(world):
    alice = world.user("alice")
    world.money.refill(operation_id="r1", wallet=alice, asset_id=1, amount=500)
    world.clock.now += 1
    world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=120)
    history = world.money.history(alice, 1)
    assert [(h.kind, h.amount, h.counterparty, h.operation) for h in history] == [
        (ActionKind.SALE, -120, "instance:bisik", "sale:s1"),
        (ActionKind.REFILL, 500, "issuer:1", "refill:r1"),
    ]
    older = world.money.history(alice, 1, before=history[0].timestamp)
    assert [h.operation for h in older] == ["refill:r1"]
    assert world.money.history(WalletRef.user("nobody"), 1) == []


def test_balances_list_every_asset_a_wallet_held(world):
    alice = world.user("alice")
    world.fund(alice, world.primary, 10)
    world.fund(alice, world.cla, 20)
    world.money.sale(operation_id="s", payer=alice, instance="claf", amount=20, asset_ids=[2])
    assert [(b.asset_id, b.amount) for b in world.money.balances(alice)] == [(1, 10), (2, 0)]


class Booking(msgspec.Struct, kw_only=True):
    """A plugin's record, written in the same transaction as its payment."""

    id: str
    seats: int


def test_a_plugin_record_and_its_payment_commit_together_or_not_at_all(world):
    bookings = Collection(world.store, "test_bookings", Booking, key=lambda b: b.id)
    alice = world.user("alice")
    world.fund(alice, world.primary, 1000)

    def book(booking_id, seats, fail_after_payment=False):
        def op(tx):
            world.money.sale_in(
                tx, operation_id=booking_id, payer=alice, instance="bisik", amount=seats * 100
            )
            if fail_after_payment:
                raise RuntimeError("no seats left")
            return bookings.put(tx, Booking(id=booking_id, seats=seats))

        return world.store.write(op)

    book("b1", 2)
    with pytest.raises(RuntimeError):
        book("b2", 3, fail_after_payment=True)
    with pytest.raises(InsufficientFunds):
        book("b3", 9)
    with world.store.read() as txn:
        assert [b.id for b in bookings.scan(txn)] == ["b1"]
    assert world.balance(alice, world.primary) == 800
    assert world.money.operation(ActionKind.SALE, "b2") is None


def test_the_network_has_a_ledger_money_and_a_primary_asset(tmp_path):
    settings = load_settings(tmp_path / "data")
    with Network.open(settings) as network:
        primary = network.money.assets.primary()
        assert primary is not None and primary.code == "FED"
        assert network.money.ledger is network.ledger
    with Network.open(settings) as network:  # opened again: still one primary asset
        assert [a.id for a in network.money.assets.all()] == [1]
        assert network.money.check_invariants().ok
