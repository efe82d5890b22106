"""The terminal host's parts that need no server: state file, addresses, devices, reports."""

from __future__ import annotations

import json

import pytest

from hosts.nfc.client import TerminalClient, normalize_server
from hosts.nfc.errors import HostError
from hosts.nfc.host import TapReport, describe
from hosts.nfc.reader import CardReader, check_device, check_targets
from hosts.nfc.state import TerminalState, default_state_path, load_state, save_state


def test_the_state_file_is_private_atomic_and_checked(tmp_path):
    path = tmp_path / "deep" / "terminal.json"
    assert load_state(path) is None
    save_state(path, TerminalState(server="http://a.localhost:8000", private_key="k"))
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert load_state(path).server == "http://a.localhost:8000"
    assert json.loads(path.read_text())["version"] == 1
    assert [p.name for p in path.parent.iterdir()] == ["terminal.json"]  # no temporary left
    path.write_text("{broken")
    with pytest.raises(HostError, match="damaged"):
        load_state(path)


def test_where_the_state_lives(monkeypatch, tmp_path):
    monkeypatch.setenv("TIRELIRE_NFC_STATE", str(tmp_path / "x.json"))
    assert default_state_path() == tmp_path / "x.json"
    monkeypatch.delenv("TIRELIRE_NFC_STATE")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_state_path() == tmp_path / "tirelire" / "terminal.json"


def test_server_addresses():
    assert normalize_server("HTTP://Le-Bisik.Localhost:8000/") == "http://le-bisik.localhost:8000"
    for bad in ("le-bisik.localhost", "ftp://x", "http://x/chemin", "http://x:port"):
        with pytest.raises(HostError, match="--server"):
            normalize_server(bad)
    local = TerminalClient("http://le-bisik.localhost:8000")
    assert (local.connect_to, local.port, local.host_header) == (
        "127.0.0.1", 8000, "le-bisik.localhost:8000",
    )  # fmt: skip
    remote = TerminalClient("https://le-bisik.tibillet.coop")
    assert (remote.connect_to, remote.port) == ("le-bisik.tibillet.coop", 443)


def test_the_client_learns_the_server_clock():
    client = TerminalClient("http://a.localhost:1", clock=lambda: 1000.0)
    client.learn_time(1090.5)
    assert client.now() == 1090.5
    client.learn_time("not a time")
    assert client.now() == 1090.5


def test_devices_and_targets():
    for good in ("usb", "usb:054c:06c3", "usb:001:023", "tty:USB0:pn532", "udp:127.0.0.1:54321"):
        assert check_device(good) == good
    for bad in ("", "floppy", "usb:nope:x:y", "udp:host:port"):
        with pytest.raises(HostError, match="unknown device"):
            check_device(bad)
    assert check_targets("106a, 212F") == ("106A", "212F")
    with pytest.raises(HostError, match="--targets"):
        check_targets("999Z")


def test_a_missing_reader_is_one_clear_error():
    with pytest.raises(HostError, match="no card reader found at 'tty:ttyNOPE0:pn532'"):
        CardReader("tty:ttyNOPE0:pn532").open()


def test_what_each_tap_prints():
    paid = TapReport(
        tap_id="t", uid="04A1B2C3", status="paid", latency_ms=12.4, attempts=3, replayed=True,
        outcome={"amount": 1250, "card_number": "0001", "legs": [
            {"asset_code": "CLA", "amount": 1000, "decimals": 2},
            {"asset_code": "FED", "amount": 250, "decimals": 2},
        ]},
    )  # fmt: skip
    assert describe(paid) == (
        "card 04A1B2C3 (no 0001): PAID 12.50 (CLA 10.00 + FED 2.50) "
        "[12 ms, 3 attempts, answer of an earlier attempt]"
    )
    short = TapReport(tap_id="t", uid="X", status="shortfall",
                      outcome={"shortfall": 300, "asset_code": "FED"})  # fmt: skip
    assert "SHORTFALL 3.00 FED missing, nothing taken" in describe(short)
    assert "UNKNOWN CARD" in describe(TapReport(tap_id="t", uid="X", status="unknown_card"))
    assert "NOTHING TO PAY" in describe(TapReport(tap_id="t", uid="X", status="idle"))
    error = TapReport(tap_id="t", uid="X", status="error", error="not confirmed")
    assert describe(error).endswith("ERROR not confirmed [0 ms]")
    other = TapReport(tap_id="t", uid="X", status="checked_in", outcome={"message": "welcome"})
    assert "CHECKED_IN welcome" in describe(other)
