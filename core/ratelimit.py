"""Fixed-window counters kept in the store: how often one address or e-mail may try again.

The counters live in the store, so every server worker sees the same ones, and a counter is
changed in the same write as what it counts. Two users: issuing e-mailed links
(:mod:`core.login_links`, per e-mail and per address) and pairing card terminals
(:mod:`core.terminals.registry`, failed codes per address).
"""

from __future__ import annotations

import math

import msgspec

from core.records import Collection
from core.store import Store, Tx

__all__ = ["FixedWindows", "RateLimited"]


class RateLimited(RuntimeError):
    """Too many attempts for one ``scope`` (e.g. an e-mail address); retry after
    ``retry_after`` seconds."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"too many requests for this {scope}; retry in {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after


class _Counter(msgspec.Struct, kw_only=True):
    bucket: str
    window_start: float
    count: int


class FixedWindows:
    """Counters of attempts per bucket (``"ip:10.0.0.5"``...), each in windows of
    ``window_seconds`` that start at a bucket's first attempt."""

    def __init__(self, store: Store, name: str, *, window_seconds: float) -> None:
        self.window_seconds = window_seconds
        self.counters: Collection[_Counter] = Collection(
            store, name, _Counter, key=lambda c: c.bucket
        )

    def check(self, tx: Tx, bucket: str, limit: int, now: float, scope: str) -> None:
        """Raise :class:`RateLimited` when ``bucket`` already reached ``limit`` in its
        current window; count nothing."""
        counter = self._current(tx, bucket, now)
        if counter.count >= limit:
            retry = counter.window_start + self.window_seconds - now
            raise RateLimited(scope, max(1, math.ceil(retry)))

    def hit(self, tx: Tx, bucket: str, limit: int, now: float, scope: str) -> None:
        """Count one attempt in ``bucket``, or raise :class:`RateLimited` (counting nothing)
        when its window is full."""
        self.check(tx, bucket, limit, now, scope)
        counter = self._current(tx, bucket, now)
        self.counters.put(tx, msgspec.structs.replace(counter, count=counter.count + 1))

    def purge(self, tx: Tx, before: float) -> int:
        """Delete the counters whose window ended before ``before``; returns how many."""
        stale = [
            c.bucket
            for c in self.counters.scan(tx.txn)
            if c.window_start + self.window_seconds < before
        ]
        for bucket in stale:
            self.counters.delete(tx, bucket)
        return len(stale)

    def _current(self, tx: Tx, bucket: str, now: float) -> _Counter:
        counter = self.counters.get(tx.txn, bucket)
        if counter is None or counter.window_start + self.window_seconds <= now:
            return _Counter(bucket=bucket, window_start=now, count=0)
        return counter
