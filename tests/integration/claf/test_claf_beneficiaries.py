"""Beneficiaries: registered one by one or from CSV, with cards, edited, stopped."""

from __future__ import annotations

import pytest

from core.wallets import WalletRef
from plugins.claf.beneficiaries import MAX_ROWS
from plugins.claf.errors import ClafError, NotReady


def test_registering_creates_the_account_from_the_e_mail(claf_world):
    accounts = claf_world.network.accounts
    assert accounts.user_by_email("camille@example.org") is None
    camille = claf_world.beneficiary(" Camille@Example.org ", "50,00")
    user = accounts.user_by_email("camille@example.org")
    assert user is not None and camille.user_id == user.id
    assert (camille.email, camille.monthly_allocation, camille.active) == (
        "camille@example.org", 5000, True,
    )  # fmt: skip
    assert camille.author == "test"
    assert claf_world.claf.beneficiaries.of_fund("claf") == [camille]
    assert claf_world.claf.beneficiaries.of_fund("autre-caisse") == []
    # an existing account is reused, also by another fund
    other = claf_world.beneficiary("camille@example.org", "10,00", fund="autre-caisse")
    assert other.user_id == user.id


def test_a_card_number_claims_the_card_and_moves_its_balance(claf_world):
    money = claf_world.network.money
    card = money.cards.add(uid="04:A1:B2:C3", number="0042")
    money.grant(operation_id="card-gift", wallet=WalletRef.card(card.id),
                asset_id=claf_world.cla.id, amount=700)  # fmt: skip
    camille = claf_world.beneficiary("camille@example.org", "50,00", card="0042")
    assert camille.card_id == card.id and camille.card_number == "0042"
    assert money.cards.get(card.id).owner == camille.user_id
    assert claf_world.balance(WalletRef.user(camille.user_id)) == 700
    assert claf_world.balance(WalletRef.card(card.id)) == 700  # a claimed card is a key


@pytest.mark.parametrize(
    ("email", "card", "allocation", "field"),
    [
        ("not-an-email", "", "50,00", "email"),
        ("a@example.org", "", "cinquante", "monthly_allocation"),
        ("a@example.org", "", "0,00", "monthly_allocation"),
        ("a@example.org", "9999", "50,00", "card_number"),
        ("a@example.org", "x" * 41, "50,00", "card_number"),
    ],
)
def test_bad_registrations_name_the_field_and_write_nothing(
    claf_world, email, card, allocation, field
):
    with pytest.raises(ClafError) as caught:
        claf_world.beneficiary(email, allocation, card=card)
    assert caught.value.field == field
    assert claf_world.claf.beneficiaries.of_fund("claf") == []
    assert claf_world.network.accounts.user_by_email("a@example.org") is None


def test_cards_of_someone_else_or_lost_are_refused(claf_world):
    money = claf_world.network.money
    taken = money.cards.add(uid="04A1B2C4", number="0001")
    lost = money.cards.add(uid="04A1B2C5", number="0002")
    money.cards.claim(taken.id, claf_world.user("dominique@example.org").id)
    money.cards.declare_lost(lost.id)
    for number, message in (("0001", "someone else"), ("0002", "lost")):
        with pytest.raises(ClafError) as caught:
            claf_world.beneficiary("camille@example.org", card=number)
        assert caught.value.field == "card_number" and message in caught.value.message
    assert claf_world.network.accounts.user_by_email("camille@example.org") is None
    # the card's own holder may be registered with it
    assert claf_world.beneficiary("dominique@example.org", card="0001").card_id == taken.id


def test_a_person_is_registered_once_per_fund(claf_world):
    claf_world.beneficiary("camille@example.org")
    with pytest.raises(ClafError) as caught:
        claf_world.beneficiary("CAMILLE@example.org", "80,00")
    assert caught.value.field == "email"
    assert len(claf_world.claf.beneficiaries.of_fund("claf")) == 1


def test_only_a_set_up_food_fund_has_beneficiaries(claf_world):
    with pytest.raises(NotReady):
        claf_world.beneficiary("camille@example.org", fund="goulues")


