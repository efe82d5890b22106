"""File locks that give the mirror one writer at a time, across threads and processes.

- :func:`file_lock` takes an ``flock`` on a lock file beside the mirror: shared for readers,
  exclusive for the writer. ``flock`` locks belong to an open file description, so two threads
  of one process that each open the file exclude each other just like two processes do.
- :class:`Leadership` is the lock that elects the one process (among the web server's
  workers) that runs the background sync: it is held for the life of that process and
  released by the kernel if the process dies, so another worker takes over at its next try.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["Leadership", "LockTimeout", "file_lock"]


class LockTimeout(TimeoutError):
    """The lock could not be taken in time."""


@contextmanager
def file_lock(path: Path, *, exclusive: bool, timeout: float | None = None) -> Iterator[None]:
    """Hold an ``flock`` on ``path`` (created if missing); LockTimeout after ``timeout`` s."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        if timeout is None:
            fcntl.flock(fd, mode)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(f"{path} is locked") from None
                    time.sleep(0.01)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class Leadership:
    """An exclusive lock held while this process leads (runs the background sync)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free (never waits); True when held."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock up (another process may lead)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
