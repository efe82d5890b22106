"""The background sync: keeps the analytics mirror within about a second of the ledger.

Each web worker process starts a :class:`SyncTask` in the application's lifespan. Only one
of them syncs: the task first takes the **leadership lock** (``<data>/analytics/sync.leader``,
an exclusive ``flock`` held for the life of the process, never waited for). The others keep
trying once per interval and take over if the leader's process ends (the kernel releases its
lock). The leader syncs every ``analytics_sync_seconds`` (default 1 s): when nothing was
committed the sync costs one LMDB read and a DuckDB open. Readers in every worker open the
file read-only under a shared lock between syncs (see :mod:`core.analytics.mirror`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from core.analytics import Mirror
from core.analytics.locks import Leadership, LockTimeout

__all__ = ["SyncTask", "analytics_lifespan"]

log = logging.getLogger("tirelire.analytics")


class SyncTask:
    """A daemon thread that syncs the mirror while this process holds the leadership."""

    def __init__(self, mirror: Mirror, interval: float) -> None:
        self.mirror = mirror
        self.interval = interval
        self.leadership = Leadership(mirror.path.parent / "sync.leader")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="analytics-sync", daemon=True)
        #: syncs done by this process (tests and logs read it)
        self.syncs = 0

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, wait for it, give the leadership up."""
        self._stop.set()
        self._thread.join()
        self.leadership.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.leadership.try_acquire():
                try:
                    self.mirror.sync(timeout=self.interval * 5)
                    self.syncs += 1
                except LockTimeout:
                    pass  # readers held the file longer than usual: next time
                except Exception:  # keep serving; say why the mirror lags
                    log.exception("analytics: the mirror sync failed")
            self._stop.wait(self.interval)


def analytics_lifespan(app: Any) -> Any:
    """A Litestar lifespan starting the sync task of the app's network (if enabled)."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        network = app.state.network
        interval = network.settings.analytics_sync_seconds
        task = None
        if interval > 0:
            from hosts.web.analytics.access import analytics_state

            task = SyncTask(analytics_state(app).mirror, interval)
            app.state.analytics_task = task
            task.start()
        try:
            yield
        finally:
            if task is not None:
                task.stop()

    return lifespan(app)
