"""The benchmark's peer: the same ledger rules on SQLite, as a Python developer would pick.

Stdlib ``sqlite3`` in WAL mode with ``synchronous=FULL`` (a durable commit per batch, like
the LMDB ledger), one transaction per batch. The rules are not re-implemented: the very same
:class:`~core.ledger.engine.TransferEngine` runs on loaders that SELECT from SQLite, so the
comparison measures the storage and its Python glue, not two different rule sets. Each batch
loads the accounts it touches once, checks ids with one ``IN`` query per chunk, then writes
transfers (with the same hash chain) and accounts with ``executemany``.

Ids and amounts are stored as 16-byte big-endian blobs (SQLite integers are 64-bit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any

from core.ledger.codec import GENESIS_HASH, encode_transfer_fields, new_account_state
from core.ledger.engine import TransferEngine
from core.ledger.model import Account, CreateTransferResult, Transfer, check_transfer

__all__ = ["SqliteLedger"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id BLOB PRIMARY KEY, ledger INTEGER, code INTEGER, flags INTEGER,
    user_data_128 BLOB, user_data_64 INTEGER, user_data_32 INTEGER, timestamp INTEGER,
    debits_pending BLOB, debits_posted BLOB, credits_pending BLOB, credits_posted BLOB
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transfers (
    seq INTEGER PRIMARY KEY, id BLOB UNIQUE NOT NULL, debit_account_id BLOB,
    credit_account_id BLOB, amount BLOB, pending_id BLOB, user_data_128 BLOB,
    user_data_64 INTEGER, user_data_32 INTEGER, timeout INTEGER, ledger INTEGER,
    code INTEGER, flags INTEGER, timestamp INTEGER, prev_hash BLOB
);
CREATE INDEX IF NOT EXISTS transfers_debit ON transfers (debit_account_id);
CREATE INDEX IF NOT EXISTS transfers_credit ON transfers (credit_account_id);
"""


def _b(value: int) -> bytes:
    return value.to_bytes(16, "big")


def _i(raw: bytes) -> int:
    return int.from_bytes(raw, "big")


class SqliteLedger:
    """Accounts and transfers in one SQLite file, applied by the ledger's own engine."""

    def __init__(self, path: str | Path) -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self.seq = 0
        self.head = GENESIS_HASH
        self.ts = 0

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def create_accounts(self, accounts: Sequence[Account], ts: int) -> None:
        """Insert accounts (the benchmark's set-up; no result codes needed)."""
        rows = [
            (_b(a.id), a.ledger, a.code, a.flags, _b(a.user_data_128), a.user_data_64,
             a.user_data_32, ts + i, _b(0), _b(0), _b(0), _b(0))
            for i, a in enumerate(accounts)
        ]  # fmt: skip
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO accounts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        self.db.execute("COMMIT")

    def _load_account(self, account_id: int) -> list[Any] | None:
        row = self.db.execute(
            "SELECT ledger, code, flags, user_data_128, user_data_64, user_data_32, timestamp,"
            " debits_pending, debits_posted, credits_pending, credits_posted"
            " FROM accounts WHERE id = ?",
            (_b(account_id),),
        ).fetchone()
        if row is None:
            return None
        state = new_account_state(
            account_id, _i(row[3]), row[4], row[5], row[0], row[1], row[2], row[6]
        )
        state[0:4] = [_i(row[7]), _i(row[8]), _i(row[9]), _i(row[10])]
        return state

    def _load_transfer(self, transfer_id: int) -> tuple[int, ...] | None:
        row = self.db.execute(
            "SELECT id, debit_account_id, credit_account_id, amount, pending_id, user_data_128,"
            " user_data_64, user_data_32, timeout, ledger, code, flags, timestamp"
            " FROM transfers WHERE id = ?",
            (_b(transfer_id),),
        ).fetchone()
        if row is None:
            return None
        return (_i(row[0]), _i(row[1]), _i(row[2]), _i(row[3]), _i(row[4]), _i(row[5]),
                *row[6:])  # fmt: skip

    def _any_exists(self, ids: list[int]) -> bool:
        for start in range(0, len(ids), 500):
            chunk = [_b(i) for i in ids[start : start + 500]]
            marks = ",".join("?" * len(chunk))
            if self.db.execute(
                f"SELECT 1 FROM transfers WHERE id IN ({marks}) LIMIT 1", chunk
            ).fetchone():
                return True
        return False

    def create_transfers(
        self, transfers: Sequence[Transfer], now: int
    ) -> list[CreateTransferResult]:
        """Apply one batch in one durable SQLite transaction; one result per event."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            engine = TransferEngine(
                self._load_account, self._load_transfer, lambda _pid: 0, check_transfer
            )
            ids = [t.id for t in transfers]
            fast = len(set(ids)) == len(ids) and not self._any_exists(ids)
            ts0 = max(now, self.ts + 1)
            results = engine.run(transfers, ts0, fast)
            rows = []
            seq, head = self.seq, self.head
            for f in engine.created:
                seq += 1
                prev = head
                head = sha256(head + encode_transfer_fields(f)).digest()
                rows.append(
                    (seq, _b(f[0]), _b(f[1]), _b(f[2]), _b(f[3]), _b(f[4]), _b(f[5]), f[6], f[7],
                     f[8], f[9], f[10], f[11], f[12], prev)
                )  # fmt: skip
            db.executemany("INSERT INTO transfers VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany(
                "UPDATE accounts SET debits_pending = ?, debits_posted = ?, credits_pending = ?,"
                " credits_posted = ? WHERE id = ?",
                [
                    (_b(s[0]), _b(s[1]), _b(s[2]), _b(s[3]), _b(k))
                    for k, s in engine.accounts.items()
                    if s is not None
                ],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.seq, self.head, self.ts = seq, head, ts0 + len(transfers) - 1
        return results
