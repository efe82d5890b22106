"""End to end with nfcpy's udp device: emulated card → terminal host → real server → sale.

The CLAF case of seed 000 at a market: the producer ``goulues`` accepted the food fund's CLA;
a beneficiary's card holding CLA pays the producer by tap on a terminal in charge mode.
"""

from __future__ import annotations

import threading
import time

import pytest

from core.wallets import WalletRef
from hosts.cli import main
from hosts.nfc.command import start_host as start_in_process

TYPE3_UID = "0102030405060708"
TYPE_A_UID = "A1B2C3D4"
CODE_TYPE3, CODE_TYPE_A, CODE_BAD_INPUT = 0, 1, 2


def test_a_type3_card_pays_through_a_real_host_process(world, card3, start_host, tmp_path):
    state = tmp_path / "terminal.json"
    base = ["--device", f"udp:127.0.0.1:{card3.port}", "--server", world.url,
            "--state", str(state), "--targets", "212F"]  # fmt: skip
    with world.network() as network:
        goulues_before = dict(network.money.instance_balances(world.cla_id)).get("goulues", 0)
    host = start_host(*base, "--pair", world.codes[CODE_TYPE3].lower())
    terminal_id = host.expect(r"paired as 'Stand 0' \((trm_\w+)\) of Les Goulues").group(1)
    host.expect("reading cards")
    assert state.stat().st_mode & 0o777 == 0o600
    world.ask_charge(terminal_id, 1250)
    card3.present(TYPE3_UID)
    host.expect(r"card 0102030405060708 \(no 0001\): PAID 12\.50 \(CLA 12\.50\)")
    card3.present("0909090909090909")  # another card: nothing waits any more
    host.expect(r"card 0909090909090909: NOTHING TO PAY")
    world.ask_charge(terminal_id, 100)
    card3.present("0A0A0A0A0A0A0A0A")  # a card unknown to the network
    host.expect(r"card 0A0A0A0A0A0A0A0A: UNKNOWN CARD")
    card3.remove()
    assert host.stop() == 0
    assert "stopped" in host.expect("stopped", timeout=5).group(0)

    again = start_host(*base)  # the state file remembers the pairing
    again.expect(rf"terminal 'Stand 0' \({terminal_id}\)")
    again.expect("reading cards")
    card3.present(TYPE3_UID)
    again.expect(r"card 0102030405060708 \(no 0001\): PAID 1\.00 \(CLA 1\.00\)")
    assert again.stop() == 0
    charge = world.charge(terminal_id)
    assert charge["status"] == "paid" and charge["paid_count"] == 1
    with world.network() as network:
        card = WalletRef.card(world.card_ids[TYPE3_UID])
        assert network.money.balance(card, world.cla_id) == 3650
        goulues = dict(network.money.instance_balances(world.cla_id))["goulues"]
        assert goulues - goulues_before == 1350
        assert network.money.check_invariants().ok


def test_a_type_a_card_through_an_in_process_host(world, card_a, tmp_path):
    lines: list[str] = []
    host, reader, identity = start_in_process(
        device=f"udp:127.0.0.1:{card_a.port}", server=world.url, pair_code=world.codes[CODE_TYPE_A],
        state_path=tmp_path / "t.json", targets="106A", out=lines.append,
    )  # fmt: skip
    assert identity["mode"] == "charge"
    stop = threading.Event()
    thread = threading.Thread(
        target=reader.run, args=(lambda u, t: host.tap(u, detected_at=t), stop)
    )
    thread.start()
    try:
        world.ask_charge(host.state.terminal_id, 5100, repeat=True)  # CLA 50.00 + 1.00 euro
        card_a.present(TYPE_A_UID)
        _wait_for(lines, "PAID 51.00 (CLA 50.00 + FED 1.00)")
        card_a.remove()
        assert card_a.wait_polled()  # the reader noticed the card left and looks again
        card_a.present(TYPE_A_UID)  # tapped again: nothing left but 2.00 euros
        _wait_for(lines, "SHORTFALL 49.00 FED missing")
    finally:
        stop.set()
        thread.join(10)
        reader.close()
    assert not thread.is_alive()
    charge = world.charge(host.state.terminal_id)
    assert charge["status"] == "pending" and charge["paid_count"] == 1
    assert charge["last_outcome"]["status"] == "shortfall"


def _wait_for(lines: list[str], text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in lines:
            if text in line:
                return line
        time.sleep(0.02)
    raise AssertionError(f"{text!r} not in {lines}")


def test_bad_input_ends_with_one_line(world, card3, start_host, tmp_path, capsys):
    state = str(tmp_path / "t.json")
    device = f"udp:127.0.0.1:{card3.port}"

    def fails(message: str, *args: str) -> None:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main(["nfc", *args, "--state", state])
        captured = capsys.readouterr()
        assert exited.value.code == 1, args
        output = captured.err.strip().splitlines()
        assert len(output) == 1 and output[0].startswith("tirelire: error: "), output
        assert message in output[0], output

    fails("unknown device 'floppy:0'", "--device", "floppy:0", "--server", world.url)
    fails("this terminal is not paired yet", "--device", device, "--server", world.url)
    fails("cannot reach the server at http://goulues.localhost:1: connection refused",
          "--device", device, "--server", "http://goulues.localhost:1", "--pair", "X")  # fmt: skip
    fails("pairing refused: Ce code d'appairage est inconnu.",
          "--device", device, "--server", world.url, "--pair", "AAAA-BBBB-CCCC")  # fmt: skip
    paired = start_host("--device", device, "--server", world.url, "--state", state,
                        "--pair", world.codes[CODE_BAD_INPUT])  # fmt: skip
    terminal_id = paired.expect(r"\((trm_\w+)\)").group(1)
    paired.expect("reading cards")
    assert paired.stop() == 0
    fails("pairs this terminal with " + world.url, "--device", device,
          "--server", "http://autre.localhost:1")  # fmt: skip
    world.revoke(terminal_id)
    fails("the server refused this terminal: Ce terminal a été révoqué",
          "--device", device, "--server", world.url)  # fmt: skip
