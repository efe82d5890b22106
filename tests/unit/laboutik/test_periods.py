"""Closure periods: boundaries at a local hour, daylight saving, business dates."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.laboutik.periods import (
    NS,
    business_date,
    format_minute,
    last_boundary,
    next_boundary,
    parse_minute,
    zone,
)

PARIS = zone("Europe/Paris")
HOUR = 3600 * NS


def at(text: str, tz=PARIS) -> int:
    """Nanoseconds of a local ``YYYY-MM-DD HH:MM`` in ``tz``."""
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=tz).timestamp()) * NS


@pytest.mark.parametrize(
    ("text", "minute"), [("04:00", 240), ("4h30", 270), ("23:59", 1439), ("00:00", 0)]
)
def test_hours_are_read(text, minute):
    assert parse_minute(text) == minute
    assert parse_minute(format_minute(minute)) == minute


@pytest.mark.parametrize("text", ["24:00", "4", "04:60", "abc", ""])
def test_bad_hours(text):
    assert parse_minute(text) is None


def test_unknown_zones():
    assert zone("Europe/Paris") is not None
    assert zone("Mars/Olympus") is None and zone("../etc") is None


def test_next_and_last_boundary_around_the_hour():
    minute = 240
    assert next_boundary(at("2026-06-10 03:59"), minute, PARIS) == at("2026-06-10 04:00")
    assert next_boundary(at("2026-06-10 04:00"), minute, PARIS) == at("2026-06-11 04:00")
    assert next_boundary(at("2026-06-10 23:30"), minute, PARIS) == at("2026-06-11 04:00")
    assert last_boundary(at("2026-06-10 04:00"), minute, PARIS) == at("2026-06-10 04:00")
    assert last_boundary(at("2026-06-10 03:59"), minute, PARIS) == at("2026-06-09 04:00")


def test_days_around_daylight_saving_changes_are_23_and_25_hours():
    spring = next_boundary(at("2026-03-28 04:00"), 240, PARIS) - at("2026-03-28 04:00")
    autumn = next_boundary(at("2026-10-24 04:00"), 240, PARIS) - at("2026-10-24 04:00")
    assert spring == 23 * HOUR and autumn == 25 * HOUR


def test_a_closure_hour_missing_on_the_spring_day_falls_an_hour_later():
    # 02:30 does not exist on 2026-03-29 in Paris: it is read with the winter offset
    found = next_boundary(at("2026-03-29 00:00"), 150, PARIS)
    assert found == at("2026-03-29 03:30") == at("2026-03-29 01:30", zone("UTC"))


def test_business_date_is_the_day_the_period_belongs_to():
    assert business_date(at("2026-06-12 04:00"), 240, PARIS) == dt.date(2026, 6, 12)
    assert business_date(at("2026-06-13 01:30"), 240, PARIS) == dt.date(2026, 6, 12)
    assert business_date(at("2026-06-13 03:59"), 240, PARIS) == dt.date(2026, 6, 12)
    assert business_date(at("2026-06-12 23:00", zone("UTC")), 0, zone("UTC")) == dt.date(
        2026, 6, 12
    )
