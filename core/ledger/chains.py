"""Linked chains: events that succeed or fail together, for accounts and transfers alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["LINKED", "drive_chains"]

#: The ``LINKED`` bit, the same in account and transfer flags.
LINKED = 1


def drive_chains(
    events: Sequence[Any],
    start: int,
    results: list[Any],
    apply: Callable[[Any, int], Any],
    journal: list[Any],
    rollback: Callable[[], None],
    ok: Any,
    failed: Any,
    chain_open: Any,
) -> int:
    """Run the linked chain (or single event) starting at ``start``; return the next index.

    Every event of a chain but the last carries the ``LINKED`` bit (1 in both flag sets). When
    one fails, what the chain did is rolled back, it keeps its own result and every other event
    of the chain gets ``failed``; a chain still open at the end of the batch fails with
    ``chain_open`` on its last event.
    """
    n = len(events)
    i = start
    broken = False
    journal.clear()
    while True:
        event = events[i]
        linked = event.flags & LINKED
        if broken:
            result = failed
        elif linked and i == n - 1:
            result = chain_open
        else:
            result = apply(event, i)
        if result is not ok and not broken:
            broken = True
            rollback()
            for j in range(start, i):
                results[j] = failed
        results[i] = result
        i += 1
        if not linked or i == n:
            return i
