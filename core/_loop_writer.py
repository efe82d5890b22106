"""Group commit for coroutines, used by :meth:`core.store.Store.write_async`.

Why not simply the writer thread (:mod:`core._writer`): py-lmdb releases the GIL around every
LMDB call, even a ``get`` of a few hundred nanoseconds. With a busy event loop in one thread
and the writer running Python in another, each of those calls hands the GIL over and back
(two context switches), dozens of times per payment: measured on the payment endpoint, a sale
cost about 670 µs of CPU that way against about 330 µs when nothing competes for the GIL
(docs/performance.md, "Payments over HTTP").

How it works, one group at a time:

1. The first write submitted while no group is running schedules a flush (``loop.call_soon``);
   every write submitted before the flush runs joins the group.
2. The flush hands the group to this writer's thread and **waits for it, blocking the loop**,
   while the thread runs the functions (one LMDB write transaction, each function in a nested
   transaction: :meth:`core.store.Store._run_group`). Nothing else wants the GIL meanwhile, so
   the thread's LMDB calls cost what they cost alone.
3. Just before the commit, the thread lets the loop go on. The commit (the pages' writes and
   the two fsyncs, outside the GIL) overlaps with the loop parsing the next requests, whose
   writes gather into the next group.
4. After the durable commit the thread hands the outcomes to the loop
   (``call_soon_threadsafe``), which answers each caller and starts the next group if writes
   are waiting.

A caller cancelled before its group starts is dropped from the group: nothing of it is
written. Write functions run in the writer's thread, as with :meth:`Store.submit`; they must
not wait for the event loop (it is blocked while they run).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.store import Store

__all__ = ["LoopWriter"]

_Group = list[tuple[Callable[[Any], Any], "asyncio.Future[Any]"]]


class LoopWriter:
    """The group-commit writer of one event loop; see the module's docstring."""

    def __init__(self, store: Store, loop: asyncio.AbstractEventLoop, *, max_group: int = 1024):
        self._store = store
        self._loop = loop
        self._max_group = max_group
        self._pending: _Group = []
        self._scheduled = False
        self._running = False  # a group is in the thread (until its outcomes reach the loop)
        self._jobs: queue.SimpleQueue[tuple[_Group, threading.Event] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="tirelire-loop-writer", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[Any], Any]) -> asyncio.Future[Any]:
        """Queue ``fn(tx)``; the future resolves after its group's durable commit."""
        future: asyncio.Future[Any] = self._loop.create_future()
        self._pending.append((fn, future))
        self._schedule()
        return future

    def stop(self) -> None:
        """End the thread once the group it runs (if any) is committed; wait for it."""
        self._jobs.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _schedule(self) -> None:
        if not self._scheduled and not self._running and self._pending:
            self._scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """On the loop: hand the waiting writes to the thread; block until their functions ran."""
        self._scheduled = False
        group = [(fn, fut) for fn, fut in self._pending[: self._max_group] if not fut.done()]
        del self._pending[: self._max_group]
        if not group:
            self._schedule()
            return
        self._running = True
        ran = threading.Event()
        self._jobs.put((group, ran))
        ran.wait()  # the GIL goes to the thread; back here just before its commit

    def _work(self) -> None:
        """The thread: run each group, commit it, hand the outcomes to the loop."""
        while (job := self._jobs.get()) is not None:
            group, ran = job
            try:
                if self._store._closed:
                    raise RuntimeError("the store is closed")
                outcomes: list[tuple[bool, Any]] | BaseException = self._store._run_group(
                    [fn for fn, _ in group], before_commit=ran.set
                )
            except BaseException as exc:  # the group itself failed: every caller hears it
                outcomes = exc
            finally:
                ran.set()
            try:
                self._loop.call_soon_threadsafe(self._answer, group, outcomes)
            except RuntimeError:  # the loop is closed: nobody waits any more
                return

    def _answer(self, group: _Group, outcomes: list[tuple[bool, Any]] | BaseException) -> None:
        """On the loop: resolve the group's futures; start the next group."""
        self._running = False
        for index, (_, future) in enumerate(group):
            if future.done():  # cancelled meanwhile: its write stands, nobody to tell
                continue
            if isinstance(outcomes, BaseException):
                future.set_exception(outcomes)
                continue
            ok, value = outcomes[index]
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self._schedule()
