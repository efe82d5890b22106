"""The server stops in the middle of a tap and restarts: the host's retry charges exactly once.

A real server process with the test-only fault plugin (tests/fault_plugin), a real host
process, an emulated Type 3 card. The plugin freezes the server inside the tap: before the
commit (nothing was written) or right after it (the sale is durable, the answer never
leaves). The host times out (``--timeout 1``) and retries with the same tap id; the test
kills the frozen server (SIGKILL to its process group) and starts it again on the same port and
data. The charge repeats for every card, so a tap handled twice would charge twice.
"""

from __future__ import annotations

import time

import pytest

from core.wallets import ActionKind, WalletRef

#: each stage taps its own card with its own terminal (the server is shared by the package)
SETUP = {"after-commit": ("0202020202020202", 3), "before-commit": ("0303030303030303", 4)}


def _wait_file(path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} never appeared")
        time.sleep(0.02)


@pytest.mark.parametrize("stage", ["after-commit", "before-commit"])
def test_a_tap_survives_a_server_killed_mid_tap(world, card3, start_host, tmp_path, stage):
    uid, code = SETUP[stage]
    with world.network() as network:
        goulues_before = dict(network.money.instance_balances(world.cla_id)).get("goulues", 0)
    host = start_host(
        "--device", f"udp:127.0.0.1:{card3.port}", "--server", world.url,
        "--pair", world.codes[code], "--state", str(tmp_path / "t.json"), "--targets", "212F",
        "--timeout", "1",
        "--retry-for", "30",
    )  # fmt: skip
    terminal_id = host.expect(r"\((trm_\w+)\)").group(1)
    host.expect("reading cards")
    world.ask_charge(terminal_id, 1000, repeat=True)
    (world.fault_dir / f"hold-{stage}").touch()
    card3.present(uid)
    _wait_file(world.fault_dir / f"holding-{stage}")
    host.expect(r"server unreachable \(no answer in time\), sending tap tap-\w+ again")
    world.server.kill()
    world.server.start()
    paid = host.expect(r"PAID 10\.00 \(CLA 10\.00\) \[\d+ ms, (\d+) attempts(.*)\]", timeout=40)
    assert int(paid.group(1)) >= 2
    replayed = "answer of an earlier attempt" in paid.group(2)
    assert replayed == (stage == "after-commit")  # committed before the kill: answered again
    card3.remove()
    assert host.stop() == 0
    charge = world.charge(terminal_id)
    assert charge["status"] == "pending" and charge["paid_count"] == 1
    with world.network() as network:
        money = network.money
        assert money.balance(WalletRef.card(world.card_ids[uid]), world.cla_id) == 4000
        goulues = dict(money.instance_balances(world.cla_id))["goulues"]
        assert goulues - goulues_before == 1000
        tap_id = charge["last_tap"]
        sale = money.operation(ActionKind.SALE, f"tap:{terminal_id}:{tap_id}")
        assert sale is not None and sale.amount == 1000
        card_history = money.history(WalletRef.card(world.card_ids[uid]), world.cla_id)
        assert [entry.amount for entry in card_history] == [-1000, 5000]  # one sale, one grant
        assert money.check_invariants().ok
