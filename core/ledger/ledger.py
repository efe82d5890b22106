"""The Ledger: the engine's rules on the store's LMDB environment, durable and chained.

Databases (all named ``ledger:*`` in the store's environment):

- ``transfers``: commit sequence (8 bytes) -> ``prev_hash + encoding`` (160 bytes), appended;
- ``transfer_ids``: transfer id (16 bytes) -> sequence; ``accounts``: id -> 128-byte account;
- ``account_transfers``: epoch + account id + first sequence -> the account's sequences of
  one operation (the history of every account, appended near the end of the tree);
- ``pending_status``: pending id -> posted / voided / expired; ``expiry``: expires_at + id;
- ``meta``: ``head`` = sequence (8) + head hash (32) + last timestamp (8).

Writes run in one store write transaction (``Store.write``) or through the group-commit writer
(``grouped=True`` / :meth:`Ledger.submit_transfers`). The writer side keeps account states in
memory: the cache mirrors what the write transaction sees, each operation merges its changes
at its end and registers an undo (``tx.on_abort``), and the cache is dropped whenever the head
in LMDB differs from the one it was built on (another process wrote). Reads never use it: they
open LMDB read transactions and only ever see committed state.
"""

from __future__ import annotations

import os
import struct
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from hashlib import sha256 as _sha256
from typing import Any, NamedTuple

import lmdb

from core.ledger.codec import (
    GENESIS_HASH,
    KEY,
    MASK64,
    TRANSFER_STRUCT,
    account_from_state,
    decode_account_state,
    decode_transfer,
    encode_account_state,
    transfer_from_fields,
)
from core.ledger.engine import EXPIRED, NS_PER_S, PENDING, AccountEngine, TransferEngine
from core.ledger.model import (
    BATCH_MAX,
    ID_MAX,
    Account,
    CreateAccountResult,
    CreateTransferResult,
    LedgerInputError,
    Transfer,
    check_account,
    check_transfer,
)
from core.store import Store, Tx

__all__ = ["Change", "Head", "Ledger"]

HEAD_KEY = b"head"
CACHE_LIMIT = 2_000_000
#: The account history index groups sequence numbers by epochs of 2**13 commits.
EPOCH_SHIFT = 13
_INPUT_ERRORS = (TypeError, ValueError, AttributeError, OverflowError, struct.error)


class Head(NamedTuple):
    """The end of the chain: last sequence number, its hash (hex) and last timestamp."""

    seq: int
    hash: str
    timestamp: int


class Change(NamedTuple):
    """One committed transfer of the change feed, with its commit sequence number."""

    seq: int
    transfer: Transfer


def _parse_head(raw: bytes | None) -> tuple[int, bytes, int]:
    if raw is None:
        return 0, GENESIS_HASH, 0
    return int.from_bytes(raw[:8], "big"), bytes(raw[8:40]), int.from_bytes(raw[40:48], "big")


def _bytes(raw: bytes | memoryview | None) -> bytes | None:
    return None if raw is None else bytes(raw)


def _check_ids(ids: Iterable[int]) -> list[int]:
    out = []
    for index, value in enumerate(ids):
        if not isinstance(value, int) or isinstance(value, bool):
            raise LedgerInputError(f"id {index} must be an integer, got {type(value).__name__}")
        out.append(value)
    return out


