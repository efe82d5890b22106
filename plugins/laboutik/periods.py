"""Closure periods: the days of a register, cut at a local hour (04:00 by default).

A *boundary* is the moment, in nanoseconds since the epoch, when the local clock of the
instance's time zone shows the closure hour on some day. A period runs from the end of the
previous closure to the next boundary (or to the moment of an early closure). Its *business
date* is the local date of its start, less the closure hour: a period from Friday 04:00 to
Saturday 04:00 is Friday's, even for a sale at 01:30 on Saturday.

Daylight saving: boundaries are computed with :mod:`zoneinfo` as PEP 495 does. A closure hour
that does not exist on the day clocks go forward (02:30 in Paris) is read with the offset in
force before the change (it falls one hour later on the wall); one that happens twice is the
first. The default, 04:00, exists once every day in Europe.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "NS",
    "UTC",
    "business_date",
    "format_minute",
    "last_boundary",
    "local_datetime",
    "next_boundary",
    "parse_minute",
    "zone",
]

NS = 1_000_000_000
#: the zone used when an instance's is unknown
UTC = ZoneInfo("UTC")
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


def parse_minute(text: str) -> int | None:
    """``"04:00"`` (or ``"4h30"``) → minutes after midnight; None if it is not a time."""
    found = _HHMM.match((text or "").strip())
    return None if found is None else int(found.group(1)) * 60 + int(found.group(2))


def format_minute(minute: int) -> str:
    """240 → ``"04:00"``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def zone(name: str) -> ZoneInfo | None:
    """The time zone named ``name`` (``Europe/Paris``), or None if there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _boundary(day: dt.date, minute: int, tz: ZoneInfo) -> int:
    local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)
    return int(local.timestamp()) * NS


def local_datetime(at: int, tz: ZoneInfo) -> dt.datetime:
    """The local date and time of a moment (to the second)."""
    return dt.datetime.fromtimestamp(at // NS, tz)


def next_boundary(after: int, minute: int, tz: ZoneInfo) -> int:
    """The first boundary strictly after ``after``."""
    day = local_datetime(after, tz).date()
    for offset in range(-1, 3):
        found = _boundary(day + dt.timedelta(days=offset), minute, tz)
        if found > after:
            return found
    raise RuntimeError("no closure boundary within two days")  # pragma: no cover


def last_boundary(at: int, minute: int, tz: ZoneInfo) -> int:
    """The last boundary at or before ``at``."""
    day = local_datetime(at, tz).date()
    for offset in range(1, -3, -1):
        found = _boundary(day + dt.timedelta(days=offset), minute, tz)
        if found <= at:
            return found
    raise RuntimeError("no closure boundary within two days")  # pragma: no cover


def business_date(start: int, minute: int, tz: ZoneInfo) -> dt.date:
    """The business day a period starting at ``start`` belongs to."""
    return (local_datetime(start, tz) - dt.timedelta(minutes=minute)).date()
