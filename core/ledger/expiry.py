"""Timeouts of pending transfers: the ``ledger:expiry`` index and its sweep.

A pending transfer with a timeout gets an entry ``expires_at (8) + pending id (16)`` in
``ledger:expiry``. Each write operation first sweeps the entries due at its first timestamp
(:func:`sweep_expired`: the reservation is released and the status set to expired, in the same
write); posting or voiding a pending transfer removes its entry (:func:`forget_expiry`).
"""

from __future__ import annotations

from typing import Any

import lmdb

from core.ledger.bits import EXPIRED, NS_PER_S
from core.ledger.engine import TransferEngine

__all__ = ["forget_expiry", "sweep_expired"]


def sweep_expired(txn: lmdb.Transaction, expiry: Any, engine: TransferEngine, ts0: int) -> int:
    """Release pending transfers whose timeout fell at or before this batch's first stamp.

    A post or void later in the batch of one that expired since is refused as expired by
    the engine; its reservation is released by the next batch's sweep.
    """
    cursor = txn.cursor(db=expiry)
    if not cursor.first():
        return 0
    done = []
    for key in cursor.iternext(values=False):
        if int.from_bytes(key[:8], "big") > ts0:
            break
        pending_id = int.from_bytes(key[8:], "big")
        done.append(bytes(key))
        if engine.status(pending_id):
            continue
        p = engine.transfer(pending_id)
        if p is None:
            raise RuntimeError(f"expiry names an unknown pending transfer {pending_id}")
        dr, cr = engine.account(p[1]), engine.account(p[2])
        if dr is None or cr is None:
            raise RuntimeError(f"pending transfer {pending_id} names a missing account")
        dr[0] -= p[3]
        cr[2] -= p[3]
        engine.statuses[pending_id] = EXPIRED
    for key in done:
        txn.delete(key, db=expiry)
    return len(done)


def forget_expiry(
    txn: lmdb.Transaction, expiry: Any, engine: TransferEngine, pending_id: int
) -> None:
    """Drop the expiry entry of a pending transfer that was posted or voided."""
    p = engine.transfer(pending_id)
    if p is not None and p[8]:
        key = (p[12] + p[8] * NS_PER_S).to_bytes(8, "big") + pending_id.to_bytes(16, "big")
        txn.delete(key, db=expiry)