class Ledger:
    """A double-entry, multi-asset ledger of accounts and transfers (TigerBeetle's model)."""

    def __init__(self, store: Store, *, clock: Callable[[], int] = time.time_ns) -> None:
        self.store = store
        self._clock = clock
        self._owns_store = False
        self._transfers = store.db("ledger:transfers")
        self._ids = store.db("ledger:transfer_ids")
        self._accounts = store.db("ledger:accounts")
        self._history = store.db("ledger:account_transfers")
        self._status = store.db("ledger:pending_status")
        self._expiry = store.db("ledger:expiry")
        self._meta = store.db("ledger:meta")
        # writer-side state: what the current write transaction sees
        self._cache: dict[int, list[int]] = {}
        self._head_raw: bytes | None = None
        self._seq, self._hash, self._ts = 0, GENESIS_HASH, 0

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], int] = time.time_ns,
        **options: Any,
    ) -> Ledger:
        """Open a ledger with its own store at ``path`` (closed by :meth:`close`)."""
        ledger = cls(Store.open(path, **options), clock=clock)
        ledger._owns_store = True
        return ledger

    def close(self) -> None:
        """Close the store if this ledger opened it (a shared store stays open)."""
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writer-side state -------------------------------------------------------------------

    def _sync(self, txn: lmdb.Transaction) -> None:
        """Make the writer-side state match the head the transaction sees."""
        raw = txn.get(HEAD_KEY, db=self._meta)
        raw = None if raw is None else bytes(raw)
        if raw != self._head_raw or len(self._cache) > CACHE_LIMIT:
            self._cache = {}
            self._head_raw = raw
            self._seq, self._hash, self._ts = _parse_head(raw)

    def _loader(self, txn: lmdb.Transaction) -> Callable[[int], list[Any] | None]:
        """Load account states into the writer cache; the engine mutates them in place."""
        cache = self._cache
        get = txn.get
        db = self._accounts

        def load_account(account_id: int) -> list[Any] | None:
            state = cache.get(account_id)
            if state is None:
                raw = get(account_id.to_bytes(16, "big"), db=db)
                if raw is None:
                    return None
                state = cache[account_id] = decode_account_state(raw)
            return state

        return load_account

    def _timestamps(self) -> int:
        """The first timestamp of a batch: the clock, but always after the last one given."""
        return max(self._clock(), self._ts + 1)

    def _guard(self, tx: Tx, touched: dict[int, Any]) -> None:
        """Undo this operation's in-memory changes if it is rolled back.

        Account states in the cache are changed in place, so the undo drops every account the
        operation touched: the next operation reloads them from LMDB, which then holds exactly
        what the rollback left. The head is restored.
        """
        old_head = (self._head_raw, self._seq, self._hash, self._ts)

        def restore() -> None:
            for key in touched:
                self._cache.pop(key, None)
            self._head_raw, self._seq, self._hash, self._ts = old_head

        tx.on_abort(restore)

    def _set_head(self, tx: Tx, seq: int, head_hash: bytes, ts: int) -> None:
        raw = seq.to_bytes(8, "big") + head_hash + ts.to_bytes(8, "big")
        tx.txn.put(HEAD_KEY, raw, db=self._meta)
        self._head_raw = raw
        self._seq, self._hash, self._ts = seq, head_hash, ts

    # -- accounts ------------------------------------------------------------------------

    def create_accounts(
        self, accounts: Sequence[Account], *, grouped: bool = False
    ) -> list[CreateAccountResult]:
        """Create accounts; one result per event, in order (``OK`` on success)."""
        events = self._batch(accounts)
        if not events:
            return []
        write = self.store.write_grouped if grouped else self.store.write
        return write(lambda tx: self._accounts_op(tx, events))

    def lookup_accounts_in(self, txn: lmdb.Transaction, ids: Iterable[int]) -> list[Account]:
        """Like :meth:`lookup_accounts`, as ``txn`` sees it (inside a write: with its changes)."""
        found = []
        for account_id in _check_ids(ids):
            if 0 < account_id <= ID_MAX:
                raw = txn.get(account_id.to_bytes(16, "big"), db=self._accounts)
                if raw is not None:
                    found.append(account_from_state(decode_account_state(raw)))
        return found

    def _accounts_op(self, tx: Tx, accounts: list[Account]) -> list[CreateAccountResult]:
        txn = tx.txn
        self._sync(txn)
        ts0 = self._timestamps()
        engine = AccountEngine(self._loader(txn), check_account)
        results = engine.run(accounts, ts0)
        if engine.created:
            self._guard(tx, engine.created)
            puts = [(s[KEY], encode_account_state(s)) for s in engine.created.values()]
            puts.sort()
            txn.cursor(db=self._accounts).putmulti(puts)
            self._cache.update(engine.created)
            self._set_head(tx, self._seq, self._hash, ts0 + len(accounts) - 1)
        return results

    def lookup_accounts(self, ids: Iterable[int]) -> list[Account]:
        """The accounts found among ``ids``, with their committed balances, in order."""
        wanted = _check_ids(ids)
        with self.store.read() as txn:
            return self.lookup_accounts_in(txn, wanted)

    # -- transfers -----------------------------------------------------------------------

    def create_transfers(
        self, transfers: Sequence[Transfer], *, grouped: bool = False
    ) -> list[CreateTransferResult]:
        """Create transfers; one result per event, in order (``OK`` on success).

        Returns once the batch is durable. ``grouped=True`` goes through the store's
        group-commit writer (one fsync shared with other callers).
        """
        events = self._batch(transfers)
        if not events:
            return []
        write = self.store.write_grouped if grouped else self.store.write
        return write(lambda tx: self._transfers_op(tx, events))

    def submit_transfers(self, transfers: Sequence[Transfer]) -> Future[list[CreateTransferResult]]:
        """Queue transfers for the group-commit writer; the future resolves after commit."""
        events = self._batch(transfers)
        return self.store.submit(lambda tx: self._transfers_op(tx, events))

    def create_accounts_in(self, tx: Tx, accounts: Sequence[Account]) -> list[CreateAccountResult]:
        """Create accounts inside the caller's write ``tx`` (with its records, atomically)."""
        events = self._batch(accounts)
        return self._accounts_op(tx, events) if events else []

    def create_transfers_in(
        self, tx: Tx, transfers: Sequence[Transfer]
    ) -> list[CreateTransferResult]:
        """Create transfers inside the caller's write ``tx``: a service's records and its
        transfers commit together, or not at all (raise after a non-OK result to roll back)."""
        events = self._batch(transfers)
        return self._transfers_op(tx, events) if events else []

    @staticmethod
    def _batch(events: Sequence[Any]) -> list[Any]:
        events = list(events)
        if len(events) > BATCH_MAX:
            raise LedgerInputError(f"a batch holds at most {BATCH_MAX} events, got {len(events)}")
        return events

    def _transfers_op(self, tx: Tx, transfers: list[Transfer]) -> list[CreateTransferResult]:
        try:
            return self._apply_transfers(tx, transfers)
        except LedgerInputError:
            raise
        except _INPUT_ERRORS:
            for index, event in enumerate(transfers):
                check_transfer(event, index)
            raise

    def _apply_transfers(self, tx: Tx, transfers: list[Transfer]) -> list[CreateTransferResult]:
        txn = tx.txn
        self._sync(txn)
        n = len(transfers)
        ts0 = self._timestamps()
        ts_last = ts0 + n - 1
        engine = TransferEngine(
            self._loader(txn), self._load_transfer(txn), self._load_status(txn), check_transfer
        )
        self._guard(tx, engine.accounts)
        swept = self._sweep(txn, engine, ts0)
        ids = [t.id for t in transfers]
        keys = [i.to_bytes(16, "big") for i in ids]
        fast = len(set(ids)) == n and not txn.cursor(db=self._ids).getmulti(keys)
        results = engine.run(transfers, ts0, fast)
        created = engine.created
        if not created and not swept:
            return results
        seq, head_hash = self._seq, self._hash
        label = ((seq + 1) >> EPOCH_SHIFT).to_bytes(8, "big")
        records = []
        index = []
        expiries = []
        history: defaultdict[int, list[bytes]] = defaultdict(list)
        sha256 = _sha256
        pack = TRANSFER_STRUCT.pack
        m = MASK64
        for i, d, c, a, p, u, u64, u32, timeout, ledger, code, flags, ts in created:
            seq += 1
            sk = seq.to_bytes(8, "big")
            record = head_hash + pack(
                i & m, i >> 64, d & m, d >> 64, c & m, c >> 64, a & m, a >> 64,
                p & m, p >> 64, u & m, u >> 64, u64, u32, timeout, ledger, code, flags, ts,
            )  # fmt: skip
            head_hash = sha256(record).digest()
            records.append((sk, record))
            index.append((i.to_bytes(16, "big"), sk))
            history[d].append(sk)
            history[c].append(sk)
            if flags & PENDING and timeout:
                expiry = (ts + timeout * NS_PER_S).to_bytes(8, "big") + i.to_bytes(16, "big")
                expiries.append((expiry, b""))
        if records:
            txn.cursor(db=self._transfers).putmulti(records, append=True)
            index.sort()
            txn.cursor(db=self._ids).putmulti(index)
            first = records[0][0]
            entries = [
                (label + account.to_bytes(16, "big") + first, b"".join(sks))
                for account, sks in history.items()
            ]
            entries.sort()
            txn.cursor(db=self._history).putmulti(entries)
        if expiries:
            txn.cursor(db=self._expiry).putmulti(expiries)
        for pid, status in engine.statuses.items():
            txn.put(pid.to_bytes(16, "big"), bytes((status,)), db=self._status)
            if status != EXPIRED:
                self._forget_expiry(txn, engine, pid)
        puts = [
            (s[KEY], encode_account_state(s)) for s in engine.accounts.values() if s is not None
        ]
        puts.sort()
        txn.cursor(db=self._accounts).putmulti(puts)
        self._set_head(tx, seq, head_hash, ts_last)
        return results

    def _load_transfer(self, txn: lmdb.Transaction) -> Callable[[int], tuple[int, ...] | None]:
        def load(transfer_id: int) -> tuple[int, ...] | None:
            sk = txn.get(transfer_id.to_bytes(16, "big"), db=self._ids)
            if sk is None:
                return None
            return decode_transfer(txn.get(sk, db=self._transfers)[32:])

        return load

    def _load_status(self, txn: lmdb.Transaction) -> Callable[[int], int]:
        def load(pending_id: int) -> int:
            raw = txn.get(pending_id.to_bytes(16, "big"), db=self._status)
            return 0 if raw is None else raw[0]

        return load

    def _sweep(self, txn: lmdb.Transaction, engine: TransferEngine, ts0: int) -> int:
        """Release pending transfers whose timeout fell at or before this batch's first stamp.

        A post or void later in the batch of one that expired since is refused as expired by
        the engine; its reservation is released by the next batch's sweep.
        """
        cursor = txn.cursor(db=self._expiry)
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
            txn.delete(key, db=self._expiry)
        return len(done)

    def _forget_expiry(
        self, txn: lmdb.Transaction, engine: TransferEngine, pending_id: int
    ) -> None:
        p = engine.transfer(pending_id)
        if p is not None and p[8]:
            key = (p[12] + p[8] * NS_PER_S).to_bytes(8, "big") + pending_id.to_bytes(16, "big")
            txn.delete(key, db=self._expiry)

    def lookup_transfers(self, ids: Iterable[int]) -> list[Transfer]:
        """The committed transfers found among ``ids``, in order."""
        wanted = _check_ids(ids)
        found = []
        with self.store.read() as txn:
            load = self._load_transfer(txn)
            for transfer_id in wanted:
                if 0 < transfer_id <= ID_MAX:
                    f = load(transfer_id)
                    if f is not None:
                        found.append(transfer_from_fields(f))
        return found

    # -- history, feed, head -------------------------------------------------------------

    def account_transfers(
        self, account_id: int, *, after: int | None = None, limit: int = 100, reverse: bool = False
    ) -> list[Transfer]:
        """The transfers of an account in commit order (newest first with ``reverse``).

        ``after`` is the timestamp of the last transfer of the previous page: the page holds
        transfers strictly after it (strictly before it when ``reverse``).
        """
        _check_ids([account_id])
        if not 0 < account_id <= ID_MAX or limit <= 0:
            return []
        account = account_id.to_bytes(16, "big")
        out: list[Transfer] = []
        with self.store.read() as txn:
            head_seq = _parse_head(_bytes(txn.get(HEAD_KEY, db=self._meta)))[0]
            if reverse:
                bound = (
                    head_seq + 1 if after is None else self._seq_at(txn, after - 1, head_seq) + 1
                )
                labels: Iterable[int] = range(bound >> EPOCH_SHIFT, -1, -1)
            else:
                bound = 0 if after is None else self._seq_at(txn, after, head_seq)
                labels = range(max(0, (bound >> EPOCH_SHIFT) - 1), (head_seq >> EPOCH_SHIFT) + 1)
            cursor = txn.cursor(db=self._history)
            for label in labels:
                prefix = label.to_bytes(8, "big") + account
                seqs: list[int] = []
                if cursor.set_range(prefix):
                    for key, value in cursor.iternext():
                        if key[:24] != prefix:
                            break
                        seqs.extend(
                            int.from_bytes(value[i : i + 8], "big") for i in range(0, len(value), 8)
                        )
                for seq in reversed(seqs) if reverse else seqs:
                    if (seq >= bound) if reverse else (seq <= bound):
                        continue
                    raw = txn.get(seq.to_bytes(8, "big"), db=self._transfers)
                    out.append(transfer_from_fields(decode_transfer(raw[32:])))
                    if len(out) >= limit:
                        return out
        return out

    def _seq_at(self, txn: lmdb.Transaction, timestamp: int, head_seq: int) -> int:
        """The largest sequence number whose transfer's timestamp is <= ``timestamp`` (or 0)."""
        lo, hi = 0, head_seq
        while lo < hi:
            mid = (lo + hi + 1) // 2
            raw = txn.get(mid.to_bytes(8, "big"), db=self._transfers)
            if int.from_bytes(raw[152:160], "little") <= timestamp:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def changes(self, after_seq: int = 0, limit: int = 10_000) -> list[Change]:
        """Committed transfers with a sequence number above ``after_seq``, in commit order."""
        out: list[Change] = []
        if limit <= 0 or after_seq < 0:
            return out
        with self.store.read() as txn:
            cursor = txn.cursor(db=self._transfers)
            if not cursor.set_range((after_seq + 1).to_bytes(8, "big")):
                return out
            for sk, record in cursor.iternext():
                out.append(
                    Change(
                        int.from_bytes(sk, "big"),
                        transfer_from_fields(decode_transfer(record[32:])),
                    )
                )
                if len(out) >= limit:
                    break
        return out

    def head(self) -> Head:
        """The committed head of the chain: sequence, hash (hex), last timestamp."""
        with self.store.read() as txn:
            raw = txn.get(HEAD_KEY, db=self._meta)
            seq, head_hash, ts = _parse_head(None if raw is None else bytes(raw))
        return Head(seq, head_hash.hex(), ts)

    def verify(self) -> Any:
        """Replay the whole chain and recompute every balance; see :mod:`core.ledger.verify`."""
        from core.ledger.verify import verify_ledger

        return verify_ledger(self)
