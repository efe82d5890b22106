"""Amounts typed by people become cents without floats; months and dates are checked."""

from __future__ import annotations

import datetime

import pytest

from core.i18n import language
from plugins.claf.amounts import (
    display,
    month_bounds,
    next_month,
    parse_amount,
    parse_date,
    parse_month,
    plain,
)
from plugins.claf.errors import ClafError


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("50,00", 5000),
        ("50.00", 5000),
        ("50", 5000),
        ("50,5", 5050),
        ("0,01", 1),
        (" 1 250,00 € ", 125000),
        ("1\u00a0250,75", 125075),
        ("9999999.99", 999_999_999),
        ("12,30EUR", 1230),
    ],
)
def test_amounts_in_euros_become_cents(typed: str, cents: int) -> None:
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    "typed", ["", "  ", "abc", "-5,00", "5,001", "5,,00", "1.000,00", "10000000", "0", "0,00",
              "5e2", "+5", None, 5.0],
)  # fmt: skip
def test_bad_amounts_name_the_field(typed: object) -> None:
    with pytest.raises(ClafError) as caught:
        parse_amount(typed, "monthly_allocation")
    assert caught.value.field == "monthly_allocation"


def test_amounts_are_written_back_per_language() -> None:
    assert plain(1250) == "12.50"
    assert plain(5) == "0.05"
    assert plain(-1250) == "-12.50"
    with language("fr"):
        assert display(125075) == "1250,75"
    with language("en"):
        assert display(125075) == "1250.75"


def test_months() -> None:
    assert parse_month(" 2026-03 ") == "2026-03"
    assert next_month("2026-12") == "2027-01"
    assert next_month("2026-01") == "2026-02"
    assert month_bounds("2024-02") == (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    for bad in ("2026-13", "2026-00", "26-03", "2026/03", "1999-12", "", None):
        with pytest.raises(ClafError):
            parse_month(bad)


def test_dates() -> None:
    assert parse_date("2026-03-31", "bank_date") == datetime.date(2026, 3, 31)
    with pytest.raises(ClafError) as caught:
        parse_date("31/03/2026", "bank_date")
    assert caught.value.field == "bank_date"
