"""Cards: bulk import with a report, anonymous wallets, claiming, loss and replacement,
staff cards."""

from __future__ import annotations

import pytest

from core.records import UniqueViolation
from core.wallets import (
    ActionKind,
    CardAlreadyClaimed,
    CardLost,
    InsufficientFunds,
    InvalidInput,
    UnknownCard,
    UnknownInstance,
    WalletRef,
    normalize_uid,
)

CSV = """uid,number,qr_id
04A1B2C3,0001,qr-aaaaaaaa
04:a1:b2:c3:d4:e5:f6,0002
zz112233,0003
04A1B2,0004
04A1B2C5,,
04A1B2C3,0006
04A1B2C7,0001
A1B2C3D4,0008,qr-aaaaaaaa

A1B2C3D5,0009,bad qr
only-one-column
A1B2C3D6,0010,qr-cccccccc,extra
"""


def test_normalize_uid():
    assert normalize_uid(" 04:a1:b2:c3 ") == "04A1B2C3"
    assert normalize_uid("04-A1-B2-C3-D4-E5-F6") == "04A1B2C3D4E5F6"
    assert normalize_uid("0102030405060708") == "0102030405060708"  # a Type 3 card's IDm
    assert normalize_uid("04" * 10) == "04" * 10  # a triple-size Type A UID
    bad_ones = [("04A1B2", "wrong length"), ("04" * 9, "wrong length"), ("GG112233", "not hexa")]
    for bad, message in [*bad_ones, ("", "")]:
        with pytest.raises(InvalidInput) as info:
            normalize_uid(bad)
        assert info.value.field == "uid" and message in info.value.message


def test_import_reports_every_rejected_row_and_imports_the_rest(world):
    report = world.money.import_cards(CSV)
    assert report.imported == 2
    assert [c.uid for c in report.cards] == ["04A1B2C3", "04A1B2C3D4E5F6"]
    assert [(r.line, r.reason) for r in report.rejected] == [
        (4, "bad_hex"),
        (5, "wrong_length"),
        (6, "bad_number"),
        (7, "duplicate_in_file"),
        (8, "duplicate_in_file"),
        (9, "duplicate_in_file"),
        (11, "bad_qr_id"),
        (12, "bad_row"),
        (13, "bad_row"),
    ]
    assert [r.detail for r in report.rejected if r.reason == "duplicate_in_file"] == [
        "uid",
        "number",
        "qr_id",
    ]
    first = world.money.cards.by_uid("04a1b2c3")
    assert (first.number, first.qr_id, first.owner) == ("0001", "qr-aaaaaaaa", "")
    second = world.money.cards.by_number("0002")
    assert len(second.qr_id) >= 16  # generated
    assert world.money.cards.by_qr(second.qr_id) == second


def test_import_refuses_cards_already_in_the_store(world):
    world.money.import_cards("04A1B2C3,0001,qr-aaaaaaaa\n")
    report = world.money.import_cards(
        ["04A1B2C3,0100\n", "04A1B2C9,0001\n", "04A1B2CA,0102,qr-aaaaaaaa\n", "04A1B2CB,0103\n"]
    )
    assert report.imported == 1
    assert [(r.line, r.reason, r.detail) for r in report.rejected] == [
        (1, "duplicate_in_store", "uid"),
        (2, "duplicate_in_store", "number"),
        (3, "duplicate_in_store", "qr_id"),
    ]
    assert world.money.import_cards("nonsense\n").imported == 0


def test_add_one_card_and_unique_fields(world):
    card = world.money.cards.add(uid="04a1b2c3", number=" 12 ")
    assert (card.uid, card.number) == ("04A1B2C3", "12")
    with pytest.raises(UniqueViolation):
        world.money.cards.add(uid="04A1B2C3", number="13")
    assert world.money.cards.get(card.id) == card
    assert world.money.cards.by_uid("not a uid") is None
    assert world.money.cards.by_qr("../etc") is None


def test_an_anonymous_card_has_its_own_wallet(world):
    card = world.money.cards.add(uid="04A1B2C3", number="1")
    wallet = world.money.cards.wallet_of(card)
    assert wallet == WalletRef.card(card.id)
    world.money.refill(operation_id="cash-1", wallet=wallet, asset_id=1, amount=1000)
    world.money.sale(operation_id="s1", payer=wallet, instance="bisik", amount=400)
    assert world.balance(wallet, world.primary) == 600


