"""Group commit for the ledger: batches queued by many callers, applied by one operation.

:meth:`core.ledger.Ledger.submit_transfers` queues a batch and, if none is scheduled yet,
submits one :class:`Drain` operation to the store's group-commit writer. When the writer runs
it, the drain takes every batch queued so far and applies them one after the other in one
pass of the engine (each batch keeps its own results, timestamps and linked chains); the
callers' futures resolve after the durable commit.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from core.ledger.model import CreateTransferResult, LedgerInputError, Transfer, check_transfer
from core.store import Tx

if TYPE_CHECKING:
    from core.ledger.ledger import Ledger

__all__ = ["Drain"]

Queued = list[tuple[list[Transfer], Future[list[CreateTransferResult]]]]


class Drain:
    """One store operation applying every batch queued by ``submit_transfers`` so far.

    The store may run an operation twice (it replays a transaction after growing the map), so
    the batches are taken from the queue once and kept. Callers' futures resolve after the
    durable commit, or with the operation's error.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.taken: Queued | None = None

    def _take(self) -> Queued:
        ledger = self.ledger
        with ledger._queue_lock:
            taken, ledger._queue = ledger._queue, []
            ledger._drain_scheduled = False
        good = []
        for events, future in taken:
            try:
                for index, event in enumerate(events):
                    check_transfer(event, index)
            except LedgerInputError as exc:
                future.set_exception(exc)
                continue
            if events:
                good.append((events, future))
            else:
                future.set_result([])
        return good

    def op(self, tx: Tx) -> None:
        """The store operation: apply the batches, resolve the futures on commit."""
        if self.taken is None:
            self.taken = self._take()
        taken = self.taken
        if not taken:
            return
        results = self.ledger._apply_batches(tx, [events for events, _ in taken])

        def resolve() -> None:
            for (_, future), result in zip(taken, results, strict=True):
                if not future.done():  # a caller may have cancelled its future
                    future.set_result(result)

        tx.on_commit(resolve)

    def done(self, outcome: Future[None]) -> None:
        """After the store answered: hand a failure to every caller still waiting."""
        error = outcome.exception()
        if error is not None:
            self.fail(error)

    def fail(self, error: BaseException) -> None:
        """Answer every batch of this drain (taken or still queued) with ``error``."""
        if self.taken is None:
            self.taken = self._take()
        for _, future in self.taken:
            if not future.done():
                future.set_exception(error)
