"""Who wants to know when a terminal's state changed: live pages, after the commit.

The core knows nothing of web pages; the web host subscribes a callback that wakes the
server-sent-event streams of a terminal's page. Callbacks run after the change is durable
(from ``tx.on_commit``), in whichever thread committed it (often the store's writer thread):
they must be quick and thread-safe. A callback that raises is dropped from that call only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

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
