"""Personal identity numbers in free text: find them and scrub them before text is stored.

A Swedish personnummer is YYMMDD-NNNN or YYYYMMDD-NNNN (``+`` instead of ``-`` for a person
aged 100 or more, or no separator); a samordningsnummer is the same with 60 added to the day.
To leave ordinary numbers alone (dates such as 2025-03-01, counts, phone numbers), a candidate
must have a real month and a day 1–31 (or 61–91), a century 18–20 when one is written, and,
when written without a separator, a valid Luhn check digit.

Pure Python: no Django, so every layer can use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REPLACEMENT = "[personnummer borttaget]"

_CANDIDATE = re.compile(
    r"(?<!\d)(?<!\d[.,])(?P<century>\d{2})?(?P<date>\d{6})(?P<sep>[-+]?)(?P<serial>\d{4})(?![.,]?\d)"
)


@dataclass(frozen=True)
class Scrubbed:
    text: str
    removed: int  # how many identity numbers were replaced


def luhn_ok(digits: str) -> bool:
    """The Luhn check over ten digits (YYMMDDNNNN), as on Swedish identity numbers."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _plausible_date(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > 60:
        day -= 60  # samordningsnummer
    return 1 <= month <= 12 and 1 <= day <= 31


def _is_identity_number(m: re.Match) -> bool:
    century = m.group("century")
    if century is not None and century not in ("18", "19", "20"):
        return False
    if not _plausible_date(m.group("date")):
        return False
    return bool(m.group("sep")) or luhn_ok(m.group("date") + m.group("serial"))


def scrub(text: str) -> Scrubbed:
    """``text`` with every identity number replaced by REPLACEMENT, and how many there were."""
    removed = 0

    def replace(m: re.Match) -> str:
        nonlocal removed
        if not _is_identity_number(m):
            return m.group(0)
        removed += 1
        return REPLACEMENT

    if not text:
        return Scrubbed(text or "", 0)
    return Scrubbed(_CANDIDATE.sub(replace, text), removed)
