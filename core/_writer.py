"""The single writer thread with group commit, used by :class:`core.store.Store`.

Servers receive many small writes at once (payments, sessions, taps). LMDB allows one write
transaction at a time and each durable commit costs an fsync. The writer thread takes every
operation waiting in its queue, runs them one after the other inside a single LMDB write
transaction (each in a nested transaction, so a failing operation aborts only itself), commits
once, durably, and only then answers each caller. Many payments, one fsync.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.store import Store

__all__ = ["GroupCommitWriter"]

_STOP = object()


class _Pending:
    """One operation waiting for the writer: the function and the future to answer."""

    __slots__ = ("fn", "future")

    def __init__(self, fn: Callable[[Any], Any], future: Future[Any]) -> None:
        self.fn = fn
        self.future = future


class GroupCommitWriter:
    """A daemon thread that drains a queue of write operations into grouped transactions.

    ``max_group`` bounds how many operations share one transaction, so one huge burst cannot
    delay the first caller indefinitely.
    """

    def __init__(self, store: Store, *, max_group: int = 1024) -> None:
        self._store = store
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._max_group = max_group
        self._thread = threading.Thread(target=self._run, name="tirelire-writer", daemon=True)
        self._started = False
        self._start_lock = threading.Lock()

    def submit(self, fn: Callable[[Any], Any]) -> Future[Any]:
        """Queue ``fn(tx)`` and return a future resolved after its group's durable commit."""
        if not self._started:
            with self._start_lock:
                if not self._started:
                    self._thread.start()
                    self._started = True
        future: Future[Any] = Future()
        self._queue.put(_Pending(fn, future))
        return future

    def stop(self) -> None:
        """Finish the operations already queued, then stop the thread."""
        if self._started:
            self._queue.put(_STOP)
            self._thread.join()
            self._started = False

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            group = [first]
            while len(group) < self._max_group:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                group.append(item)
            self._commit_group(group)

    def _commit_group(self, group: list[_Pending]) -> None:
        try:
            outcomes = self._store._run_group([p.fn for p in group])
        except BaseException as exc:  # the group itself failed: every caller hears it
            for pending in group:
                pending.future.set_exception(exc)
            return
        for pending, (ok, value) in zip(group, outcomes, strict=True):
            if ok:
                pending.future.set_result(value)
            else:
                pending.future.set_exception(value)
