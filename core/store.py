"""The single store: one LMDB environment holding the ledger and every record.

Why one environment: a plugin's record change and its ledger transfers commit in one LMDB write
transaction, so a ticket is never sold without its payment nor paid without its ticket.

What it offers:

- :meth:`Store.read` a read transaction (a context manager), usable from any thread;
- :meth:`Store.write` runs ``fn(tx)`` in one write transaction in the calling thread, durably;
- :meth:`Store.submit` queues ``fn(tx)`` for the writer thread, which groups many callers into
  one transaction (each in a nested transaction) and one durable commit: group commit;
- :meth:`Store.write_async`, for coroutines: the same group commit, its functions run while
  the event loop waits (:mod:`core._loop_writer` says why: py-lmdb hands the GIL over at every
  call);
- :class:`Collection` (from :mod:`core.records`): typed msgspec records with unique and
  non-unique secondary indexes.

The map grows by itself. It starts large (address space, not disk: LMDB files are sparse on
Linux) and, when a write still hits ``MapFullError``, the store waits for open read
transactions of this process to end, doubles the map and replays the whole transaction, so no
``MapFullError`` ever reaches a caller. Write functions must therefore only touch the store
through ``tx`` (and register side effects with :meth:`Tx.on_commit` / :meth:`Tx.on_abort`):
they may run more than once.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import lmdb

from core._loop_writer import LoopWriter
from core._writer import GroupCommitWriter
from core.generations import Generations

__all__ = ["Store", "StoreStats", "Tx"]

T = TypeVar("T")

DEFAULT_MAP_SIZE = 1 << 36  # 64 GiB of address space; doubled on demand
MAX_DBS = 256


@dataclass
class StoreStats:
    """Counters a test or a benchmark reads: how many LMDB write transactions committed."""

    write_transactions: int = 0
    operations: int = 0
    grouped_operations: int = 0
    map_resizes: int = 0


class Tx:
    """What a write function receives: the LMDB transaction and its commit/abort callbacks.

    ``tx.txn`` is an ``lmdb.Transaction``. Callbacks registered with :meth:`on_commit` run after
    the enclosing transaction is durable; those registered with :meth:`on_abort` run, newest
    first, when this operation or its whole group is rolled back (use them to undo in-memory
    caches changed during the operation).
    """

    __slots__ = ("_aborts", "_commits", "store", "txn")

    def __init__(self, store: Store, txn: lmdb.Transaction) -> None:
        self.store = store
        self.txn = txn
        self._commits: list[Callable[[], None]] = []
        self._aborts: list[Callable[[], None]] = []

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction holding this operation is durable."""
        self._commits.append(callback)

    def on_abort(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` if this operation is rolled back (callbacks run newest first)."""
        self._aborts.append(callback)

    def nested(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in a nested transaction: if it raises, only what it wrote is undone.

        What ``fn`` wrote joins this transaction when it returns (and commits or aborts with
        it); its commit and abort callbacks move here too. Use it to try a step that may be
        refused (a payment) while keeping the rest of the write (a record of the attempt).
        """
        child_txn = self.store.env.begin(write=True, parent=self.txn)
        child = Tx(self.store, child_txn)
        try:
            value = fn(child)
        except BaseException:
            child_txn.abort()
            child._run_aborts()
            raise
        child_txn.commit()
        self._commits.extend(child._commits)
        self._aborts.extend(child._aborts)
        return value

    def _run_aborts(self) -> None:
        while self._aborts:
            self._aborts.pop()()
        self._commits.clear()

    def _run_commits(self) -> None:
        for callback in self._commits:
            callback()
        self._commits.clear()
        self._aborts.clear()


class _ReaderGate:
    """Lets the map grow only while no read transaction of this process is open."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._resizing = False

    def enter(self) -> None:
        with self._cond:
            while self._resizing:
                self._cond.wait()
            self._readers += 1

    def leave(self) -> None:
        with self._cond:
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._resizing = True
            while self._readers:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._resizing = False
                self._cond.notify_all()


class Store:
    """One LMDB environment in a data directory, shared by the ledger and the records."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        map_size: int = DEFAULT_MAP_SIZE,
        max_readers: int = 1024,
        sync: bool = True,
    ) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.env = lmdb.open(
            str(self.path),
            map_size=map_size,
            max_dbs=MAX_DBS,
            max_readers=max_readers,
            sync=sync,
            metasync=sync,
            subdir=True,
            readahead=False,
        )
        self.stats = StoreStats()
        self._dbs: dict[str, Any] = {}
        self._dbs_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._gate = _ReaderGate()
        self.generations = Generations(self.path)
        self._writer = GroupCommitWriter(self)
        self._loop_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopWriter] = (
            weakref.WeakKeyDictionary()
        )
        self._closed = False

    @classmethod
    def open(cls, path: str | os.PathLike[str], **options: Any) -> Store:
        """Open (or create) the store in ``path``."""
        return cls(path, **options)

    # -- named databases -------------------------------------------------------------------

    def db(self, name: str, *, dupsort: bool = False, integerkey: bool = False) -> Any:
        """Return the handle of the named database ``name``, creating it on first use."""
        handle = self._dbs.get(name)
        if handle is not None:
            return handle
        with self._dbs_lock, self._write_lock:
            handle = self._dbs.get(name)
            if handle is None:
                handle = self._retry_map_full(
                    lambda: self.env.open_db(
                        name.encode(), create=True, dupsort=dupsort, integerkey=integerkey
                    )
                )
                self._dbs[name] = handle
        return handle

    # -- reading ---------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[lmdb.Transaction]:
        """A read transaction; keep it short and never hold it across an ``await``."""
        self._gate.enter()
        try:
            txn = self._begin(write=False)
            try:
                yield txn
            finally:
                txn.abort()
        finally:
            self._gate.leave()

    # -- writing ---------------------------------------------------------------------------

    def write(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn(tx)`` in one durable write transaction in this thread and return its result.

        An exception raised by ``fn`` aborts the transaction and propagates; nothing is written.
        """
        with self._write_lock:
            outcome = self._run_group([fn], nested=False)[0]
        ok, value = outcome
        if ok:
            return value
        raise value

    def submit(self, fn: Callable[[Tx], T]) -> Future[T]:
        """Queue ``fn(tx)`` for the group-commit writer; the future resolves after commit."""
        if self._closed:
            raise RuntimeError("the store is closed")
        return self._writer.submit(fn)

    async def write_async(self, fn: Callable[[Tx], T]) -> T:
        """Await ``fn(tx)`` run by the group commit of the running event loop, durably.

        Writes awaited while no group runs share one transaction (each in a nested transaction:
        a failing one aborts only itself) and one commit; see :mod:`core._loop_writer`.
        """
        if self._closed:
            raise RuntimeError("the store is closed")
        loop = asyncio.get_running_loop()
        writer = self._loop_writers.get(loop)
        if writer is None:
            writer = self._loop_writers[loop] = LoopWriter(self, loop)
        return await writer.submit(fn)

    def write_grouped(self, fn: Callable[[Tx], T]) -> T:
        """Submit ``fn`` to the group-commit writer and wait for its durable result."""
        return self.submit(fn).result()

    def _run_group(
        self,
        fns: list[Callable[[Tx], Any]],
        *,
        nested: bool = True,
        before_commit: Callable[[], None] | None = None,
    ) -> list[tuple[bool, Any]]:
        """Run ``fns`` in one write transaction; replay it whole after growing a full map.

        ``before_commit`` is called once the functions have run, just before the commit (and
        its fsync): the event loop's writer resumes the loop there (see core._loop_writer).
        """
        with self._write_lock:
            while True:
                try:
                    return self._try_group(fns, nested, before_commit)
                except lmdb.MapFullError:
                    self._grow()

    def _try_group(
        self,
        fns: list[Callable[[Tx], Any]],
        nested: bool,
        before_commit: Callable[[], None] | None = None,
    ) -> list[tuple[bool, Any]]:
        parent = self._begin(write=True)
        outcomes: list[tuple[bool, Any]] = []
        done: list[Tx] = []
        try:
            for fn in fns:
                if nested:
                    child = self.env.begin(write=True, parent=parent)
                    tx = Tx(self, child)
                    try:
                        value = fn(tx)
                        child.commit()
                    except lmdb.MapFullError:
                        child.abort()
                        tx._run_aborts()
                        raise
                    except Exception as exc:
                        child.abort()
                        tx._run_aborts()
                        outcomes.append((False, exc))
                        continue
                else:
                    tx = Tx(self, parent)
                    try:
                        value = fn(tx)
                    except lmdb.MapFullError:
                        tx._run_aborts()
                        raise
                    except Exception as exc:
                        tx._run_aborts()
                        parent.abort()
                        return [(False, exc)]
                done.append(tx)
                outcomes.append((True, value))
            if before_commit is not None:
                before_commit()
            parent.commit()
        except BaseException:
            parent.abort()
            for tx in reversed(done):
                tx._run_aborts()
            raise
        self.stats.write_transactions += 1
        self.stats.operations += len(fns)
        if nested:
            self.stats.grouped_operations += len(fns)
        for tx in done:
            tx._run_commits()
        return outcomes

    # -- map size --------------------------------------------------------------------------

    def _begin(self, *, write: bool) -> lmdb.Transaction:
        try:
            return self.env.begin(write=write)
        except lmdb.MapResizedError:
            # another process grew the map: adopt its size, then try again
            self.env.set_mapsize(0)
            return self.env.begin(write=write)

    def _grow(self) -> None:
        with self._gate.exclusive():
            size = self.env.info()["map_size"]
            self.env.set_mapsize(size * 2)
            self.stats.map_resizes += 1

    def _retry_map_full(self, action: Callable[[], T]) -> T:
        while True:
            try:
                return action()
            except lmdb.MapFullError:
                self._grow()

    # -- life cycle ------------------------------------------------------------------------

    def sync(self) -> None:
        """Flush to disk (a no-op when every commit is already synchronous)."""
        self.env.sync(True)

    def close(self) -> None:
        """Stop the writer threads (after their queued operations); close the environment."""
        if self._closed:
            return
        self._closed = True
        self._writer.stop()
        for loop_writer in list(self._loop_writers.values()):
            loop_writer.stop()
        self.env.close()
        self.generations.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
