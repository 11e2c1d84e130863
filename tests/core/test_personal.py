"""Scrubbing personal identity numbers from free text (issue 8, item 26)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagesbild.core.personal import REPLACEMENT, luhn_ok, scrub


def with_check_digit(nine: str) -> str:
    """Nine digits (YYMMDDNNN) and the Luhn digit that makes them a valid identity number."""
    return nine + next(str(d) for d in range(10) if luhn_ok(nine + str(d)))


@st.composite
def identity_numbers(draw) -> str:
    born = draw(st.dates(min_value=date(1880, 1, 1), max_value=date(2025, 12, 31)))
    coordination = draw(st.booleans())
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{draw(st.integers(0, 999)):03d}"
    ten = with_check_digit(nine)
    form = draw(st.sampled_from(["10", "10-", "10+", "12", "12-"]))
    body = ten[:6] + ("-" if form.endswith("-") else "+" if form.endswith("+") else "") + ten[6:]
    return (f"{born.year // 100}" if form.startswith("12") else "") + body


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö ", max_size=30)


@given(before=words, number=identity_numbers(), after=words)
def test_every_identity_number_is_replaced_and_the_rest_kept(before, number, after):
    text = f"{before} {number} {after}"
    result = scrub(text)
    assert result.removed == 1
    assert result.text == f"{before} {REPLACEMENT} {after}"
    assert number not in result.text


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), count=st.integers(0, 10**6))
def test_dates_and_counts_are_left_alone(day, count):
    text = f"Mätt {day.isoformat()} ({day:%Y%m%d}): {count} fall, {count / 7:.3f} per dag"
    assert scrub(text).text == text
    assert scrub(text).removed == 0


@pytest.mark.parametrize("text", [
    "Ring 0701234567 eller 08-123 456 78",       # phone numbers (no valid check digit / no date)
    "Diarienummer 2025-000123",
    "Kvot 3,1212121212",                          # a decimal's digits
    "Årtal 2024-2025, 12 av 15 avdelningar",
    "991399-1234",                                # month 13
    "211212121212",                               # century 21
])
def test_ordinary_numbers_are_not_scrubbed(text):
    assert scrub(text).text == text


@pytest.mark.parametrize("text, expected", [
    ("Patient 19121212-1212 föll två gånger.", f"Patient {REPLACEMENT} föll två gånger."),
    ("121212-1212 och 121212+1212", f"{REPLACEMENT} och {REPLACEMENT}"),
    ("Samordningsnummer 701063-2391.", f"Samordningsnummer {REPLACEMENT}."),
    ("pnr:191212121212", f"pnr:{REPLACEMENT}"),
    ("Ett felskrivet 121212-1213 tas också bort", f"Ett felskrivet {REPLACEMENT} tas också bort"),
])
def test_known_forms(text, expected):
    assert scrub(text).text == expected


def test_empty_text():
    assert scrub("").text == "" and scrub("").removed == 0


def test_check_digit_of_generated_numbers():
    assert with_check_digit("121212121") == "1212121212"
    assert luhn_ok("1212121212") and not luhn_ok("1212121213")
