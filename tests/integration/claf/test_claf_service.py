"""The CLAF's rules, through its services, on a real store: set-up, allocations, payments,
remittances, the breakdown by place and what a producer sees."""

from __future__ import annotations

import datetime
import threading

import pytest

from core import Instance, InstanceKind
from core.wallets import (
    ActionKind,
    AssetNotAccepted,
    DuplicateAssetCode,
    InsufficientFunds,
    InvalidInput,
    OperationConflict,
    WalletRef,
)
from plugins.claf.amounts import month_of, next_month
from plugins.claf.errors import BalanceChanged, ClafError, NotReady
from plugins.claf.service import allocation_operation_id, new_token

TODAY = datetime.date.today()
THIS_MONTH = month_of(TODAY)
GOULUES = WalletRef.instance("goulues")


def transfers(world) -> int:
    """How many transfers the ledger holds."""
    return world.network.ledger.verify().transfers


# -- set-up --------------------------------------------------------------------------------


def test_setup_creates_the_asset_and_the_fund_once(claf_world):
    net = claf_world.network
    net.instances.create(Instance(slug="caisse-3", name="Caisse 3", kind=InstanceKind.FOOD_FUND))
    node = net.instances.get("caisse-3")
    assert claf_world.claf.setup_path(node) == "/claf/mise-en-place"
    fund, created = claf_world.claf.setup("caisse-3", name=" Outils ", code="otl", author="a@b.fr")
    assert created
    asset = net.money.assets.get(fund.asset_id)
    assert (asset.code, asset.name, asset.category, asset.issuer) == (
        "OTL",
        "Outils",
        "fiat",
        "caisse-3",
    )
    assert asset.decimals == 2
    again, created_again = claf_world.claf.setup("caisse-3", name="X", code="XXX", author="a")
    assert not created_again and again == fund
    assert net.money.assets.by_code("XXX") is None
    assert claf_world.claf.setup_path(node) is None
    assert claf_world.claf.setup_path(net.instances.get("goulues")) is None


def test_setup_refuses_what_is_not_a_food_fund_and_bad_codes_writing_nothing(claf_world):
    net = claf_world.network
    with pytest.raises(NotReady) as caught:
        claf_world.claf.setup("goulues", name="Outils", code="GOU", author="a")
    assert caught.value.reason == "not_a_fund"
    net.instances.create(Instance(slug="caisse-3", name="Caisse 3", kind=InstanceKind.FOOD_FUND))
    assets_before = len(net.money.assets.all())
    with pytest.raises(DuplicateAssetCode):
        claf_world.claf.setup("caisse-3", name="Outils", code="CLA", author="a")
    with pytest.raises(InvalidInput) as bad:
        claf_world.claf.setup("caisse-3", name="Outils", code="C1", author="a")
    assert bad.value.field == "code"
    with pytest.raises(InvalidInput) as bad_name:
        claf_world.claf.setup("caisse-3", name="  ", code="CCC", author="a")
    assert bad_name.value.field == "name"
    assert len(net.money.assets.all()) == assets_before
    assert claf_world.claf.fund_of("caisse-3") is None
    with pytest.raises(NotReady) as unset:
        claf_world.claf.require_fund("caisse-3")
    assert unset.value.reason == "not_set_up"


# -- allocations ---------------------------------------------------------------------------


def test_allocation_grants_each_active_beneficiary_once_per_month(claf_world):
    alice = claf_world.beneficiary("alice@example.org", "50,00")
    bob = claf_world.beneficiary("bob@example.org", "80.50")
    carol = claf_world.beneficiary("carol@example.org", "20")
    claf_world.claf.beneficiaries.set_active("claf", carol.id, False)
    first = claf_world.claf.allocate("claf", THIS_MONTH, author="admin@claf.fr")
    assert {(line.email, line.status, line.amount) for line in first.lines} == {
        ("alice@example.org", "granted", 5000),
        ("bob@example.org", "granted", 8050),
        ("carol@example.org", "stopped", 2000),
    }
    assert first.granted_total == 13050
    count = transfers(claf_world)
    second = claf_world.claf.allocate("claf", THIS_MONTH, author="someone-else")
    assert {line.status for line in second.of("already_granted")} == {"already_granted"}
    assert len(second.of("already_granted")) == 2 and second.granted_total == 0
    assert transfers(claf_world) == count
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 5000
    assert claf_world.balance(WalletRef.user(bob.user_id)) == 8050
    assert claf_world.balance(WalletRef.user(carol.user_id)) == 0
    operation = claf_world.network.money.operation(
        ActionKind.GRANT, allocation_operation_id("claf", alice.id, THIS_MONTH)
    )
    assert operation.amount == 5000 and operation.author == "admin@claf.fr"
    # another month is another grant
    last = month_of(TODAY.replace(day=1) - datetime.timedelta(days=1))
    assert claf_world.claf.allocate("claf", last, author="a").granted_total == 13050
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 10000


