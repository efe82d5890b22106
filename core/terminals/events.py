"""Who wants to know when a terminal's state changed: live pages, after the commit.

The core knows nothing of web pages; the web host subscribes a callback that wakes the
server-sent-event streams of a terminal's page. Callbacks run after the change is durable
(from ``tx.on_commit``), in whichever thread committed it (often the store's writer thread):
they must be quick and thread-safe. A callback that raises is dropped from that call only.

A plugin's live page (it cannot import the web host) uses :meth:`TerminalEvents.watch`: an
``asyncio.Event`` set on the page's own event loop whenever one of the terminals it watches
changed (a tap, or the plugin's own ``changed_in``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from core.store import Tx

__all__ = ["TerminalEvents"]

log = logging.getLogger("tirelire.terminals")

Listener = Callable[[str, str], None]


class TerminalEvents:
    """Listeners called with ``(instance, terminal_id)`` after a terminal's state changed."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; returns the function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def changed_in(self, tx: Tx, instance: str, terminal_id: str) -> None:
        """Inside a write: tell the listeners once it is committed."""
        tx.on_commit(lambda: self.publish(instance, terminal_id))

    def publish(self, instance: str, terminal_id: str) -> None:
        """Call every listener now."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(instance, terminal_id)
            except Exception:  # a broken page must never break a payment
                log.exception("a terminal listener failed")

    @contextmanager
    def watch(self, terminal_ids: set[str]) -> Iterator[asyncio.Event]:
        """Inside a coroutine: an event set whenever a terminal of ``terminal_ids`` changed.

        The event is set on the running event loop (safe from the writer thread). The caller
        may change ``terminal_ids`` while watching (a page whose terminals change); a change
        published while the loop is closing is ignored. Clear the event before each wait.
        """
        loop = asyncio.get_running_loop()
        event = asyncio.Event()

        def listener(_instance: str, terminal_id: str) -> None:
            if terminal_id not in terminal_ids or loop.is_closed():
                return
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # the loop closed meanwhile: nobody waits any more
                return

        unsubscribe = self.subscribe(listener)
        try:
            yield event
        finally:
            unsubscribe()
