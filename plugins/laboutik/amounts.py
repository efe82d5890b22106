"""Integer arithmetic of the register: amounts typed by people, VAT, bonuses, averages.

Nothing here uses a float. An amount is an ``int`` in cents; a rate is an ``int`` in basis
points (1/100 of a percent). Rounding rules (docs/laboutik.md):

- VAT is computed once per rate on the period's VAT-inclusive total ``G``:
  ``net = round_half_up(G * 10000 / (10000 + rate))`` and ``vat = G - net``, so
  ``net + vat == G`` to the cent;
- a refill bonus is rounded down (``floor``): the venue never offers more than its rate;
- an average is rounded half up.
"""

from __future__ import annotations

import re

from core.wallets.amounts import format_amount as _format

from .errors import Problem

__all__ = [
    "BP",
    "AmountError",
    "bonus_for",
    "format_money",
    "format_rate",
    "parse_amount",
    "parse_rate",
    "round_half_up",
    "vat_split",
]

#: basis points in 100 %
BP = 10_000
AMOUNT_MAX = 10**9  # ten million euros: far above any counter's sale
_AMOUNT_RE = re.compile(r"^(\d{1,10})(?:[.,](\d{1,2}))?$")
_RATE_RE = re.compile(r"^(\d{1,3})(?:[.,](\d{1,2}))?$")


class AmountError(ValueError):
    """A typed amount or rate could not be read; ``problem`` says why, for its field."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _clean(text: str) -> str:
    return text.replace("€", "").replace("%", "").replace(" ", "").replace("\u00a0", "").strip()


def parse_amount(text: str, *, allow_zero: bool = False) -> int:
    """``"12,50"``, ``"12.5"``, ``"12"`` or ``"12 €"`` → 1250 cents; else AmountError."""
    found = _AMOUNT_RE.match(_clean(text or ""))
    if found is None:
        raise AmountError(Problem.of("Enter an amount such as 12.50."))
    cents = int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))
    if cents == 0 and not allow_zero:
        raise AmountError(Problem.of("The amount must be greater than zero."))
    if cents >= AMOUNT_MAX:
        raise AmountError(Problem.of("This amount is too large."))
    return cents


def parse_rate(text: str) -> int:
    """A percentage with up to two decimals (``"5,5"`` → 550 basis points), 0 to 100 %."""
    found = _RATE_RE.match(_clean(text or ""))
    if found is None:
        raise AmountError(Problem.of("Enter a percentage such as 20 or 5.5."))
    points = int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))
    if points > BP:
        raise AmountError(Problem.of("A rate is between 0 and 100 %."))
    return points


def format_money(amount: int, language: str = "fr", decimals: int = 2) -> str:
    """1250 → ``12,50`` in French, ``12.50`` in English."""
    return _format(amount, decimals, lang=language)


def format_rate(points: int, language: str = "fr") -> str:
    """550 → ``5,5 %`` (``5.5 %`` in English); 2000 → ``20 %``."""
    whole, part = divmod(points, 100)
    text = str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")
    if language == "fr":
        text = text.replace(".", ",")
    return f"{text} %"


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves up (both >= 0)."""
    if denominator <= 0 or numerator < 0:
        raise ValueError("round_half_up takes a numerator >= 0 and a denominator > 0")
    return (2 * numerator + denominator) // (2 * denominator)


def vat_split(gross: int, rate: int) -> tuple[int, int]:
    """(net, vat) of a VAT-inclusive ``gross`` at ``rate`` basis points; net + vat == gross."""
    net = round_half_up(gross * BP, BP + rate)
    return net, gross - net


def bonus_for(
    amount: int, *, rate: int, threshold: int, refill_decimals: int = 2, bonus_decimals: int = 2
) -> int:
    """The gift bonus of a refill: ``rate`` basis points of ``amount`` when it reaches
    ``threshold``, converted to the bonus asset's unit and rounded down; 0 otherwise."""
    if rate <= 0 or amount < threshold:
        return 0
    return amount * rate * 10**bonus_decimals // (BP * 10**refill_decimals)