def test_claiming_fuses_the_card_into_the_user_wallet(world):
    alice = world.user("alice")
    world.fund(alice, world.primary, 50)
    card = world.money.cards.add(uid="04A1B2C3", number="1")
    wallet = WalletRef.card(card.id)
    world.money.refill(operation_id="cash-1", wallet=wallet, asset_id=1, amount=1000)
    world.money.grant(operation_id="g1", wallet=wallet, asset_id=world.cla.id, amount=300)
    claimed, fusion = world.money.cards.claim(card.id, alice.id)
    assert claimed.owner == alice.id and claimed.claimed_at
    assert fusion.kind == ActionKind.FUSION
    assert sorted((leg.asset_id, leg.amount) for leg in fusion.legs) == [(1, 1000), (2, 300)]
    transfers = world.ledger.lookup_transfers([int(leg.transfer_id) for leg in fusion.legs])
    assert [t.flags for t in transfers] == [1, 0]  # one linked chain
    assert world.balance(alice, world.primary) == 1050
    assert world.balance(alice, world.cla) == 300
    # the card is now a key to alice's wallet; its own wallet is empty
    assert world.money.cards.wallet_of(claimed) == alice
    assert world.money.balance(wallet, 1) == 1050  # a claimed card reads its user's wallet
    with world.store.read() as txn:
        assert world.money.accounts.balance_in(txn, wallet, 1) == 0
    world.money.sale(operation_id="s1", payer=wallet, instance="bisik", amount=50)
    world.money.refill(operation_id="cash-2", wallet=wallet, asset_id=1, amount=10)
    assert world.balance(alice, world.primary) == 1010
    assert world.money.cards.of_user(alice.id) == [world.money.cards.get(card.id)]


def test_a_card_claimed_by_someone_else_cannot_be_claimed(world):
    alice, bob = world.user("alice"), world.user("bob")
    card = world.money.cards.add(uid="04A1B2C3", number="1")
    world.money.cards.claim(card.id, alice.id)
    again, fusion = world.money.cards.claim(card.id, alice.id)  # idempotent for alice
    assert again.owner == alice.id and fusion is None
    with pytest.raises(CardAlreadyClaimed):
        world.money.cards.claim(card.id, bob.id)
    with pytest.raises(UnknownCard):
        world.money.cards.claim("nope", bob.id)
    anonymous = world.money.cards.add(uid="04A1B2C5", number="3")
    with pytest.raises(InvalidInput):
        world.money.cards.claim(anonymous.id, "")
    with pytest.raises(InvalidInput):
        world.money.cards.claim(world.money.cards.add(uid="04A1B2C4", number="2").id, "ghost")


def test_a_lost_anonymous_card_moves_its_balances_to_a_replacement(world):
    old = world.money.cards.add(uid="04A1B2C3", number="1")
    new = world.money.cards.add(uid="04A1B2C4", number="2")
    world.money.refill(operation_id="r", wallet=WalletRef.card(old.id), asset_id=1, amount=700)
    lost, fusion = world.money.cards.declare_lost(old.id, replacement_id=new.id, author="bar")
    assert lost.lost and lost.replaced_by == new.id
    assert [(leg.credit, leg.amount) for leg in fusion.legs] == [(f"card:{new.id}", 700)]
    assert world.balance(WalletRef.card(new.id), world.primary) == 700
    with pytest.raises(CardLost):
        world.money.sale(operation_id="s", payer=WalletRef.card(old.id), instance="bisik", amount=1)
    with pytest.raises(CardLost):
        world.money.refill(operation_id="r2", wallet=WalletRef.card(old.id), asset_id=1, amount=1)
    with pytest.raises(CardLost):
        world.money.cards.wallet_of(lost)
    with pytest.raises(CardLost):
        world.money.cards.claim(old.id, world.user("alice").id)
    assert world.money.cards.declare_lost(old.id) == (lost, None)  # again: nothing changes


def test_declare_lost_in_commits_or_rolls_back_with_the_callers_write(world):
    old = world.money.cards.add(uid="04A1B2C3", number="1")
    new = world.money.cards.add(uid="04A1B2C4", number="2")
    world.money.refill(operation_id="r", wallet=WalletRef.card(old.id), asset_id=1, amount=500)

    def failing(tx):
        world.money.cards.declare_lost_in(tx, old.id, replacement_id=new.id, author="bar")
        raise RuntimeError("the caller's own record failed")

    with pytest.raises(RuntimeError):
        world.store.write(failing)
    assert not world.money.cards.get(old.id).lost
    assert world.balance(WalletRef.card(old.id), world.primary) == 500
    lost, fusion = world.store.write(
        lambda tx: world.money.cards.declare_lost_in(tx, old.id, replacement_id=new.id)
    )
    assert lost.replaced_by == new.id and fusion.amount == 500


def test_a_lost_anonymous_card_without_replacement_keeps_its_balance_until_one_is_named(world):
    old = world.money.cards.add(uid="04A1B2C3", number="1")
    world.money.refill(operation_id="r", wallet=WalletRef.card(old.id), asset_id=1, amount=300)
    lost, fusion = world.money.cards.declare_lost(old.id)
    assert lost.lost and fusion is None
    with world.store.read() as txn:
        assert world.money.accounts.balance_in(txn, WalletRef.card(old.id), 1) == 300
    new = world.money.cards.add(uid="04A1B2C4", number="2")
    lost, fusion = world.money.cards.declare_lost(old.id, replacement_id=new.id)
    assert lost.replaced_by == new.id and fusion.amount == 300
    with pytest.raises(CardLost):
        world.money.cards.declare_lost(
            old.id, replacement_id=world.money.cards.add(uid="04A1B2C5", number="3").id
        )


