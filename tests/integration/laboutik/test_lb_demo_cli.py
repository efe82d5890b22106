"""The demo's bar and the ``tirelire laboutik`` commands."""

from __future__ import annotations

import json

from click.testing import CliRunner

from core import Network, load_settings
from core.terminals import read_state
from core.terminals.signing import private_key_from_text, public_key_text
from hosts.cli import build_cli
from hosts.demo import ensure_demo
from plugins.laboutik.demo import DEMO_CARDS, DEMO_TERMINAL, DEMO_TERMINAL_STATE, VENUE
from plugins.laboutik.service import laboutik_of


def test_the_demo_venue_has_a_bar_sales_and_a_closed_day(tmp_path):
    settings, created = ensure_demo(tmp_path / "demo")
    assert created
    with Network.open(settings) as network:
        assert "laboutik" in network.instances.get(VENUE).enabled_plugins
        lb = laboutik_of(network)
        (bar,) = lb.catalog.points(VENUE)
        menu = {c.name: [a.name for a in items] for c, items in lb.catalog.menu(VENUE, bar.id)}
        assert set(menu) == {"Bières", "Softs", "Cuisine"}
        assert lb.orders.session(VENUE, bar.id).card_id  # opened with the staff card
        (closure,) = lb.closures.closed(VENUE)
        report = closure.report
        assert report.orders == 3 and report.sales_total == 4400
        assert {line.key: line.amount for line in report.by_method}["cash"] > 0  # a split
        assert report.refills_total == 6000 and report.bonuses[0].amount == 500
        assert lb.closures.preview(VENUE).orders == 2
        staff = network.money.cards.by_uid(DEMO_CARDS[0][0])
        assert network.money.cards.is_primary_for(staff, VENUE)
        ((terminal, link),) = lb.terminals.of_point(VENUE, bar.id)  # the simulated terminal
        assert (terminal.name, terminal.mode) == (DEMO_TERMINAL, "cash_register")
        waiting = lb.orders.get(VENUE, link.order_id)  # a lemonade waits for a card on it
        assert waiting.total == 250 and waiting.status == "open"
        state = read_state(settings.data_path / DEMO_TERMINAL_STATE)
        assert state.terminal_id == terminal.id and state.instance == VENUE
        assert state.server == "http://le-bisik.localhost:8000"
        assert public_key_text(private_key_from_text(state.private_key)) == terminal.public_key
        assert network.money.check_invariants().ok


def test_close_and_bench_commands(tmp_path):
    settings, _ = ensure_demo(tmp_path / "demo")
    with Network.open(settings) as network:
        cli = build_cli(network.plugins)
    runner = CliRunner()
    data = str(tmp_path / "demo")
    result = runner.invoke(cli, ["laboutik", "close", "--data", data, "--instance", VENUE])
    assert result.exit_code == 0, result.output
    assert "nothing to close" in result.output
    result = runner.invoke(cli, ["laboutik", "close", "--data", data, "--instance", VENUE, "--now"])
    assert result.exit_code == 0 and result.output.startswith("Z2 ")
    result = runner.invoke(cli, ["laboutik", "close", "--data", data, "--instance", "nowhere"])
    assert result.exit_code != 0 and "no instance" in result.output
    result = runner.invoke(cli, ["laboutik", "bench", "--orders", "20", "--threads", "2", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["orders"] == 20 and figures["invariants_ok"] and figures["p99_ms"] > 0
    with Network.open(load_settings(data)) as network:
        assert [c.number for c in laboutik_of(network).closures.closed(VENUE)] == [2, 1]
