"""Taps in charge mode and through a plugin's mode: idempotent, atomic, in accepted assets.

The CLAF case of seed 000: the food fund ``claf`` issues CLA, the producer ``goulues``
accepted it; a beneficiary's card granted CLA pays the producer by tap; ``autre-ferme``, which
did not accept CLA, cannot be paid in CLA.
"""

from __future__ import annotations

import pytest

from core import hookimpl
from core.terminals import (
    ChargeStatus,
    TapConflict,
    TapOutcome,
    TapRequest,
    TapStatus,
    TerminalError,
)
from core.wallets import InsufficientFunds, WalletRef


def _tap(net, terminal, uid, tap_id, now):
    signed, _raw = terminal.parsed(b"{}", now=now)
    return net.taps.handle(signed, TapRequest(tap_id=tap_id, uid=uid))


@pytest.fixture
def beneficiary(net, claf):
    card = net.money.cards.add(uid="04:A1:B2:C3", number="0001")
    net.money.grant(
        operation_id="allocation-2026-11-0001", wallet=WalletRef.card(card.id),
        asset_id=claf.cla.id, amount=5000,
    )  # fmt: skip
    return card


def test_a_beneficiary_card_pays_the_producer_in_cla_by_tap(net, clock, claf, beneficiary, paired):
    stall = paired("goulues")
    charge = net.charges.ask("goulues", stall.terminal.id, amount=1250, label="Pâtes", by="u")
    assert charge.status == ChargeStatus.PENDING and charge.version == 1
    result = _tap(net, stall, "04a1b2c3", "tap-00000001", clock.now)
    assert not result.replayed
    outcome = result.outcome
    assert outcome.status == TapStatus.PAID and outcome.amount == 1250
    assert [(leg.asset_code, leg.amount) for leg in outcome.legs] == [("CLA", 1250)]
    assert outcome.operation == f"sale:tap:{stall.terminal.id}:tap-00000001"
    assert outcome.card_number == "0001"
    money = net.money
    assert money.balance(WalletRef.card(beneficiary.id), claf.cla.id) == 3750
    assert money.balance(WalletRef.instance("goulues"), claf.cla.id) == 1250
    assert money.instance_balances(claf.cla.id) == [("goulues", 1250)]
    after = net.charges.get("goulues", stall.terminal.id)
    assert after.status == ChargeStatus.PAID and after.paid_count == 1
    assert after.last_outcome == outcome and after.last_tap == "tap-00000001"
    seen = net.terminals.get(stall.terminal.id)
    assert seen.taps == 1 and seen.last_seen_at == clock.now
    assert [r.tap_id for r in net.taps.recent(stall.terminal.id)] == ["tap-00000001"]


def test_a_producer_that_did_not_accept_cla_cannot_be_paid_in_cla(
    net, clock, claf, beneficiary, paired
):
    stall = paired("autre-ferme")
    net.charges.ask("autre-ferme", stall.terminal.id, amount=1250)
    outcome = _tap(net, stall, "04A1B2C3", "tap-00000001", clock.now).outcome
    assert outcome.status == TapStatus.SHORTFALL
    assert (outcome.shortfall, outcome.asset_code) == (1250, "FED")  # only euros would do
    assert net.money.balance(WalletRef.card(beneficiary.id), claf.cla.id) == 5000
    assert net.money.balances(WalletRef.instance("autre-ferme")) == []
    charge = net.charges.get("autre-ferme", stall.terminal.id)
    assert charge.status == ChargeStatus.PENDING and charge.last_outcome == outcome


def test_a_retry_with_the_same_tap_id_never_charges_twice(net, clock, claf, beneficiary, paired):
    stall = paired("goulues")
    net.charges.ask("goulues", stall.terminal.id, amount=1000, repeat=True)
    first = _tap(net, stall, "04A1B2C3", "tap-retry-1", clock.now)
    clock.now += 5  # the terminal timed out and signs the same tap again
    again = _tap(net, stall, "04A1B2C3", "tap-retry-1", clock.now)
    assert again.replayed and again.outcome == first.outcome
    assert net.taps.get(stall.terminal.id, "tap-retry-1").outcome == first.outcome
    assert net.money.balance(WalletRef.card(beneficiary.id), claf.cla.id) == 4000
    with pytest.raises(TapConflict):
        _tap(net, stall, "0102030405060708", "tap-retry-1", clock.now)
    assert net.terminals.get(stall.terminal.id).taps == 1
    third = _tap(net, stall, "04A1B2C3", "tap-retry-2", clock.now)  # a new tap: a new sale
    assert third.outcome.status == TapStatus.PAID
    assert net.charges.get("goulues", stall.terminal.id).paid_count == 2


