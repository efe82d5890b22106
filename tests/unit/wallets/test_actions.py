"""The money actions one by one: refill, grant, transfer, refund, remittance, correction."""

from __future__ import annotations

import datetime

import pytest

from core.ledger import AccountFlags
from core.wallets import (
    AccountKind,
    ActionKind,
    ActionNotAllowed,
    AssetNotAccepted,
    InsufficientFunds,
    InvalidInput,
    UnknownAsset,
    UnknownInstance,
    WalletRef,
    account_id_for,
)


def test_refill_credits_the_wallet_from_the_issuer(world):
    alice = world.user("alice")
    op = world.money.refill(
        operation_id="stripe-pi-1", wallet=alice, asset_id=world.primary.id, amount=2000
    )
    assert op.kind == ActionKind.REFILL
    assert op.amount == 2000 and not op.replayed
    (leg,) = op.legs
    assert (leg.debit, leg.credit, leg.amount) == ("issuer:1", alice.owner, 2000)
    assert world.balance(alice, world.primary) == 2000
    assert world.money.outstanding(world.primary.id) == 2000
    (transfer,) = world.ledger.lookup_transfers([int(leg.transfer_id)])
    assert transfer.code == ActionKind.REFILL
    assert transfer.user_data_128 == op.ref_id
    assert world.money.log.by_ref(op.ref_id) == op


def test_accounts_are_created_lazily_with_the_right_flags(world):
    alice = world.user("alice")
    user_account = account_id_for(alice.owner, world.cla.id)
    issuer_account = account_id_for("issuer:2", world.cla.id)
    assert world.ledger.lookup_accounts([user_account, issuer_account]) == []
    world.money.refill(operation_id="r", wallet=alice, asset_id=world.cla.id, amount=100)
    user, issuer = world.ledger.lookup_accounts([user_account, issuer_account])
    assert user.flags == AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
    assert user.code == AccountKind.USER and user.ledger == world.cla.id
    assert issuer.flags == 0 and issuer.code == AccountKind.ISSUER
    record = world.money.accounts.owner_of(user_account)
    assert (record.owner, record.asset_id) == (alice.owner, world.cla.id)


def test_refill_only_for_euro_backed_assets(world):
    time = world.money.assets.create(issuer="bisik", code="TPS", name="Temps", category="time")
    with pytest.raises(ActionNotAllowed):
        world.money.refill(operation_id="r", wallet=world.user("a"), asset_id=time.id, amount=1)


def test_refill_at_a_counter_needs_an_instance_that_accepts_the_asset(world):
    alice = world.user("alice")
    with pytest.raises(AssetNotAccepted):
        world.money.refill(
            operation_id="r", wallet=alice, asset_id=world.cla.id, amount=1, instance="bisik"
        )
    op = world.money.refill(
        operation_id="r", wallet=alice, asset_id=world.cla.id, amount=1, instance="claf"
    )
    assert op.instance == "claf"


def test_refill_goes_to_users_or_cards_only(world):
    with pytest.raises(InvalidInput) as info:
        world.money.refill(
            operation_id="r", wallet=WalletRef.instance("bisik"), asset_id=1, amount=1
        )
    assert info.value.field == "wallet"
    with pytest.raises(InvalidInput):
        world.money.refill(operation_id="r", wallet=WalletRef.user("ghost"), asset_id=1, amount=1)
    with pytest.raises(InvalidInput):
        world.money.refill(operation_id="r", wallet="user:x", asset_id=1, amount=1)


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "10", None, 1 << 64])
def test_amounts_must_be_positive_integers(world, amount):
    with pytest.raises(InvalidInput) as info:
        world.money.refill(operation_id="r", wallet=world.user("a"), asset_id=1, amount=amount)
    assert info.value.field == "amount"


@pytest.mark.parametrize("operation_id", ["", None, 42, "x" * 201])
def test_operation_ids_are_required(world, operation_id):
    with pytest.raises(InvalidInput) as info:
        world.money.refill(operation_id=operation_id, wallet=world.user("a"), asset_id=1, amount=1)
    assert info.value.field == "operation_id"


