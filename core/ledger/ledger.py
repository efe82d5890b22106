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

import gc
import os
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from hashlib import sha256 as _sha256
from typing import Any

import lmdb

from core.ledger.accounts import AccountEngine
from core.ledger.bits import EXPIRED, NS_PER_S, PENDING
from core.ledger.codec import (
    GENESIS_HASH,
    HEAD,
    KEY,
    MASK64,
    TAIL,
    TRANSFER_STRUCT,
    decode_account_state,
    encode_account_state,
)
from core.ledger.engine import TransferEngine
from core.ledger.expiry import forget_expiry, sweep_expired
from core.ledger.grouping import Drain
from core.ledger.model import (
    BATCH_MAX,
    Account,
    CreateAccountResult,
    CreateTransferResult,
    LedgerInputError,
    Transfer,
    check_account,
    check_transfer,
)
from core.ledger.reads import EPOCH_SHIFT, HEAD_KEY, Change, Head, LedgerReads, parse_head
from core.store import Store, Tx

__all__ = ["Change", "Head", "Ledger"]
CACHE_LIMIT = 2_000_000
_INPUT_ERRORS = (TypeError, ValueError, AttributeError, OverflowError, struct.error)
T_OK = CreateTransferResult.OK


class Ledger(LedgerReads):
    """A double-entry, multi-asset ledger of accounts and transfers (TigerBeetle's model)."""

    #: Apply big batches of plain transfers in bulk (core/ledger/bulk.py). The benchmark sets
    #: it to False on one ledger to compare with the event-by-event engine in one process.
    bulk = True
    #: Smaller batches always go through the engine: NumPy's fixed cost per call would not pay
    #: off (and a process that never sends one never imports NumPy for it).
    bulk_min = 64

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
        # batches waiting for the group-commit writer (see submit_transfers)
        self._queue: list[tuple[list[Transfer], Future[list[CreateTransferResult]]]] = []
        self._queue_lock = threading.Lock()
        self._drain_scheduled = False
        #: Batches the bulk path applied (tests check that it ran).
        self.bulk_batches = 0

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
            self._seq, self._hash, self._ts = parse_head(raw)

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
        if grouped:
            return self.submit_transfers(events).result()
        return self.store.write(lambda tx: self._transfers_op(tx, events))

    def submit_transfers(self, transfers: Sequence[Transfer]) -> Future[list[CreateTransferResult]]:
        """Queue transfers for the group-commit writer; the future resolves after commit.

        Batches submitted while the writer is busy are applied together by one store
        operation (each keeps its own results, timestamps and linked chains, exactly as if
        submitted one after the other), so the per-call cost stays small under load.
        """
        events = self._batch(transfers)
        future: Future[list[CreateTransferResult]] = Future()
        with self._queue_lock:
            self._queue.append((events, future))
            if self._drain_scheduled:
                return future
            self._drain_scheduled = True
        drain = Drain(self)
        try:
            submitted = self.store.submit(drain.op)
        except BaseException as exc:  # the store is closed: nobody will drain the queue
            drain.fail(exc)
            raise
        submitted.add_done_callback(drain.done)
        return future

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
            return self._apply_batches(tx, [transfers])[0]
        except LedgerInputError:
            raise
        except _INPUT_ERRORS:
            for index, event in enumerate(transfers):
                check_transfer(event, index)
            raise

    def _apply_batches(
        self, tx: Tx, batches: list[list[Transfer]]
    ) -> list[list[CreateTransferResult]]:
        """Apply batches one after the other in ``tx``; one list of results per batch.

        The cyclic garbage collector is paused meanwhile: a batch allocates tens of thousands
        of small acyclic objects, whose collections cost a quarter of the time otherwise.
        Writes are serialized, so no two operations toggle it at once.
        """
        if not gc.isenabled():
            return self._apply(tx, batches)
        gc.disable()
        try:
            return self._apply(tx, batches)
        finally:
            gc.enable()

    def _apply(self, tx: Tx, batches: list[list[Transfer]]) -> list[list[CreateTransferResult]]:
        txn = tx.txn
        self._sync(txn)
        engine = TransferEngine(
            self._loader(txn), self._load_transfer(txn), self._load_status(txn), check_transfer
        )
        self._guard(tx, engine.accounts)
        ts = self._timestamps()
        swept = sweep_expired(txn, self._expiry, engine, ts)
        # one lookup of every id of every batch: an LMDB call per batch would hand the GIL
        # to waiting client threads each time (group commit has many small batches)
        keys = [t.id.to_bytes(16, "big") for transfers in batches for t in transfers]
        found = txn.cursor(db=self._ids).getmulti(keys)
        existing = {int.from_bytes(key, "big") for key, _ in found} if found else None
        by_id = engine.by_id
        out = []
        plain = None
        for transfers in batches:
            n = len(transfers)
            ids = [t.id for t in transfers]
            fast = (
                len(set(ids)) == n
                and not (existing and any(i in existing for i in ids))
                and not (by_id and any(i in by_id for i in ids))
            )
            # the bulk path leaves engine.created and engine.by_id empty: only for a batch
            # alone in its operation, which no later batch reads
            if fast and self.bulk and len(batches) == 1 and n >= self.bulk_min:
                from core.ledger.bulk import apply_plain

                plain = apply_plain(engine, transfers, ts, ids, self._cache)
            out.append([T_OK] * n if plain is not None else engine.run(transfers, ts, fast))
            ts += n
        ts_last = ts - 1
        created = engine.created
        if not created and not swept and plain is None:
            return out
        seq, head_hash = self._seq, self._hash
        if plain is not None:
            from core.ledger.bulk import write_plain

            dbs = (self._transfers, self._ids, self._history)
            seq, head_hash = write_plain(txn, dbs, plain, seq, head_hash, (seq + 1) >> EPOCH_SHIFT)
            self.bulk_batches += 1
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
                forget_expiry(txn, self._expiry, engine, pid)
        puts = None if plain is None else plain.account_puts(engine.accounts)
        # encode_account_state, inlined: one call per touched account adds up
        puts = puts if puts is not None else [
            (s[KEY],
             s[HEAD] + (s[0] | s[1] << 128 | s[2] << 256 | s[3] << 384).to_bytes(64, "little")
             + s[TAIL])
            for s in engine.accounts.values()
            if s is not None
        ]  # fmt: skip
        txn.cursor(db=self._accounts).putmulti(puts)
        self._set_head(tx, seq, head_hash, ts_last)
        return out
