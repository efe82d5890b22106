"""Change counters shared by every process of a store, read without a system call.

Why: the web host reads an instance and an API key on every API request. Each LMDB call
releases the GIL (py-lmdb does it around every call) and must take it back, which on a busy
server means waiting for the other threads (the store's writer, the HTTP server's): measured,
the two reads were about a fifth of the event loop's time on the payment path
(docs/performance.md, "Payments over HTTP"). A collection created with ``cached=True``
(:class:`core.records.Collection`) keeps what it read in memory and checks, before using it,
that no process changed the collection since: the counter of its slot here has not moved.

The counters live in a small file next to the LMDB environment (``generations``), mapped in
memory by every process: a read is 8 bytes of shared memory. A write bumps its collection's
counter **after** its transaction is durable (``tx.on_commit``), under an exclusive ``flock``
so that two processes never lose an increment. A reader takes the counter before reading the
store; whatever it caches is therefore dropped at the next bump, even if it read the new
record with the old counter. Between a commit and its bump (microseconds) a reader may still
use the record as it was, as if its request had arrived a moment earlier.

Collections share slots by a hash of their name (512 slots): a collision costs a needless
re-read, never a stale one.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import zlib
from pathlib import Path

__all__ = ["Generation", "Generations"]

SLOTS = 512
_COUNTER = struct.Struct("<Q")


class Generation:
    """The counter of one collection: :attr:`value` to read it, :meth:`bump` after a change."""

    __slots__ = ("_generations", "_offset")

    def __init__(self, generations: Generations, offset: int) -> None:
        self._generations = generations
        self._offset = offset

    @property
    def value(self) -> int:
        """The counter now (shared memory: no system call, no lock)."""
        return int(_COUNTER.unpack_from(self._generations._map, self._offset)[0])

    def bump(self) -> None:
        """Add one, under the file's exclusive lock (call it once the change is durable)."""
        self._generations._add_one(self._offset)


class Generations:
    """The counters file of a store directory, mapped in memory (see the module)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "generations"
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        size = SLOTS * _COUNTER.size
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)

    def of(self, name: str) -> Generation:
        """The counter of the collection ``name``."""
        return Generation(self, (zlib.crc32(name.encode()) % SLOTS) * _COUNTER.size)

    def _add_one(self, offset: int) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            (current,) = _COUNTER.unpack_from(self._map, offset)
            _COUNTER.pack_into(self._map, offset, (current + 1) % (1 << 64))
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Unmap the file and close it."""
        self._map.close()
        os.close(self._fd)
