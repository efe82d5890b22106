"""The replay cache: every nonce a terminal used, kept until its request is too old anyway.

A signed request is accepted once. Its nonce is recorded in the same write as what the request
does, under ``<terminal id>\\0<nonce>``, with the time after which the request's timestamp
would be refused anyway (timestamp + window + 1 s). Past that time the entry is useless, so
each recording also deletes up to :data:`PRUNE_BATCH` expired entries, oldest first, through a
second database ordered by expiry: the cache stays as small as the last minute of traffic,
with no background job.
"""

from __future__ import annotations

import lmdb

from core.store import Store, Tx
from core.terminals.errors import SignatureError
from core.terminals.signing import WINDOW

__all__ = ["PRUNE_BATCH", "ReplayCache"]

PRUNE_BATCH = 32


def _expiry_bytes(expires: int) -> bytes:
    return max(0, expires).to_bytes(8, "big")


class ReplayCache:
    """Nonces seen per terminal, in the store (shared by every server process)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._seen = store.db("terminal_nonces")
        self._by_expiry = store.db("terminal_nonces_by_expiry")

    def record_in(self, tx: Tx, terminal_id: str, nonce: str, timestamp: int, now: float) -> None:
        """Inside a write: remember the nonce, or SignatureError ``replayed`` if it was seen."""
        key = f"{terminal_id}\0{nonce}".encode()
        if tx.txn.get(key, db=self._seen) is not None:
            raise SignatureError("replayed", server_time=now)
        expires = _expiry_bytes(timestamp + WINDOW + 1)
        tx.txn.put(key, expires, db=self._seen)
        tx.txn.put(expires + key, b"", db=self._by_expiry)
        self.prune_in(tx, now)

    def prune_in(self, tx: Tx, now: float, limit: int = PRUNE_BATCH) -> int:
        """Inside a write: delete up to ``limit`` entries expired before ``now``."""
        cutoff = _expiry_bytes(int(now))
        removed = 0
        with tx.txn.cursor(db=self._by_expiry) as cursor:
            if not cursor.first():
                return 0
            while removed < limit:
                entry = bytes(cursor.key())  # empty once the last entry was deleted
                if not entry or entry[:8] >= cutoff:
                    break
                tx.txn.delete(entry[8:], db=self._seen)
                cursor.delete()  # and moves to the next entry
                removed += 1
        return removed

    def size(self, txn: lmdb.Transaction) -> int:
        """How many nonces are kept."""
        return int(txn.stat(self._seen)["entries"])
