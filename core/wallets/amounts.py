"""Amounts as people type and read them, and as the ledger counts them (integers, never floats).

- :func:`parse_amount` turns what a person typed (``12``, ``12,5``, ``12.50``, ``1 234,50``)
  into an integer in the asset's smallest unit (``1250`` cents), by string arithmetic only;
  anything else raises :class:`~core.wallets.errors.InvalidInput` naming the field.
- :func:`format_amount` writes an integer amount with its decimals (``1250`` → ``12,50``),
  with the separators of the reader's language.
"""

from __future__ import annotations

import re

from core.i18n import N_
from core.wallets.errors import InvalidInput
from core.wallets.operations import AMOUNT_LIMIT

__all__ = ["format_amount", "parse_amount"]

_AMOUNT_RE = re.compile(r"^(\d+)(?:[.,](\d*))?$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_amount(text: object, decimals: int = 2, *, field: str = "amount") -> int:
    """The amount ``text`` names, in the smallest unit of an asset with ``decimals`` decimals.

    Accepts digits with one optional decimal separator (``.`` or ``,``), spaces or
    apostrophes between thousands, and a trailing ``€``. Refuses empty, negative, zero, too
    precise (``12,345`` for cents) and absurdly large values with InvalidInput on ``field``.
    """
    raw = text.strip() if isinstance(text, str) else ""
    raw = _SPACES.sub("", raw.removesuffix("€").strip())
    if not raw:
        raise InvalidInput(field, N_("enter an amount"))
    found = _AMOUNT_RE.match(raw)
    if found is None:
        raise InvalidInput(field, N_("enter a number such as 12,50"))
    whole, part = found.group(1), found.group(2) or ""
    if len(part) > decimals:
        raise InvalidInput(
            field, N_("at most %(decimals)s digits after the decimal separator"), decimals=decimals
        )
    if len(whole) > 15:
        raise InvalidInput(field, N_("the amount is too large"))
    value = int(whole) * 10**decimals + (int(part.ljust(decimals, "0")) if decimals else 0)
    if value <= 0:
        raise InvalidInput(field, N_("an amount must be greater than zero"))
    if value >= AMOUNT_LIMIT:
        raise InvalidInput(field, N_("the amount is too large"))
    return value


def format_amount(amount: int, decimals: int = 2, *, lang: str = "fr") -> str:
    """``amount`` (smallest unit) written for a reader: ``1234,50`` → ``1 234,50`` in French.

    French groups thousands with a narrow no-break space and uses a comma; English uses a
    comma and a point. Integer arithmetic only.
    """
    point, group = (",", "\u202f") if lang == "fr" else (".", ",")
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 10**decimals)
    digits = f"{whole:,}".replace(",", group)
    if decimals == 0:
        return f"{sign}{digits}"
    return f"{sign}{digits}{point}{part:0{decimals}d}"
