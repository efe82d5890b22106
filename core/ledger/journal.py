"""The undo journal of a linked chain of transfers: what to restore when one event fails.

:class:`core.ledger.engine.TransferEngine` mixes it in. While a chain runs, every account
state about to change is journalled with its four balances (:meth:`ChainJournal._touch`),
every pending status with its old value, and the transfers created since the chain began are
known by their position (``_mark``); :meth:`ChainJournal._rollback` undoes all of it, so a
failing chain leaves the batch as it was before the chain (:func:`core.ledger.chains
.drive_chains` decides the results).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.ledger.bits import LINKED
from core.ledger.chains import drive_chains
from core.ledger.model import CreateTransferResult, Transfer

__all__ = ["ChainJournal"]

TR = CreateTransferResult
State = list[Any]


class ChainJournal:
    """Runs linked chains of transfers with an undo journal (mixed into the engine)."""

    created: list[tuple[int, ...]]
    by_id: dict[int, tuple[int, ...]]
    statuses: dict[int, int]
    _journal: list[Any]
    _in_chain: bool
    _mark: int
    _check: Callable[[Any, int], None]
    #: validate and apply one transfer at a timestamp (the engine's rules)
    apply: Callable[[Transfer, int], TR]

    def _chain(self, transfers: Sequence[Transfer], start: int, ts0: int, results: list[TR]) -> int:
        for j in range(start, len(transfers)):
            self._check(transfers[j], j)
            if not transfers[j].flags & LINKED:
                break
        self._in_chain = True
        self._mark = len(self.created)
        try:
            return drive_chains(
                transfers,
                start,
                results,
                lambda t, i: self.apply(t, ts0 + i),
                self._journal,
                self._rollback,
                TR.OK,
                TR.LINKED_EVENT_FAILED,
                TR.LINKED_EVENT_CHAIN_OPEN,
            )
        finally:
            self._in_chain = False
            self._journal.clear()

    def _rollback(self) -> None:
        for entry in reversed(self._journal):
            if len(entry) == 2:
                state, balances = entry
                state[0:4] = balances
            else:
                _, pending_id, old = entry
                if old is None:
                    del self.statuses[pending_id]
                else:
                    self.statuses[pending_id] = old
        self._journal.clear()
        for f in self.created[self._mark :]:
            del self.by_id[f[0]]
        del self.created[self._mark :]

    def _touch(self, *states: State) -> None:
        if self._in_chain:
            for state in states:
                self._journal.append((state, state[0:4]))
