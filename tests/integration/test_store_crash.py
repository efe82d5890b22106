"""Every operation the group-commit writer acknowledged survives a SIGKILL of the process."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from core.store import Store

CHILD = textwrap.dedent(
    """
    import sys, threading
    from core.store import Store

    store = Store(sys.argv[1])
    db = store.db("acks")
    out_lock = threading.Lock()

    def worker(k):
        i = 0
        while True:
            key = f"{k:02d}-{i:08d}".encode()
            def op(tx, key=key):
                tx.txn.put(key, b"x" * 100, db=db)
            store.submit(op).result()
            with out_lock:  # acknowledged only now: after the durable commit
                sys.stdout.write(key.decode() + "\\n")
                sys.stdout.flush()
            i += 1

    for k in range(16):
        threading.Thread(target=worker, args=(k,), daemon=True).start()
    threading.Event().wait()
    """
)


def test_acknowledged_operations_survive_sigkill(tmp_path):
    path = tmp_path / "store"
    rng = random.Random(20261121)
    acknowledged: set[bytes] = set()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    for _round in range(5):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path)],
            stdout=subprocess.PIPE,
            env=env,
        )
        time.sleep(0.4 + rng.random() * 0.6)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        # only whole lines: a line cut by the kill was never fully acknowledged
        lines = [line for line in out.split(b"\n")[:-1] if line]
        acknowledged.update(lines)
        assert child.returncode == -signal.SIGKILL
        store = Store(path)
        try:
            db = store.db("acks")
            with store.read() as txn:
                missing = [k for k in acknowledged if txn.get(k, db=db) is None]
        finally:
            store.close()
        assert missing == [], f"{len(missing)} acknowledged writes lost"
    assert len(acknowledged) > 100  # the child really wrote between kills
