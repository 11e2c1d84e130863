"""Periods are bounded to a sane range of years (issue 8, item 23)."""

from datetime import date

import pytest

from lagesbild.calc.periods import MAX_YEAR, MIN_YEAR, Period


@pytest.mark.parametrize("text", ["9999-12", "0001-01", "9998", "9998-12", "2101-Q1", "1989-T3"])
def test_periods_outside_the_range_are_refused_with_the_range(text):
    with pytest.raises(ValueError) as exc:
        Period.parse(text)
    assert f"{MIN_YEAR}–{MAX_YEAR}" in str(exc.value) and "utanför" in str(exc.value)


@pytest.mark.parametrize("text,start", [("1990-01", date(1990, 1, 1)), ("2100-12", date(2100, 12, 1)),
                                        ("2025-Q2", date(2025, 4, 1)), ("2025", date(2025, 1, 1))])
def test_periods_inside_the_range(text, start):
    assert Period.parse(text).start == start


@pytest.mark.parametrize("text", ["2025-13", "abc", "25-01", "2025-Q5", "02025-01"])
def test_malformed_periods_say_how_to_write_one(text):
    with pytest.raises(ValueError, match="okänd period"):
        Period.parse(text)
