"""Amounts, months and dates as people type and read them, without a single float.

- :func:`parse_amount` reads ``"50,00"``, ``"50.00"``, ``"50"``, ``"50,5"``, ``"1 250,00 €"``
  into cents (``5000``...): digits, one optional decimal separator (comma or dot) followed by
  one or two digits, spaces (also non-breaking ones) and a trailing ``€`` ignored. Everything
  else is refused with a :class:`~plugins.claf.errors.ClafError` naming the field.
- :func:`display` writes cents back for people (``12,50`` in French, ``12.50`` in English),
  :func:`plain` for files (``12.50``, whatever the language).
- :func:`parse_month` reads ``YYYY-MM``; :func:`parse_date` reads ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime
import re

from core.i18n import N_, current_language

from .errors import ClafError

__all__ = [
    "MAX_CENTS",
    "display",
    "month_bounds",
    "month_of",
    "next_month",
    "parse_amount",
    "parse_date",
    "parse_month",
    "plain",
]

_AMOUNT_RE = re.compile(r"^(\d{1,7})(?:[.,](\d{1,2}))?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
#: the largest amount accepted from a form or a file: 9 999 999,99
MAX_CENTS = 999_999_999


def parse_amount(text: object, field: str = "monthly_allocation") -> int:
    """Cents from an amount typed in euros (``"50,00"`` -> ``5000``); ClafError otherwise."""
    raw = text if isinstance(text, str) else ""
    cleaned = _SPACES.sub("", raw).removesuffix("€").removesuffix("EUR")
    if not cleaned:
        raise ClafError(field, N_("Enter an amount, for example 50,00."))
    found = _AMOUNT_RE.match(cleaned)
    if found is None:
        raise ClafError(
            field, N_("Write the amount in euros with at most two decimals, e.g. 50,00.")
        )
    whole, part = found.group(1), found.group(2) or ""
    cents = int(whole) * 100 + int(part.ljust(2, "0") or "0")
    if cents <= 0:
        raise ClafError(field, N_("The amount must be greater than zero."))
    return cents


def plain(cents: int) -> str:
    """``1250`` -> ``12.50``: the amount for files and programs (a dot, no unit)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def display(cents: int) -> str:
    """The amount for people in the current language: ``12,50`` (French) or ``12.50``."""
    text = plain(cents)
    return text.replace(".", ",") if current_language() == "fr" else text


def parse_month(text: object, field: str = "month") -> str:
    """``YYYY-MM`` checked (years 2000 to 2099, months 01 to 12); ClafError otherwise."""
    cleaned = text.strip() if isinstance(text, str) else ""
    found = _MONTH_RE.match(cleaned)
    if (
        found is None
        or not 2000 <= int(found.group(1)) <= 2099
        or not 1 <= int(found.group(2)) <= 12
    ):
        raise ClafError(field, N_("Give the month as YYYY-MM, for example 2026-03."))
    return cleaned


def next_month(month: str) -> str:
    """The month after ``YYYY-MM``."""
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def month_of(day: datetime.date) -> str:
    """``YYYY-MM`` of a date."""
    return f"{day.year}-{day.month:02d}"


def month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of ``YYYY-MM``."""
    first = datetime.date(int(month[:4]), int(month[5:]), 1)
    after = datetime.date.fromisoformat(next_month(month) + "-01")
    return first, after - datetime.timedelta(days=1)


def parse_date(text: object, field: str) -> datetime.date:
    """A ``YYYY-MM-DD`` date; ClafError naming ``field`` otherwise."""
    cleaned = text.strip() if isinstance(text, str) else ""
    try:
        return datetime.date.fromisoformat(cleaned)
    except ValueError:
        raise ClafError(field, N_("Give the date as YYYY-MM-DD.")) from None