def test_unknown_assets_are_refused(world):
    with pytest.raises(UnknownAsset):
        world.money.refill(operation_id="r", wallet=world.user("a"), asset_id=99, amount=1)
    with pytest.raises(UnknownAsset):
        world.money.refill(operation_id="r", wallet=world.user("a"), asset_id="1", amount=1)


def test_grant_any_category_to_any_holder(world):
    time = world.money.assets.create(
        issuer="bisik", code="TPS", name="Temps", category="time", decimals=0
    )
    alice = world.user("alice")
    op = world.money.grant(
        operation_id="g1", wallet=alice, asset_id=time.id, amount=3, author="bob", reason="bar"
    )
    assert (op.kind, op.author, op.reason) == (ActionKind.GRANT, "bob", "bar")
    world.money.grant(
        operation_id="g2", wallet=WalletRef.instance("goulues"), asset_id=world.cla.id, amount=7
    )
    assert world.balance(alice, time) == 3
    assert world.balance(WalletRef.instance("goulues"), world.cla) == 7
    assert world.money.outstanding(time.id) == 3


def test_transfer_only_where_the_asset_allows_it(world):
    alice, bob = world.user("alice"), world.user("bob")
    world.fund(alice, world.cla, 500)
    with pytest.raises(ActionNotAllowed) as info:
        world.money.transfer(
            operation_id="t", payer=alice, payee=bob, asset_id=world.cla.id, amount=100
        )
    assert info.value.asset == world.cla.id
    world.fund(alice, world.primary, 500)  # the primary asset is transferable
    op = world.money.transfer(
        operation_id="t", payer=alice, payee=bob, asset_id=world.primary.id, amount=200
    )
    assert op.legs[0].debit == alice.owner and op.legs[0].credit == bob.owner
    assert world.balance(alice, world.primary) == 300
    assert world.balance(bob, world.primary) == 200
    with pytest.raises(InvalidInput):
        world.money.transfer(
            operation_id="t2", payer=alice, payee=alice, asset_id=world.primary.id, amount=1
        )
    with pytest.raises(InsufficientFunds) as short:
        world.money.transfer(
            operation_id="t3", payer=alice, payee=bob, asset_id=world.primary.id, amount=301
        )
    assert (short.value.shortfall, short.value.available) == (1, 300)


def test_refund_sends_euro_backed_money_back_to_the_issuer(world):
    alice = world.user("alice")
    world.fund(alice, world.primary, 1000)
    op = world.money.refund(operation_id="rf", wallet=alice, asset_id=1, amount=400)
    assert op.legs[0].credit == "issuer:1"
    assert world.balance(alice, world.primary) == 600
    assert world.money.outstanding(world.primary.id) == 600
    with pytest.raises(InsufficientFunds) as info:
        world.money.refund(operation_id="rf2", wallet=alice, asset_id=1, amount=601)
    assert info.value.shortfall == 1 and info.value.wallet == alice.owner
    assert world.balance(alice, world.primary) == 600


@pytest.mark.parametrize("category", ["gift", "time", "loyalty", "badge"])
def test_non_fiat_assets_are_not_refundable(world, category):
    asset = world.money.assets.create(issuer="bisik", code="XYZ", name="X", category=category)
    alice = world.user("alice")
    world.fund(alice, asset, 10)
    with pytest.raises(ActionNotAllowed) as info:
        world.money.refund(operation_id="rf", wallet=alice, asset_id=asset.id, amount=10)
    assert info.value.action == "refund"
    assert world.balance(alice, asset) == 10


def test_an_instance_wallet_never_goes_below_zero(world):
    goulues = WalletRef.instance("goulues")
    with pytest.raises(InsufficientFunds) as info:
        world.money.correction(
            operation_id="c",
            debit=goulues,
            credit=world.user("a"),
            asset_id=1,
            amount=1,
            reason="test",
            author="admin",
        )
    assert info.value.shortfall == 1 and info.value.available == 0


