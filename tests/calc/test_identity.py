"""Personnummer and samordningsnummer relative to the admission date (DESIGN.md, patient-level)."""

from datetime import date

import pytest

from lagesbild.calc.identity import IdentityError, age_on, check_form, luhn_ok, parse, pseudonym
from tests.idnumbers import luhn_digit, number, with_bad_check_digit

ADMITTED = date(2025, 3, 15)


def test_the_helper_makes_numbers_the_check_accepts():
    assert luhn_digit("811218987") == "6"  # Skatteverket's example 811218-9876
    assert luhn_ok("8112189876") and not luhn_ok("8112189875")


@pytest.mark.parametrize("form", ["12-", "12", "10-"])
def test_the_accepted_forms_give_the_same_person(form):
    p = parse(number(date(1950, 7, 4), "246", form), ADMITTED)
    assert p.birth == date(1950, 7, 4)
    assert p.normalised == "19500704" + number(date(1950, 7, 4), "246", "12")[8:]
    assert (p.sex, p.coordination) == ("K", False)


def test_sex_from_the_second_to_last_digit():
    assert parse(number(date(1950, 1, 1), "131"), ADMITTED).sex == "M"
    assert parse(number(date(1950, 1, 1), "130"), ADMITTED).sex == "K"


def test_ten_digits_with_a_dash_take_the_century_that_makes_the_person_younger_than_100():
    # "250316-" cannot be 2025 (after the admission day), so it is 1925: aged 99, younger than 100.
    # "250315-" is 2025 (a newborn), never 1925 (100 that day: that person is written with "+").
    assert parse(number(date(1925, 3, 16), form="10-"), ADMITTED).birth == date(1925, 3, 16)
    assert parse(number(date(2025, 3, 15), form="10-"), ADMITTED).birth == date(2025, 3, 15)
    assert parse(number(date(1955, 3, 15), form="10-"), ADMITTED).birth == date(1955, 3, 15)


def test_the_century_is_relative_to_the_admission_date_not_today():
    # "250316-" on an admission in 2025-03-15 is a 99-year-old; the same number on 2025-03-16 a newborn.
    text = number(date(1925, 3, 16), form="10-")
    assert parse(text, date(2025, 3, 15)).birth == date(1925, 3, 16)
    assert parse(text, date(2025, 3, 16)).birth == date(2025, 3, 16)
    assert parse(number(date(1930, 1, 1), form="10-"), date(2020, 6, 1)).birth == date(1930, 1, 1)


def test_ten_digits_with_a_plus_are_100_or_older_on_the_admission_date():
    p = parse(number(date(1925, 3, 15), form="10+"), ADMITTED)
    assert p.birth == date(1925, 3, 15) and age_on(p.birth, ADMITTED) == 100
    assert p.normalised.startswith("19250315")
    assert parse(number(date(1920, 12, 24), form="10+"), ADMITTED).birth == date(1920, 12, 24)


def test_a_plus_for_someone_who_is_99_goes_back_another_century():
    assert parse(number(date(1925, 3, 16), form="10+"), ADMITTED).birth == date(1825, 3, 16)


def test_samordningsnummer_day_plus_60():
    text = number(date(1948, 11, 5), "357", "12-", coordination=True)
    assert text[6:8] == "65"
    p = parse(text, ADMITTED)
    assert (p.birth, p.coordination, p.sex) == (date(1948, 11, 5), True, "M")
    assert p.normalised[6:8] == "65"  # kept as written: the pseudonym is of the number itself
    assert parse(number(date(1948, 11, 5), "357", "10-", coordination=True), ADMITTED).birth == date(1948, 11, 5)


@pytest.mark.parametrize("text", [
    with_bad_check_digit(number(date(1950, 1, 1))),
    with_bad_check_digit(number(date(1950, 1, 1), form="10-")),
    with_bad_check_digit(number(date(1950, 1, 1), coordination=True)),
])
def test_a_bad_check_digit_is_refused_without_echoing_the_number(text):
    with pytest.raises(IdentityError, match="kontrollsiffran") as exc:
        parse(text, ADMITTED)
    assert text not in str(exc.value) and text[:8] not in str(exc.value) and text[-4:] not in str(exc.value)
    with pytest.raises(IdentityError):
        check_form(text)


