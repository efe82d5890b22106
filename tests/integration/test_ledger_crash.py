"""A committed batch survives SIGKILL: every acknowledged transfer is there and verify passes.

A child process commits small batches in a loop (direct writes and group-commit writes
alternating) and prints each batch's id range only after ``create_transfers`` returned, i.e.
after the durable commit. The parent kills it with SIGKILL at random moments, 20 times, then
checks the ledger. Seeded, so a failure replays.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from core.ledger import Account, CreateAccountResult, Ledger

CHILD = textwrap.dedent(
    """
    import sys
    from core.ledger import Account, Ledger, Transfer

    ledger = Ledger.open(sys.argv[1])
    next_id = int(sys.argv[2])
    print("ready", flush=True)
    n = 0
    while True:
        batch = [
            Transfer(id=next_id + k, debit_account_id=1 + (next_id + k) % 7,
                     credit_account_id=1 + (next_id + k + 1) % 7, amount=1 + k, ledger=1, code=1,
                     flags=1 if k % 5 == 0 and k < 19 else 0)
            for k in range(20)
        ]
        results = ledger.create_transfers(batch, grouped=bool(n % 2))
        assert all(r.name == "OK" for r in results), results
        print(next_id, next_id + 19, flush=True)  # acknowledged: the batch is durable
        next_id += 20
        n += 1
    """
)

ROUNDS = 20


def test_acknowledged_batches_survive_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with Ledger.open(path) as ledger:
        accounts = [Account(id=i, ledger=1, code=1) for i in range(1, 8)]
        assert set(ledger.create_accounts(accounts)) == {CreateAccountResult.OK}
    rng = random.Random(20261121)
    acknowledged: list[tuple[int, int]] = []
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    next_id = 1
    for _round in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(next_id)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        time.sleep(0.05 + rng.random() * 0.25)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        lines = [line for line in out.split(b"\n")[:-1] if line]  # whole lines only
        ranges = [tuple(map(int, line.split())) for line in lines]
        acknowledged += ranges  # type: ignore[arg-type]
        with Ledger.open(path) as ledger:
            report = ledger.verify()
            assert report.ok, report.summary()
            for first, last in ranges:
                found = ledger.lookup_transfers(range(first, last + 1))
                assert [t.id for t in found] == list(range(first, last + 1))
            # the batch in flight when killed may or may not have committed; never half
            head = ledger.head().seq
            assert head % 20 == 0
        next_id = max([last for _, last in ranges], default=next_id) + 1 + 1000
    assert len(acknowledged) >= ROUNDS  # the child made progress in most rounds
    with Ledger.open(path) as ledger:
        total = sum(last - first + 1 for first, last in acknowledged)
        assert ledger.head().seq >= total
