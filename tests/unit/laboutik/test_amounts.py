"""The register's integer arithmetic: typed amounts and rates, VAT, bonus, averages."""

from __future__ import annotations

import pytest

from plugins.laboutik.amounts import (
    AmountError,
    bonus_for,
    format_money,
    format_rate,
    parse_amount,
    parse_rate,
    round_half_up,
    vat_split,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12,50", 1250),
        ("12.5", 1250),
        ("12", 1200),
        (" 3,05 € ", 305),
        ("0,01", 1),
        ("1 000", 100000),
    ],
)
def test_amounts_are_read_as_cents(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-3", "1,234", "1.2.3", "0", "0,00", "1e3", "12,5x"])
def test_bad_amounts_say_why(text):
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert info.value.problem.message


def test_zero_may_be_allowed_and_huge_is_refused():
    assert parse_amount("0", allow_zero=True) == 0
    with pytest.raises(AmountError, match="too large"):
        parse_amount("99999999")


@pytest.mark.parametrize(
    ("text", "points"), [("20", 2000), ("5,5", 550), ("2.1", 210), ("0", 0), ("100", 10000)]
)
def test_rates_are_basis_points(text, points):
    assert parse_rate(text) == points


@pytest.mark.parametrize("text", ["101", "-1", "abc", "5,555", ""])
def test_bad_rates(text):
    with pytest.raises(AmountError):
        parse_rate(text)


def test_formatting_follows_the_language():
    assert format_money(1250) == "12,50" and format_money(1250, "en") == "12.50"
    assert format_money(-5, "en") == "-0.05"
    assert format_rate(550) == "5,5 %" and format_rate(550, "en") == "5.5 %"
    assert format_rate(2000) == "20 %" and format_rate(210, "en") == "2.1 %"


def test_round_half_up():
    assert [round_half_up(n, 4) for n in (5, 6, 7, 9, 10)] == [1, 2, 2, 2, 3]
    assert round_half_up(0, 3) == 0
    with pytest.raises(ValueError):
        round_half_up(1, 0)


@pytest.mark.parametrize(
    ("gross", "rate", "net", "vat"),
    [
        (1200, 2000, 1000, 200),  # exact
        (2600, 2000, 2167, 433),  # 2166.67 -> 2167
        (100, 550, 95, 5),  # 94.79 -> 95
        (1, 2000, 1, 0),  # 0.83 -> 1: a cent of VAT never appears from nothing
        (0, 2000, 0, 0),
        (999, 0, 999, 0),
        (1000, 1000, 909, 91),  # 909.09
    ],
)
def test_vat_is_split_once_per_rate_and_adds_up(gross, rate, net, vat):
    assert vat_split(gross, rate) == (net, vat)
    assert net + vat == gross


def test_vat_of_every_amount_adds_up_and_stays_within_half_a_cent():
    for rate in (0, 210, 550, 1000, 2000):
        for gross in range(0, 3000, 7):
            net, vat = vat_split(gross, rate)
            assert net + vat == gross
            # net is the nearest cent to gross / (1 + rate): |net * (1 + rate) - gross| <= half
            assert abs(net * (10000 + rate) - gross * 10000) * 2 <= 10000 + rate


def test_bonus_is_rounded_down_and_needs_the_threshold():
    assert bonus_for(2000, rate=1000, threshold=2000) == 200
    assert bonus_for(1999, rate=1000, threshold=2000) == 0
    assert bonus_for(2005, rate=1000, threshold=2000) == 200  # 200.5 -> 200
    assert bonus_for(2099, rate=333, threshold=0) == 69  # 69.89 -> 69
    assert bonus_for(5000, rate=0, threshold=0) == 0
    assert bonus_for(1000, rate=1000, threshold=0, bonus_decimals=0) == 1  # 1.00 -> 1 unit
    assert bonus_for(999, rate=1000, threshold=0, bonus_decimals=0) == 0
