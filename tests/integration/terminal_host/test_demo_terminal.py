"""The demo's simulated card terminal, run as docs/laboutik.md says: the demo's data
directory served, ``tirelire nfc`` on nfcpy's udp device with the state file the demo wrote,
and ``tirelire nfc-card`` presenting the demo's cards typed on its standard input."""

from __future__ import annotations

import os
import subprocess
import sys

from hosts.demo import demo_terminals, ensure_demo
from hosts.nfc.bench import free_udp_port
from hosts.nfc.served import ServerProcess
from hosts.serving import free_port
from plugins.laboutik.demo import DEMO_TERMINAL_STATE, VENUE

from .conftest import ROOT


def test_the_demo_terminal_pays_the_lemonade_waiting_at_the_bar(tmp_path, start_host):
    data = tmp_path / "demo"
    ensure_demo(data)
    with ServerProcess(data, free_port()) as server:
        url = server.address(VENUE)
        ((path, state),) = demo_terminals(data, {VENUE: url})  # follows the demo's port
        assert path == data / DEMO_TERMINAL_STATE and state.server == url
        assert path.stat().st_mode & 0o777 == 0o600
        port = free_udp_port()
        card = subprocess.Popen(
            [sys.executable, "-m", "hosts", "nfc-card", "--port", str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        try:
            host = start_host("--device", f"udp:127.0.0.1:{port}", "--server", url,
                              "--state", str(path))  # fmt: skip
            host.expect(r"terminal 'Caisse du bar \(simulée\)' \(trm_\w+\) of Le Bisik")
            host.expect("reading cards")
            assert card.stdin is not None
            card.stdin.write("b1:5c:00:04\nnot a uid\n")  # a lemonade waits on the terminal
            card.stdin.flush()
            host.expect(r"card B15C0004 \(no BISIK-0004\): PAID 2\.50")
            card.stdin.write("\nB15C0005\n")  # lifted, then another card: nothing waits now
            card.stdin.flush()
            host.expect(r"card B15C0005 \(no BISIK-0005\): NOTHING TO PAY \(Bar is open")
            assert host.stop() == 0
        finally:
            output, _ = card.communicate(timeout=15)
    assert card.returncode == 0
    assert "card B15C0004 on the reader" in output and "card taken away" in output
    assert "error: " in output  # the line that was not a UID, said so
