"""A test-only plugin that freezes the server in the middle of a tap, before or after commit.

The reliability tests install it (through an entry point) in a real server process and enable
it on one instance. When the file ``hold-before-commit`` (or ``hold-after-commit``) exists in
``$TIRELIRE_FAULT_DIR``, the next tap deletes it, writes ``holding-...`` and blocks: inside the
tap's write (nothing committed yet), or right after the commit (the sale is durable but the
answer never leaves). The test then kills the server, as a power cut would.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from core import hookimpl

HOLD_SECONDS = 60


def _hold(stage: str) -> None:
    control = Path(os.environ.get("TIRELIRE_FAULT_DIR", "/nonexistent"))
    wanted = control / f"hold-{stage}"
    if not wanted.exists():
        return
    wanted.unlink()
    (control / f"holding-{stage}").touch()
    time.sleep(HOLD_SECONDS)  # the test kills the server meanwhile


@hookimpl(wrapper=True)
def on_card_tap(tx: Any, tap: Any, network: Any) -> Any:
    """Around the mode's own handling: hold before it, or once it is committed."""
    _hold("before-commit")
    outcome = yield
    tx.on_commit(lambda: _hold("after-commit"))
    return outcome