def test_nothing_waiting_unknown_and_lost_cards(net, clock, claf, beneficiary, paired):
    stall = paired("goulues")
    assert _tap(net, stall, "04A1B2C3", "tap-idle-01", clock.now).outcome.status == "idle"
    net.charges.ask("goulues", stall.terminal.id, amount=100)
    unknown = _tap(net, stall, "DEADBEEF", "tap-unknown", clock.now).outcome
    assert unknown.status == TapStatus.UNKNOWN_CARD
    net.money.cards.declare_lost(beneficiary.id)
    lost = _tap(net, stall, "04A1B2C3", "tap-lost-01", clock.now).outcome
    assert lost.status == TapStatus.CARD_LOST and lost.card_number == "0001"
    assert net.charges.get("goulues", stall.terminal.id).status == ChargeStatus.PENDING
    net.charges.cancel("goulues", stall.terminal.id)
    assert _tap(net, stall, "04A1B2C3", "tap-after-1", clock.now).outcome.status == "idle"
    with pytest.raises(TerminalError) as bad:
        _tap(net, stall, "XYZ", "tap-bad-uid", clock.now)
    assert bad.value.field == "uid"
    with pytest.raises(TerminalError) as short_id:
        _tap(net, stall, "04A1B2C3", "short", clock.now)
    assert short_id.value.field == "tap_id"


def test_charges_check_the_amount_the_terminal_and_its_mode(net, claf, paired):
    stall = paired("goulues")
    for amount in (0, -5, 12.5, "10", True, 1_000_001):
        with pytest.raises(TerminalError) as bad:
            net.charges.ask("goulues", stall.terminal.id, amount=amount)
        assert bad.value.field == "amount"
    with pytest.raises(TerminalError) as other:
        net.charges.ask("claf", stall.terminal.id, amount=100)
    assert other.value.field == "terminal"
    with pytest.raises(TerminalError) as label:
        net.charges.ask("goulues", stall.terminal.id, amount=100, label="x" * 81)
    assert label.value.field == "label"
    assert net.charges.get("goulues", stall.terminal.id).status == ChargeStatus.IDLE


class CheckIn:
    """A throwaway plugin offering the mode ``checkin``; it records and pays nothing."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail_with_shortfall = False

    @hookimpl
    def register_terminal_modes(self, instance, register):
        register("checkin", "Check-in", href="/entree/{terminal}", order=20)

    @hookimpl
    def on_card_tap(self, tx, tap, network):
        if tap.terminal.mode != "checkin":
            return None
        self.calls.append(tap.tap_id)
        network.money.grant_in(
            tx, operation_id=tap.operation_id, wallet=WalletRef.instance(tap.instance.slug),
            asset_id=1, amount=1,
        )  # fmt: skip
        if self.fail_with_shortfall:
            raise InsufficientFunds(shortfall=7, asset=1, wallet="card:x", available=0)
        return TapOutcome(status="checked_in", message="welcome", data={"seat": "A1"})


def test_a_plugin_mode_gets_taps_only_where_enabled(net, clock, claf, paired):
    plugin = CheckIn()
    net.plugins.register(plugin, "checkin")
    goulues = net.instances.get("goulues")
    assert "checkin" not in {m.key for m in net.terminal_modes(goulues)}
    net.instances.set_plugin("goulues", "checkin", True)
    goulues = net.instances.get("goulues")
    modes = net.terminal_modes(goulues)
    assert [m.key for m in modes] == ["charge", "checkin"]
    assert modes[1].href_for("trm_x") == "/entree/trm_x"
    gate = paired("goulues", mode="checkin", name="Entrée")
    outcome = _tap(net, gate, "04A1B2C3", "tap-checkin1", clock.now).outcome
    assert (outcome.status, outcome.data) == ("checked_in", {"seat": "A1"})
    assert net.money.balance(WalletRef.instance("goulues"), 1) == 1
    plugin.fail_with_shortfall = True
    refused = _tap(net, gate, "04A1B2C3", "tap-checkin2", clock.now).outcome
    assert refused.status == TapStatus.SHORTFALL and refused.shortfall == 7
    assert net.money.balance(WalletRef.instance("goulues"), 1) == 1  # its grant was undone
    net.instances.set_plugin("goulues", "checkin", False)
    gone = _tap(net, gate, "04A1B2C3", "tap-checkin3", clock.now).outcome
    assert gone.status == TapStatus.UNAVAILABLE
    assert plugin.calls == ["tap-checkin1", "tap-checkin2"]  # never called once disabled