def test_a_changed_allocation_does_not_grant_the_same_month_twice(claf_world):
    alice = claf_world.beneficiary("alice@example.org", "50,00")
    claf_world.claf.allocate("claf", THIS_MONTH, author="a")
    claf_world.claf.beneficiaries.edit("claf", alice.id, card_number="", monthly_allocation="70,00")
    report = claf_world.claf.allocate("claf", THIS_MONTH, author="a")
    (line,) = report.lines
    assert (line.status, line.amount) == ("already_granted", 5000)
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 5000


def test_concurrent_allocation_runs_grant_once(claf_world):
    people = [claf_world.beneficiary(f"p{i}@example.org", "10,00") for i in range(25)]
    reports = []
    start = threading.Barrier(4)

    def run() -> None:
        start.wait()
        reports.append(claf_world.claf.allocate("claf", THIS_MONTH, author="a"))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    granted = [line for report in reports for line in report.of("granted")]
    assert sorted(line.email for line in granted) == sorted(p.email for p in people)
    assert sum(len(r.of("already_granted")) for r in reports) == 3 * len(people)
    for person in people:
        assert claf_world.balance(WalletRef.user(person.user_id)) == 1000
    assert claf_world.network.money.outstanding(claf_world.cla.id) == 25 * 1000


def test_allocation_months_are_checked(claf_world):
    claf_world.beneficiary("alice@example.org")
    for bad in ("2026-13", "mars", ""):
        with pytest.raises(ClafError) as caught:
            claf_world.claf.allocate("claf", bad, author="a")
        assert caught.value.field == "month"
    too_far = next_month(next_month(THIS_MONTH))
    with pytest.raises(ClafError):
        claf_world.claf.allocate("claf", too_far, author="a")
    assert claf_world.claf.allocate("claf", next_month(THIS_MONTH), author="a").granted_total
    with pytest.raises(NotReady):
        claf_world.claf.allocate("goulues", THIS_MONTH, author="a")


def test_an_archived_asset_fails_each_grant_and_moves_nothing(claf_world):
    claf_world.beneficiary("alice@example.org")
    claf_world.network.money.assets.archive(claf_world.cla.id, by_instance="claf")
    report = claf_world.claf.allocate("claf", THIS_MONTH, author="a")
    (line,) = report.lines
    assert (line.status, line.detail) == ("failed", "asset_archived")
    assert claf_world.network.money.outstanding(claf_world.cla.id) == 0
    claf_world.network.money.assets.archive(claf_world.cla.id, by_instance="claf", archived=False)


# -- paying producers ----------------------------------------------------------------------


def test_only_producers_that_accepted_cla_can_be_paid(claf_world):
    alice = claf_world.beneficiary("alice@example.org")
    claf_world.give(alice, 5000)
    claf_world.pay(alice, "goulues", 1250)
    assert claf_world.balance(GOULUES) == 1250
    for place in ("cidrerie", "bisik", "autre-caisse"):
        with pytest.raises(AssetNotAccepted):
            claf_world.pay(alice, place, 100)
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 3750


def test_paying_more_than_the_balance_is_refused_with_the_shortfall(claf_world):
    alice = claf_world.beneficiary("alice@example.org")
    claf_world.give(alice, 1000)
    count = transfers(claf_world)
    with pytest.raises(InsufficientFunds) as caught:
        claf_world.pay(alice, "goulues", 1250)
    assert caught.value.shortfall == 250
    assert caught.value.available == 1000
    assert transfers(claf_world) == count
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 1000
    assert claf_world.balance(GOULUES) == 0


# -- remittances ---------------------------------------------------------------------------


def _funded(world, cents: int = 4500):
    alice = world.beneficiary("alice@example.org")
    world.give(alice, 10000)
    world.pay(alice, "goulues", cents)
    return alice


def remit(world, amount: int, token: str, **changes):
    fields = {
        "producer": "goulues",
        "amount": amount,
        "bank_reference": "VIR-0001",
        "bank_date": TODAY.isoformat(),
        "author": "tresorier@claf.fr",
        "token": token,
        **changes,
    }
    return world.claf.remit("claf", **fields)


def test_a_remittance_zeroes_the_whole_balance_and_keeps_its_record(claf_world):
    _funded(claf_world)
    assert claf_world.network.money.outstanding(claf_world.cla.id) == 10000
    stats = claf_world.network.store.stats
    commits = stats.write_transactions
    operation = remit(claf_world, 4500, new_token())
    assert stats.write_transactions == commits + 1  # check, transfer and record: one write
    assert operation.amount == 4500 and not operation.replayed
    assert claf_world.balance(GOULUES) == 0
    assert claf_world.network.money.outstanding(claf_world.cla.id) == 5500
    (record,) = claf_world.claf.remittances("claf")
    assert (record.instance, record.amount, record.bank_reference) == ("goulues", 4500, "VIR-0001")
    assert (record.bank_date, record.author) == (TODAY.isoformat(), "tresorier@claf.fr")
    assert claf_world.claf.remittances("claf", producer="ferme") == []


