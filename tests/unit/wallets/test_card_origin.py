"""Cards remember which instance imported them; a claim by printed number never takes money."""

from __future__ import annotations

import pytest

from core.wallets import CardHoldsMoney, WalletRef


def test_imported_cards_remember_the_importing_instance(world):
    report = world.money.import_cards("04A1B2C3,0001\n04A1B2C4,0002\n", by_instance="bisik")
    assert report.imported == 2
    assert {c.imported_by for c in report.cards} == {"bisik"}
    assert {c.number for c in world.money.cards.imported_by("bisik")} == {"0001", "0002"}
    assert world.money.cards.imported_by("claf") == []
    assert world.money.cards.imported_by("") == []
    world.money.import_cards("04A1B2C5,0003\n")
    assert len(world.money.cards.imported_by("bisik")) == 2
    assert len(world.money.cards.imported_by("bisik", limit=1)) == 1


def test_a_claim_only_if_empty_refuses_a_card_holding_money(world):
    card = world.money.cards.add(uid="04A1B2C3", number="0001")
    alice = world.user("alice")
    world.fund(WalletRef.card(card.id), world.primary, 500)
    assert world.money.cards.holds_money(card)
    with pytest.raises(CardHoldsMoney):
        world.money.cards.claim(card.id, alice.id, only_if_empty=True)
    assert world.money.cards.get(card.id).owner == ""
    assert world.balance(WalletRef.card(card.id), world.primary) == 500
    claimed, fused = world.money.cards.claim(card.id, alice.id)  # through its QR code
    assert claimed.owner == alice.id and fused is not None
    assert world.balance(alice, world.primary) == 500


def test_a_claim_only_if_empty_takes_an_empty_card(world):
    card = world.money.cards.add(uid="04A1B2C3", number="0001")
    alice = world.user("alice")
    assert not world.money.cards.holds_money(card)
    claimed, _ = world.money.cards.claim(card.id, alice.id, only_if_empty=True)
    assert claimed.owner == alice.id
