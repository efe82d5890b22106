"""Closing days: the closure report ("ticket Z"), recorded once per period, kept for ever.

Periods follow each other without gap or overlap: a period starts where the previous closure
ended (the first one where the register started) and ends at the next closure hour
(:mod:`.periods`). Closing is an action (:meth:`Closures.close`), done by a cashier or a
treasurer, or by ``tirelire laboutik close`` from a scheduler:

- when the closure hour that ends the open period has passed, closing closes that period
  (one business day); call again to catch up with the next one;
- before it, ``early=True`` closes the period now (the end of an event); the next period then
  runs from that moment to the next closure hour.

The report is computed and stored in the same write as the closure, so a closure is made
once (two clicks: the second finds the period closed) and its report never changes
afterwards. An early closure ends after the ledger's last timestamp, so every sale already
committed falls in it and every later one after it.
"""

from __future__ import annotations

import lmdb

from core.i18n import N_
from core.store import Tx

from .common import Part
from .errors import NotFound, RegisterError
from .model import RegisterConfig
from .periods import UTC, business_date, local_datetime, next_boundary, zone
from .records import closure_key
from .report import build_report
from .report_model import Closure, Report

__all__ = ["Closures", "Period"]

MAX_CATCH_UP = 400


class Period:
    """The open period of an instance: its start, its scheduled end, and if that has passed."""

    __slots__ = ("config", "due", "end", "start")

    def __init__(self, config: RegisterConfig, start: int, end: int, due: bool) -> None:
        self.config = config
        self.start = start
        self.end = end
        self.due = due


class Closures(Part):
    """The closures of each instance and the open period."""

    def closed(self, instance: str, *, limit: int = 100) -> list[Closure]:
        """The instance's closures, newest first."""
        with self.store.read() as txn:
            return list(
                self.records.closures.range(
                    txn, f"{instance}/", f"{instance}/~", reverse=True, limit=limit
                )
            )

    def get(self, instance: str, number: int) -> Closure:
        """Closure ``number`` of ``instance``; NotFound otherwise."""
        with self.store.read() as txn:
            found = self.records.closures.get(txn, closure_key(instance, number))
        if found is None:
            raise NotFound("number", N_("No closure with this number."))
        return found

    def _last_in(self, txn: lmdb.Transaction, instance: str) -> Closure | None:
        found = self.records.closures.range(
            txn, f"{instance}/", f"{instance}/~", reverse=True, limit=1
        )
        return next(iter(found), None)

    def _period_in(self, txn: lmdb.Transaction, instance: str, now: int) -> Period | None:
        config = self.lb.catalog.config_in(txn, instance)
        if not config.started_at:
            return None
        last = self._last_in(txn, instance)
        start = last.end if last is not None else config.started_at
        tz = zone(config.timezone) or UTC
        end = next_boundary(start, config.closure_minute, tz)
        return Period(config, start, end, end <= now)

    def period(self, instance: str) -> Period | None:
        """The open period (None before the register's first record)."""
        with self.store.read() as txn:
            return self._period_in(txn, instance, self.now())

    def preview(self, instance: str) -> Report | None:
        """The open period's report so far ("ticket X"); nothing is recorded."""
        now = self.now()
        with self.store.read() as txn:
            period = self._period_in(txn, instance, now)
            if period is None:
                return None
            end = min(period.end, max(now, period.start + 1))
            return build_report(self.lb, txn, instance, period.start, end, period.config.timezone)

    def close(self, instance: str, *, author: str, early: bool = False) -> Closure:
        """Close the open period (see the module): its report is computed and frozen."""

        def op(tx: Tx) -> Closure:
            now = self.now()
            period = self._period_in(tx.txn, instance, now)
            if period is None:
                raise RegisterError("period", N_("Nothing to close yet."))
            config = period.config
            tz = zone(config.timezone) or UTC
            end = period.end
            if not period.due:
                if not early:
                    when = local_datetime(end, tz).strftime("%Y-%m-%d %H:%M")
                    raise RegisterError(
                        "period", N_("The current period ends at %(when)s."), when=when
                    )
                end = max(now, self.money.ledger.head().timestamp + 1, period.start + 1)
                end = min(end, period.end)
            last = self._last_in(tx.txn, instance)
            number = 1 if last is None else last.number + 1
            report = build_report(self.lb, tx.txn, instance, period.start, end, config.timezone)
            closure = Closure(
                key=closure_key(instance, number), instance=instance, number=number,
                start=period.start, end=end, early=not period.due, closed_at=now,
                closed_by=author,
                business_date=business_date(period.start, config.closure_minute, tz).isoformat(),
                report=report,
            )  # fmt: skip
            return self.records.closures.insert(tx, closure)

        # alone in its write: the ledger's head read inside it is every earlier commit
        return self.write(op, grouped=False)

    def close_due(self, instance: str, *, author: str) -> list[Closure]:
        """Close every period whose closure hour has passed, oldest first."""
        done: list[Closure] = []
        while len(done) < MAX_CATCH_UP:
            period = self.period(instance)
            if period is None or not period.due:
                break
            done.append(self.close(instance, author=author))
        return done