def _remit(world, **overrides):
    values = {
        "operation_id": "rem1",
        "instance": "goulues",
        "asset_id": world.cla.id,
        "amount": 250,
        "bank_reference": "VIR-2026-11-001",
        "bank_date": "2026-11-20",
        "author": "tresorier@claf",
    }
    return world.money.remittance(**(values | overrides))


def test_remittance_moves_the_instance_balance_back_to_the_issuer(world):
    goulues = WalletRef.instance("goulues")
    world.fund(goulues, world.cla, 400)
    op = _remit(world)
    assert (op.bank_reference, op.bank_date, op.author) == (
        "VIR-2026-11-001",
        "2026-11-20",
        "tresorier@claf",
    )
    assert op.legs[0].debit == goulues.owner and op.legs[0].credit == f"issuer:{world.cla.id}"
    assert world.balance(goulues, world.cla) == 150
    assert world.money.instance_balances(world.cla.id) == [("goulues", 150)]
    _remit(world, operation_id="rem2", amount=150, bank_date=datetime.date(2026, 11, 21))
    assert world.money.instance_balances(world.cla.id) == [("goulues", 0)]
    history = world.money.remittances(instance="goulues")
    assert [(r.amount, r.bank_date) for r in history] == [(150, "2026-11-21"), (250, "2026-11-20")]
    assert world.money.remittances(asset_id=world.primary.id) == []
    assert len(world.money.remittances()) == 2


def test_remittance_needs_reference_date_author_and_funds(world):
    goulues = WalletRef.instance("goulues")
    world.fund(goulues, world.cla, 100)
    for field, value in [("bank_reference", " "), ("bank_date", "20/11/2026"), ("author", "")]:
        with pytest.raises(InvalidInput) as info:
            _remit(world, **{field: value})
        assert info.value.field == field
    with pytest.raises(UnknownInstance):
        _remit(world, instance="nowhere")
    with pytest.raises(InsufficientFunds) as short:
        _remit(world, amount=101)
    assert short.value.shortfall == 1
    assert world.money.remittances() == []  # the refused remittance left no record


def test_remittance_only_for_euro_backed_assets(world):
    gift = world.money.assets.create(issuer="claf", code="GFT", name="G", category="gift")
    world.fund(WalletRef.instance("goulues"), gift, 10)
    with pytest.raises(ActionNotAllowed):
        _remit(world, asset_id=gift.id, amount=10)


def test_correction_requires_reason_and_author_and_is_recorded(world):
    alice, bob = world.user("alice"), world.user("bob")
    world.fund(alice, world.cla, 100)
    base = {
        "operation_id": "c1",
        "debit": alice,
        "credit": bob,
        "asset_id": world.cla.id,
        "amount": 30,
    }
    with pytest.raises(InvalidInput) as info:
        world.money.correction(**base, reason="", author="admin")
    assert info.value.field == "reason"
    with pytest.raises(InvalidInput) as info:
        world.money.correction(**base, reason="wrong wallet", author="  ")
    assert info.value.field == "author"
    op = world.money.correction(**base, reason="wrong wallet", author="admin")
    assert (op.reason, op.author, op.kind) == ("wrong wallet", "admin", ActionKind.CORRECTION)
    assert world.money.operation(ActionKind.CORRECTION, "c1") == op
    assert world.balance(bob, world.cla) == 30


def test_correction_may_name_the_issuer_of_the_same_asset_only(world):
    alice = world.user("alice")
    op = world.money.correction(
        operation_id="c1",
        debit=WalletRef.issuer(world.cla.id),
        credit=alice,
        asset_id=world.cla.id,
        amount=5,
        reason="forgotten refill",
        author="admin",
    )
    assert op.legs[0].debit == f"issuer:{world.cla.id}"
    with pytest.raises(InvalidInput):
        world.money.correction(
            operation_id="c2",
            debit=WalletRef.issuer(world.primary.id),
            credit=alice,
            asset_id=world.cla.id,
            amount=5,
            reason="r",
            author="a",
        )
