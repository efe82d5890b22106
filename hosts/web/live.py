"""Live pages: wake the server-sent-event streams of a terminal when its state changes.

The core tells :class:`core.terminals.TerminalEvents` listeners after each commit that
touches a terminal (a tap, a charge asked or cancelled). :class:`Live` is such a listener: it
wakes, on the server's event loop, every stream watching that terminal, which then reads the
new state from the store and sends it.

Several server workers: a tap served by another worker process does not reach this one's
listener, so every stream also re-reads the state every :data:`POLL_SECONDS` (a read
transaction: cheap) and sends it when it changed. Within one worker the page updates as soon
as the tap commits; across workers within a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from litestar import Litestar

from core.terminals import TerminalEvents

__all__ = ["POLL_SECONDS", "STREAM_SECONDS", "Live", "live_of", "start_live", "stop_live"]

#: how often a stream re-reads the state when nothing woke it
POLL_SECONDS = 1.0
#: how long one stream lasts; the browser's EventSource reconnects by itself afterwards
STREAM_SECONDS = 300.0


class Live:
    """Per-terminal wake-up events of the streams open in this process."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._unsubscribe: Callable[[], None] | None = None

    def attach(self, loop: asyncio.AbstractEventLoop, events: TerminalEvents) -> None:
        """Listen to ``events`` and deliver wake-ups on ``loop`` (the server's event loop)."""
        self._loop = loop
        self._unsubscribe = events.subscribe(self.publish)

    def detach(self) -> None:
        """Stop listening."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._loop = None

    def publish(self, instance: str, terminal_id: str) -> None:
        """Wake the streams of ``terminal_id``; safe from any thread (the store's writer)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake, terminal_id)
        except RuntimeError:  # the loop closed meanwhile: nobody is watching any more
            return

    def _wake(self, terminal_id: str) -> None:
        for event in self._waiters.get(terminal_id, ()):
            event.set()

    @contextmanager
    def watch(self, terminal_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever ``terminal_id`` changes, while the block runs."""
        event = asyncio.Event()
        self._waiters.setdefault(terminal_id, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._waiters.get(terminal_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiters[terminal_id]


def live_of(app: Litestar) -> Live:
    """The application's :class:`Live`."""
    live: Live = app.state.live
    return live


async def start_live(app: Litestar) -> None:
    """Startup hook: listen to the network's terminal events on this event loop."""
    live_of(app).attach(asyncio.get_running_loop(), app.state.network.terminal_events)


async def stop_live(app: Litestar) -> None:
    """Shutdown hook: stop listening."""
    live_of(app).detach()