@pytest.mark.parametrize("text", ["", "abc", "195001011", "19500101-12345", "195001011234x", "1950-01-01",
                                  "٢٠٢٥٠١٠١١٢٣٤"])
def test_malformed_numbers(text):
    with pytest.raises(IdentityError, match="format"):
        parse(text, ADMITTED)


def test_ten_digits_without_a_separator_are_refused_the_century_is_unknown():
    text = number(date(1950, 1, 1), form="10-").replace("-", "")
    with pytest.raises(IdentityError, match="skiljetecken"):
        parse(text, ADMITTED)


def test_twelve_digits_with_a_plus_are_refused():
    with pytest.raises(IdentityError):
        parse(number(date(1920, 1, 1)).replace("-", "+"), ADMITTED)


def test_impossible_dates():
    def with_date(yymmdd: str) -> str:
        return f"19{yymmdd}-12" + "3" + luhn_digit(yymmdd + "123")

    for yymmdd in ("501301", "500132", "500230", "500000", "500192"):
        with pytest.raises(IdentityError, match="födelsedatum"):
            parse(with_date(yymmdd), ADMITTED)
    # 29 February: fine in a leap year, not in 1900 (a "+" for 000229 on a 2025 admission)
    assert parse(with_date("480229"), ADMITTED).birth == date(1948, 2, 29)
    nine = "000229123"
    with pytest.raises(IdentityError, match="födelsedatum"):
        parse(f"000229+123{luhn_digit(nine)}", ADMITTED)
    assert parse(f"000229-123{luhn_digit(nine)}", ADMITTED).birth == date(2000, 2, 29)


def test_born_after_the_admission_is_refused():
    with pytest.raises(IdentityError, match="efter"):
        parse(number(date(2025, 3, 16)), ADMITTED)


def test_the_repr_does_not_show_the_number():
    text = number(date(1950, 1, 1), form="12")
    assert text not in repr(parse(text, ADMITTED))


@pytest.mark.parametrize("birth,day,age", [
    (date(1955, 3, 15), date(2025, 3, 15), 70),   # the 70th birthday
    (date(1955, 3, 16), date(2025, 3, 15), 69),   # the day before it
    (date(1955, 3, 14), date(2025, 3, 15), 70),
    (date(1955, 12, 31), date(2025, 1, 1), 69),
    (date(1956, 2, 29), date(2025, 2, 28), 69),   # 29 February in a year without one: 28 February
    (date(1956, 2, 29), date(2026, 2, 28), 70),
    (date(1956, 2, 29), date(2026, 2, 27), 69),
    (date(1956, 2, 29), date(2028, 2, 28), 71),   # a leap year: the birthday is the 29th
    (date(1956, 2, 29), date(2028, 2, 29), 72),
    (date(2025, 3, 15), date(2025, 3, 15), 0),
])
def test_age_in_completed_years(birth, day, age):
    assert age_on(birth, day) == age


def test_the_pseudonym_is_stable_keyed_and_does_not_contain_the_number():
    n = parse(number(date(1950, 1, 1)), ADMITTED).normalised
    a = pseudonym("k1", b"secret-one", n)
    assert a == pseudonym("k1", b"secret-one", n)
    assert a.startswith("k1:") and len(a) == 3 + 64
    assert n not in a and n[2:] not in a
    assert a != pseudonym("k1", b"secret-two", n)
    assert a != pseudonym("k2", b"secret-one", n) and a[3:] == pseudonym("k2", b"secret-one", n)[3:]
    other = parse(number(date(1950, 1, 2)), ADMITTED).normalised
    assert a != pseudonym("k1", b"secret-one", other)


def test_the_pseudonym_known_value():
    import hashlib
    import hmac

    assert pseudonym("k", b"key", "195001011234") == "k:" + hmac.new(b"key", b"195001011234", hashlib.sha256).hexdigest()


@pytest.mark.parametrize("key_id,key,n", [("k", b"", "195001011234"), ("", b"x", "195001011234"),
                                          ("a:b", b"x", "195001011234"), ("k", b"x", "5001011234")])
def test_the_pseudonym_refuses_bad_arguments(key_id, key, n):
    with pytest.raises(ValueError):
        pseudonym(key_id, key, n)