def test_a_replayed_remittance_is_recorded_once(claf_world):
    _funded(claf_world)
    token = new_token()
    first = remit(claf_world, 4500, token)
    count = transfers(claf_world)
    again = remit(claf_world, 4500, token)
    assert again.replayed and again.key == first.key
    assert transfers(claf_world) == count
    assert len(claf_world.claf.remittances("claf")) == 1
    with pytest.raises(OperationConflict):
        remit(claf_world, 4500, token, bank_reference="VIR-0002")


def test_a_double_click_at_once_records_one_remittance(claf_world):
    _funded(claf_world)
    token = new_token()
    outcomes: list[object] = []
    start = threading.Barrier(8)

    def click() -> None:
        start.wait()
        outcomes.append(remit(claf_world, 4500, token))

    threads = [threading.Thread(target=click) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 8
    assert sum(1 for o in outcomes if not o.replayed) == 1
    assert len(claf_world.claf.remittances("claf")) == 1
    assert claf_world.balance(GOULUES) == 0


def test_two_forms_for_the_same_balance_remit_it_once(claf_world):
    _funded(claf_world)
    remit(claf_world, 4500, new_token())
    with pytest.raises(BalanceChanged) as caught:
        remit(claf_world, 4500, new_token(), bank_reference="VIR-0002")
    assert caught.value.current == 0
    assert len(claf_world.claf.remittances("claf")) == 1


def test_the_balance_is_rechecked_at_commit_and_nothing_moves_if_it_changed(claf_world):
    alice = _funded(claf_world)
    claf_world.pay(alice, "goulues", 500)  # a payment arrives after the page was shown
    count = transfers(claf_world)
    with pytest.raises(BalanceChanged) as caught:
        remit(claf_world, 4500, new_token())
    assert (caught.value.shown, caught.value.current) == (4500, 5000)
    assert transfers(claf_world) == count
    assert claf_world.claf.remittances("claf") == []
    assert claf_world.balance(GOULUES) == 5000


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bank_reference": "  "}, "bank_reference"),
        ({"bank_reference": "x" * 201}, "bank_reference"),
        ({"bank_date": "31/12/2025"}, "bank_date"),
        ({"bank_date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "bank_date"),
        ({"token": "short"}, "token"),
        ({"producer": "claf"}, "producer"),
        ({"producer": "nowhere"}, "producer"),
        ({"amount": 0}, "amount"),
    ],
)
def test_bad_remittances_name_the_field_and_write_nothing(claf_world, changes, field):
    _funded(claf_world)
    count = transfers(claf_world)
    with pytest.raises(ClafError) as caught:
        remit(claf_world, changes.pop("amount", 4500), changes.pop("token", new_token()), **changes)
    assert caught.value.field == field
    assert transfers(claf_world) == count
    assert claf_world.claf.remittances("claf") == []


# -- the treasurer's and the producer's views -----------------------------------------------


def test_the_breakdown_lists_places_that_accepted_or_still_hold_the_asset(claf_world):
    alice = _funded(claf_world, 4500)
    claf_world.pay(alice, "ferme", 700)
    rows = {p.slug: p for p in claf_world.claf.places("claf")}
    assert set(rows) == {"goulues", "ferme"}  # not the fund, not the pending nor the venue
    assert (rows["goulues"].balance, rows["goulues"].status) == (4500, "accepted")
    assert rows["goulues"].name == "Les Goulues, Pâtes du Cotentin"
    money = claf_world.network.money
    money.federations.revoke(claf_world.cla.id, "ferme", by_instance="claf", author="a")
    money.federations.leave(claf_world.cla.id, "goulues", author="b")
    after = {p.slug: p for p in claf_world.claf.places("claf")}
    assert (after["ferme"].balance, after["ferme"].status) == (700, "revoked")
    assert after["goulues"].status == "left"
    remit(claf_world, 4500, new_token())  # still remitted after leaving
    assert {p.slug for p in claf_world.claf.places("claf")} == {"ferme"}


def test_a_producer_sees_its_funds_payments_by_period_and_remittances(claf_world):
    alice = _funded(claf_world, 1250)
    claf_world.pay(alice, "goulues", 300)
    funds = claf_world.claf.funds_of_place("goulues")
    assert [(f.slug, a.code, status) for f, a, status in funds] == [("claf", "CLA", "accepted")]
    assert [status for _f, _a, status in claf_world.claf.funds_of_place("cidrerie")] == ["pending"]
    assert claf_world.claf.funds_of_place("bisik") == []
    payments = claf_world.claf.payments_received("goulues", claf_world.cla.id, TODAY, TODAY)
    assert [p.amount for p in payments] == [300, 1250]  # newest first
    assert payments[0].date == TODAY.isoformat()
    yesterday = TODAY - datetime.timedelta(days=1)
    assert (
        claf_world.claf.payments_received("goulues", claf_world.cla.id, yesterday, yesterday) == []
    )
    remit(claf_world, 1550, new_token())
    received = claf_world.claf.payments_received("goulues", claf_world.cla.id, TODAY, TODAY)
    assert [p.amount for p in received] == [300, 1250]  # the remittance is not a payment
