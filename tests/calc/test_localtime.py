"""Timestamps: Stockholm local time unless an offset is written; the autumn and spring nights."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from lagesbild.calc.localtime import STOCKHOLM, TimeError, local, local_date, local_month, parse, to_utc

UTC = timezone.utc


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2025-01-15 08:30", "2025-01-15 08:30:00", "2025-01-15T08:30",
                                  "2025-01-15T08:30:00", " 2025-01-15 08:30 ", "2025-01-15t08:30"])
def test_local_winter_time_in_every_accepted_spelling(text):
    assert parse(text) == utc(2025, 1, 15, 7, 30)


def test_summer_time_is_two_hours_ahead():
    assert parse("2025-07-01 12:00") == utc(2025, 7, 1, 10, 0)


def test_seconds_and_fractions():
    assert parse("2025-01-15 08:30:59") == utc(2025, 1, 15, 7, 30, 59)
    assert parse("2025-01-15 08:30:59.5") == utc(2025, 1, 15, 7, 30, 59, 500000)


@pytest.mark.parametrize("text,expected", [
    ("2025-03-30T01:30:00+01:00", utc(2025, 3, 30, 0, 30)),
    ("2025-03-30T03:30:00+02:00", utc(2025, 3, 30, 1, 30)),
    ("2025-03-30T02:30:00+01:00", utc(2025, 3, 30, 1, 30)),   # as written, even in the spring gap
    ("2025-10-26T02:30:00+01:00", utc(2025, 10, 26, 1, 30)),  # the second occurrence, written explicitly
    ("2025-01-15T08:30:00Z", utc(2025, 1, 15, 8, 30)),
    ("2025-01-15 08:30Z", utc(2025, 1, 15, 8, 30)),
    ("2025-01-15 08:30 +0100", utc(2025, 1, 15, 7, 30)),
    ("2025-01-15T08:30+01", utc(2025, 1, 15, 7, 30)),
    ("2025-01-15T08:30:00-05:00", utc(2025, 1, 15, 13, 30)),
])
def test_an_offset_is_taken_as_written(text, expected):
    assert parse(text) == expected


def test_the_autumn_night_is_the_first_occurrence_summer_time():
    # Last Sunday of October 2025: 03:00 summer time becomes 02:00 winter time; 02:30 happens twice.
    assert parse("2025-10-26 02:30") == utc(2025, 10, 26, 0, 30)
    assert parse("2025-10-26 01:59") == utc(2025, 10, 25, 23, 59)
    assert parse("2025-10-26 03:00") == utc(2025, 10, 26, 2, 0)


@pytest.mark.parametrize("text", ["2025-03-30 02:00", "2025-03-30 02:30", "2025-03-30 02:59:59",
                                  "2024-03-31 02:15"])
def test_the_spring_night_gap_is_an_error(text):
    with pytest.raises(TimeError, match="finns inte"):
        parse(text)


def test_the_edges_of_the_spring_gap_exist():
    assert parse("2025-03-30 01:59:59") == utc(2025, 3, 30, 0, 59, 59)
    assert parse("2025-03-30 03:00") == utc(2025, 3, 30, 1, 0)


def test_elapsed_time_across_the_spring_night_is_23_hours():
    assert parse("2025-03-31 01:00") - parse("2025-03-30 01:00") == timedelta(hours=23)
    assert parse("2025-10-27 01:00") - parse("2025-10-26 01:00") == timedelta(hours=25)


@pytest.mark.parametrize("text", ["", "2025-01-15", "15/01/2025 08:30", "2025-01-15 8:30", "2025-13-01 08:00",
                                  "2025-02-29 08:00", "2025-01-15 24:00", "2025-01-15 08:60", "2025-01-15 08.30",
                                  "2025-01-15T08:30+25:00", "2025-01-15+01:00", "igår"])
def test_malformed_timestamps(text):
    with pytest.raises(TimeError):
        parse(text)


def test_a_date_alone_is_midnight_only_when_asked():
    with pytest.raises(TimeError, match="klockslag saknas"):
        parse("2025-01-15")
    assert parse("2025-01-15", date_is_midnight=True) == utc(2025, 1, 14, 23, 0)
    assert parse(date(2025, 7, 1), date_is_midnight=True) == utc(2025, 6, 30, 22, 0)
    with pytest.raises(TimeError):
        parse(date(2025, 7, 1))


def test_datetime_objects_from_excel():
    assert parse(datetime(2025, 1, 15, 8, 30)) == utc(2025, 1, 15, 7, 30)  # naive: local
    assert parse(datetime(2025, 10, 26, 2, 30, fold=1)) == utc(2025, 10, 26, 0, 30)  # still the first
    assert parse(datetime(2025, 1, 15, 8, 30, tzinfo=UTC)) == utc(2025, 1, 15, 8, 30)
    with pytest.raises(TimeError):
        parse(datetime(2025, 3, 30, 2, 30))


def test_results_are_in_utc_so_arithmetic_is_elapsed_time():
    moment = parse("2025-03-30 01:00")
    assert moment.tzinfo is UTC
    assert to_utc(datetime(2025, 3, 30, 1, 0, tzinfo=STOCKHOLM)) == moment
    assert to_utc(datetime(2025, 3, 30, 1, 0, tzinfo=ZoneInfo("America/New_York"))) == utc(2025, 3, 30, 5, 0)


def test_local_month_and_date():
    late = parse("2025-01-31T23:30")  # 22:30 UTC
    assert (late.day, late.hour) == (31, 22)
    assert local_month(late) == "2025-01" and local_date(late) == date(2025, 1, 31)
    new_year = parse("2025-01-01 00:30")  # 2024-12-31 23:30 UTC
    assert new_year.year == 2024 and local_month(new_year) == "2025-01"
    assert local_month(parse("2025-02-28T23:30:00Z")) == "2025-03"
    assert local(utc(2025, 7, 1, 10)).hour == 12


@pytest.mark.parametrize("day", [date(2025, 3, 30), date(2025, 10, 26), date(2024, 3, 31), date(2024, 10, 27),
                                 date(2025, 6, 15), date(1980, 4, 6), date(1949, 4, 10)])
def test_the_remembered_hourly_offset_agrees_with_zoneinfo_minute_by_minute(day):
    """from_local remembers one offset per wall-clock hour; every minute of the days around a change
    of summer time (and of years with other rules) must come out as zoneinfo says, gap included."""
    for minute in range(-24 * 60, 2 * 24 * 60):
        wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute, seconds=minute % 7)
        exact = wall.replace(tzinfo=STOCKHOLM).astimezone(timezone.utc)
        if exact.astimezone(STOCKHOLM).replace(tzinfo=None) != wall:
            with pytest.raises(TimeError):
                to_utc(wall)
        else:
            assert to_utc(wall) == exact, wall