def test_a_lost_claimed_card_is_replaced_for_the_same_user(world):
    alice, bob = world.user("alice"), world.user("bob")
    old = world.money.cards.add(uid="04A1B2C3", number="1")
    world.money.refill(operation_id="r", wallet=WalletRef.card(old.id), asset_id=1, amount=300)
    world.money.cards.claim(old.id, alice.id)
    taken = world.money.cards.add(uid="04A1B2C5", number="3")
    world.money.cards.claim(taken.id, bob.id)
    with pytest.raises(CardAlreadyClaimed):
        world.money.cards.declare_lost(old.id, replacement_id=taken.id)
    with pytest.raises(InvalidInput):
        world.money.cards.declare_lost(old.id, replacement_id=old.id)
    new = world.money.cards.add(uid="04A1B2C4", number="2")
    lost, _ = world.money.cards.declare_lost(old.id, replacement_id=new.id)
    assert lost.lost
    replacement = world.money.cards.get(new.id)
    assert replacement.owner == alice.id
    assert world.money.cards.wallet_of(replacement) == alice
    assert world.balance(alice, world.primary) == 300  # never left alice's wallet


def test_a_lost_claimed_card_without_replacement_leaves_money_with_the_user(world):
    alice = world.user("alice")
    card = world.money.cards.add(uid="04A1B2C3", number="1")
    world.money.cards.claim(card.id, alice.id)
    world.money.correction(
        operation_id="c",
        debit=WalletRef.issuer(1),
        credit=WalletRef.card(card.id),
        asset_id=1,
        amount=40,
        reason="refill credited to the card itself",
        author="admin",
    )
    lost, fusion = world.money.cards.declare_lost(card.id)
    assert lost.lost and fusion.amount == 40
    assert world.balance(alice, world.primary) == 40


def test_staff_cards_open_points_of_sale_of_their_instances(world):
    card = world.money.cards.add(uid="04A1B2C3", number="1")
    staff = world.money.cards.set_primary(card.id, "bisik")
    staff = world.money.cards.set_primary(card.id, "goulues")
    assert staff.primary_for == ["bisik", "goulues"]
    assert world.money.cards.is_primary_for(staff, "bisik")
    assert not world.money.cards.is_primary_for(staff, "claf")
    assert [c.id for c in world.money.cards.primary_cards("bisik")] == [card.id]
    assert world.money.cards.set_primary(card.id, "bisik", enabled=False).primary_for == ["goulues"]
    assert world.money.cards.primary_cards("bisik") == []
    with pytest.raises(UnknownInstance):
        world.money.cards.set_primary(card.id, "nowhere")
    lost, _ = world.money.cards.declare_lost(card.id)
    assert not world.money.cards.is_primary_for(lost, "goulues")
    assert world.money.cards.primary_cards("goulues") == []


def test_paying_more_than_a_card_holds(world):
    card = world.money.cards.add(uid="04A1B2C3", number="1")
    wallet = WalletRef.card(card.id)
    world.money.refill(operation_id="r", wallet=wallet, asset_id=1, amount=100)
    with pytest.raises(InsufficientFunds) as info:
        world.money.sale(operation_id="s", payer=wallet, instance="bisik", amount=130)
    assert info.value.shortfall == 30 and info.value.wallet == wallet.owner


def test_claim_in_runs_inside_the_caller_s_write(world):
    card = world.money.cards.add(uid="04AABBCC", number="7001")
    world.fund(WalletRef.card(card.id), world.cla, 300)
    user = world.user("zoe")

    def claim_then_fail(tx):
        world.money.cards.claim_in(tx, card.id, user.id)
        raise RuntimeError("the caller's record failed")

    with pytest.raises(RuntimeError):
        world.store.write(claim_then_fail)
    assert world.money.cards.get(card.id).owner == ""
    assert world.balance(WalletRef.card(card.id), world.cla) == 300
    claimed, fused = world.store.write(lambda tx: world.money.cards.claim_in(tx, card.id, user.id))
    assert claimed.owner == user.id and fused is not None and fused.amount == 300
    assert world.balance(user, world.cla) == 300
    assert world.store.write(lambda tx: world.money.cards.claim_in(tx, card.id, user.id))[1] is None


def test_reads_inside_a_write_see_the_write_s_own_changes(world):
    alice = world.user("alice")

    def grant_and_read(tx):
        before = world.money.balance_in(tx.txn, alice, world.cla.id)
        assert world.money.operation_in(tx.txn, ActionKind.GRANT, "inside") is None
        world.money.grant_in(
            tx, operation_id="inside", wallet=alice, asset_id=world.cla.id, amount=250
        )
        done = world.money.operation_in(tx.txn, ActionKind.GRANT, "inside")
        return before, world.money.balance_in(tx.txn, alice, world.cla.id), done.amount

    assert world.store.write(grant_and_read) == (0, 250, 250)
