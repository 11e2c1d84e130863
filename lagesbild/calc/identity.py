"""Swedish identity numbers (personnummer and samordningsnummer) read relative to a reference date.

The contract (DESIGN.md, "Patient-level indicators"): 12 digits (``YYYYMMDD-NNNN`` or without the
dash) or 10 (``YYMMDD-NNNN``, or ``YYMMDD+NNNN`` for a person 100 or older on the reference date;
with ``-`` the century is the one that makes the person younger than 100 then); a samordningsnummer
has 60 added to the day; the Luhn check digit is verified on the 10-digit form. Sex comes from the
second-to-last digit (odd: M, even: K).

The PyPI package ``personnummer`` decides the century relative to today, not to the admission date,
so this is a small function of its own. The number never appears in an error message, and the
parsed value does not show it in its repr.

Pure Python: no Django.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date

COORDINATION_OFFSET = 60

_FORM = re.compile(r"(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<serial>\d{4})", re.ASCII)


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # the digit sum of 2 × d


def luhn_digit(nine: str) -> str:
    """The check digit for the nine digits YYMMDDNNN. (lagesbild.core.personal has the same check for
    scrubbing text, but calc and core are independent layers, so it is repeated here.)"""
    digits = [int(ch) for ch in nine]
    total = sum(_DOUBLED[d] for d in digits[0::2]) + sum(digits[1::2])
    return str((10 - total % 10) % 10)


def luhn_ok(ten: str) -> bool:
    """The Luhn check over the ten digits YYMMDDNNNC."""
    return luhn_digit(ten[:9]) == ten[9]


class IdentityError(ValueError):
    """An identity number that cannot be used. The message never contains the number."""


@dataclass(frozen=True)
class Identity:
    normalised: str = field(repr=False)  # YYYYMMDDNNNN, the day as written (day + 60 for a samordningsnummer)
    birth: date
    sex: str  # "K" or "M"
    coordination: bool  # a samordningsnummer


@dataclass(frozen=True)
class _Parts:
    century: int | None  # 19 for a 12-digit number from 1945; None for the 10-digit form
    yy: int
    month: int
    day_as_written: int
    sep: str
    serial: str
    ten: str  # the 10-digit form YYMMDDNNNC the check digit is computed on

    @property
    def coordination(self) -> bool:
        return self.day_as_written > COORDINATION_OFFSET

    @property
    def day(self) -> int:
        return self.day_as_written - COORDINATION_OFFSET if self.coordination else self.day_as_written


def _split(text: str) -> _Parts:
    """The parts of a number in one of the accepted forms, its check digit verified."""
    m = _FORM.fullmatch((text or "").strip())
    if m is None:
        raise IdentityError("ogiltigt format; skriv ÅÅÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN, ÅÅMMDD-NNNN eller ÅÅMMDD+NNNN")
    century, sep = m.group("century"), m.group("sep")
    if century is None and not sep:
        raise IdentityError("tiosiffrigt nummer saknar skiljetecken (- eller +), så seklet går inte att avgöra")
    if century is not None and sep == "+":
        raise IdentityError("tolvsiffrigt nummer skrivs med - eller utan skiljetecken, inte med +")
    yymmdd = m.group("yymmdd")
    parts = _Parts(int(century) if century else None, int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]),
                   sep, m.group("serial"), yymmdd + m.group("serial"))
    if not 1 <= parts.month <= 12 or not 1 <= parts.day <= 31:
        raise IdentityError("ogiltigt födelsedatum i numret")
    if not luhn_ok(parts.ten):
        raise IdentityError("kontrollsiffran stämmer inte")
    return parts


def check_form(text: str) -> None:
    """Check what can be checked without a reference date: the form, month and day, the check digit."""
    _split(text)


def _birth_year(parts: _Parts, on: date) -> int:
    if parts.century is not None:
        return parts.century * 100 + parts.yy
    # The latest year ending in YY whose (month, day) is not after the reference date.
    year = on.year - (on.year - parts.yy) % 100
    if (year, parts.month, parts.day) > (on.year, on.month, on.day):
        year -= 100
    return year - 100 if parts.sep == "+" else year


def parse(text: str, on: date) -> Identity:
    """Parse ``text`` for a person seen on ``on`` (the local admission date). IdentityError if it
    is not a valid personnummer or samordningsnummer, or the person is born after ``on``."""
    parts = _split(text)
    year = _birth_year(parts, on)
    if parts.day > calendar.monthrange(year, parts.month)[1]:
        raise IdentityError("ogiltigt födelsedatum i numret")
    birth = date(year, parts.month, parts.day)
    if birth > on:
        raise IdentityError("födelsedatumet ligger efter inskrivningsdagen")
    normalised = f"{year:04d}{parts.ten[2:]}"
    sex = "M" if int(parts.serial[2]) % 2 else "K"
    return Identity(normalised, birth, sex, parts.coordination)


def age_on(birth: date, day: date) -> int:
    """Completed years on ``day``. Someone born on 29 February completes a year on 28 February in a
    year without one (as a period of years ends under lag (1930:173) om beräkning av lagstadgad tid, 1 §)."""
    years = day.year - birth.year
    last_day = calendar.monthrange(day.year, birth.month)[1]
    birthday = date(day.year, birth.month, min(birth.day, last_day))
    return years - 1 if day < birthday else years


def pseudonym(key_id: str, key: bytes, normalised12: str) -> str:
    """``key_id:`` + HMAC-SHA-256(key, normalised 12-digit number) in hex; the key id lets keys rotate."""
    if not key:
        raise ValueError("the pseudonym key is empty")
    if not key_id or ":" in key_id:
        raise ValueError("the key id must be non-empty and contain no ':'")
    if len(normalised12) != 12 or not normalised12.isdigit():
        raise ValueError("the number must be normalised to 12 digits first")
    return f"{key_id}:" + hmac.new(key, normalised12.encode("ascii"), hashlib.sha256).hexdigest()