def test_editing_changes_the_allocation_and_the_card(claf_world):
    money = claf_world.network.money
    card = money.cards.add(uid="04A1B2C6", number="0007")
    camille = claf_world.beneficiary("camille@example.org", "50,00")
    beneficiaries = claf_world.claf.beneficiaries
    changed = beneficiaries.edit("claf", camille.id, card_number="0007", monthly_allocation="65,5")
    assert (changed.monthly_allocation, changed.card_id) == (6550, card.id)
    assert money.cards.get(card.id).owner == camille.user_id
    cleared = beneficiaries.edit("claf", camille.id, card_number="", monthly_allocation=6550)
    assert (cleared.card_number, cleared.card_id) == ("", "")
    assert money.cards.get(card.id).owner == camille.user_id  # a claimed card stays theirs
    with pytest.raises(ClafError):
        beneficiaries.edit("claf", camille.id, card_number="", monthly_allocation="-1")
    with pytest.raises(ClafError):
        beneficiaries.edit("autre-caisse", camille.id, card_number="", monthly_allocation="1")
    assert beneficiaries.get("claf", camille.id).monthly_allocation == 6550
    assert beneficiaries.get("autre-caisse", camille.id) is None


def test_stopping_and_restarting(claf_world):
    camille = claf_world.beneficiary("camille@example.org")
    beneficiaries = claf_world.claf.beneficiaries
    stopped = beneficiaries.set_active("claf", camille.id, False)
    assert not stopped.active and stopped.stopped_at > 0
    assert beneficiaries.set_active("claf", camille.id, False) == stopped
    restarted = beneficiaries.set_active("claf", camille.id, True)
    assert restarted.active and restarted.stopped_at == 0
    with pytest.raises(ClafError):
        beneficiaries.set_active("autre-caisse", camille.id, False)


def test_csv_import_reports_every_rejected_line_and_imports_the_rest(claf_world):
    money = claf_world.network.money
    money.cards.add(uid="04A1B2C7", number="0100")
    lost = money.cards.add(uid="04A1B2C8", number="0101")
    money.cards.declare_lost(lost.id)
    claf_world.beneficiary("deja@example.org")
    text = "\ufeff" + "\n".join(
        [
            "Email;Carte;Allocation",
            "camille@example.org;0100;50,00",
            "dominique@example.org;;80,00",
            "",
            "pas-un-mail;;50,00",
            "eve@example.org;;cinquante",
            "frank@example.org;9999;50,00",
            "gaby@example.org;0101;50,00",
            "camille@example.org;;10,00",
            "deja@example.org;;50,00",
            "trop;de;colonnes;ici",
            "hugo@example.org;20",
            "ines@example.org;0100;30,00",
        ]
    )
    report = claf_world.claf.beneficiaries.import_csv("claf", text, author="admin@claf.fr")
    assert sorted(b.email for b in report.imported) == [
        "camille@example.org", "dominique@example.org", "hugo@example.org",
    ]  # fmt: skip
    assert [(r.line, r.reason) for r in report.rejected] == [
        (5, "bad_email"),
        (6, "bad_amount"),
        (7, "unknown_card"),
        (8, "card_lost"),
        (9, "duplicate_in_file"),
        (10, "already_registered"),
        (11, "bad_row"),
        (13, "duplicate_in_file"),
    ]
    found = {b.email: b for b in claf_world.claf.beneficiaries.of_fund("claf")}
    assert found["hugo@example.org"].monthly_allocation == 2000
    assert found["camille@example.org"].card_number == "0100"
    assert found["dominique@example.org"].author == "admin@claf.fr"
    again = claf_world.claf.beneficiaries.import_csv("claf", text, author="a")
    assert again.imported == []
    assert {r.reason for r in again.rejected if r.line in (2, 3, 12)} == {"already_registered"}


def test_csv_import_with_commas_and_the_row_limit(claf_world):
    text = 'email,card,allocation\ncamille@example.org,,50.00\ndominique@example.org,,"80,00"\n'
    report = claf_world.claf.beneficiaries.import_csv("claf", text, author="a")
    assert [b.monthly_allocation for b in report.imported] == [5000, 8000]
    assert report.rejected == []
    ambiguous = claf_world.claf.beneficiaries.import_csv(
        "claf", "eve@example.org,,50,00", author="a"
    )
    assert [(r.line, r.reason) for r in ambiguous.rejected] == [(1, "bad_row")]
    huge = "\n".join(f"p{i}@example.org;;1" for i in range(MAX_ROWS + 1))
    with pytest.raises(ClafError) as caught:
        claf_world.claf.beneficiaries.import_csv("claf", huge, author="a")
    assert caught.value.field == "file"
    assert len(claf_world.claf.beneficiaries.of_fund("claf")) == 2
