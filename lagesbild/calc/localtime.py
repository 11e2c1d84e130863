"""Timestamps in Swedish records: local time in Europe/Stockholm unless an offset is written.

The contract (DESIGN.md, "Patient-level indicators"): a timestamp without an offset is local time in
Europe/Stockholm; one with an offset is taken as written. A local time that occurs twice (the autumn
night) is its first occurrence (summer time, fold=0); one that does not exist (the spring night) is
an error, found by a round trip through UTC.

Every parsed moment is returned in UTC. That matters: Python subtracts and compares two datetimes
that share a ZoneInfo by their wall clocks, so 24 h across a change of summer time would be wrong;
in UTC, arithmetic is elapsed time.

Pure Python: no Django.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = timezone.utc

_TIMESTAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?)?"
    r"(?: ?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?))?",
    re.ASCII | re.IGNORECASE,
)
FORMAT_HINT = "skriv ÅÅÅÅ-MM-DD TT:MM (sekunder, T och tidszon som +01:00 eller Z går också)"


class TimeError(ValueError):
    """A timestamp that cannot be used; the message is in Swedish, for the user."""


def from_local(naive: datetime) -> datetime:
    """The UTC moment of a Stockholm wall-clock time: the first occurrence of an ambiguous one,
    TimeError for one that does not exist."""
    wall = naive.replace(tzinfo=None, fold=0)
    offset = _hour_offset(wall.year, wall.month, wall.day, wall.hour)
    if offset is not None:
        return (wall - offset).replace(tzinfo=UTC)
    return _from_local_exactly(wall)


@lru_cache(maxsize=1 << 16)
def _hour_offset(year: int, month: int, day: int, hour: int) -> timedelta | None:
    """The one UTC offset of every wall-clock moment in this Stockholm hour (a record export holds
    millions of timestamps, a year only 8 760 hours), or None when there is not one: the hour does
    not exist or the offset changes inside it; then every moment is converted on its own."""
    first, last = datetime(year, month, day, hour), datetime(year, month, day, hour, 59, 59, 999999)
    try:
        offsets = {wall - _from_local_exactly(wall).replace(tzinfo=None) for wall in (first, last)}
    except TimeError:
        return None
    return offsets.pop() if len(offsets) == 1 else None


def _from_local_exactly(wall: datetime) -> datetime:
    moment = wall.replace(tzinfo=STOCKHOLM).astimezone(UTC)
    if moment.astimezone(STOCKHOLM).replace(tzinfo=None) != wall:
        raise TimeError("tidpunkten finns inte i svensk tid (natten då sommartiden börjar går klockan från "
                        "02:00 direkt till 03:00)")
    return moment


def to_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is Stockholm local time."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        return from_local(moment)
    return moment.astimezone(UTC)


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise TimeError(f"ogiltig tidszon; {FORMAT_HINT}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse(value: str | datetime | date, *, date_is_midnight: bool = False) -> datetime:
    """The UTC moment ``value`` denotes. A ``datetime`` (as Excel delivers it) is accepted, naive
    meaning local time. A date without a time is an error unless ``date_is_midnight`` (Excel shows a
    cell at exactly midnight as a date), then it is local midnight."""
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return _midnight(value, date_is_midnight)
    return _parse_text(value, date_is_midnight)


@lru_cache(maxsize=1 << 17)
def _parse_text(value: str, date_is_midnight: bool) -> datetime:
    """``parse`` for text; timestamps repeat in a record export (admissions and assessments on
    the same minute), so the last 131 072 distinct ones are remembered (a failure never is)."""
    if len(value) == 16 and value[4] == value[7] == "-" and value[10] in " Tt" and value[13] == ":" \
            and value.isascii():  # the common form, YYYY-MM-DD HH:MM, read by the C parser
        try:
            return from_local(datetime.fromisoformat(value))
        except ValueError:
            pass  # let the full parse name the problem
    m = _TIMESTAMP.fullmatch((value or "").strip())
    if m is None:
        raise TimeError(f"ogiltig tidpunkt; {FORMAT_HINT}")
    try:
        day = date.fromisoformat(m.group("date"))
        if m.group("hour") is None:
            if m.group("offset"):
                raise TimeError(f"klockslag saknas; {FORMAT_HINT}")
            return _midnight(day, date_is_midnight)
        clock = time(int(m.group("hour")), int(m.group("minute")), int(m.group("second") or 0),
                     int((m.group("fraction") or "").ljust(6, "0")))
    except TimeError:
        raise
    except ValueError:
        raise TimeError(f"ogiltigt datum eller klockslag; {FORMAT_HINT}") from None
    wall = datetime.combine(day, clock)
    if m.group("offset"):
        return wall.replace(tzinfo=_offset(m.group("offset"))).astimezone(UTC)
    return from_local(wall)


def _midnight(day: date, allowed: bool) -> datetime:
    if not allowed:
        raise TimeError(f"klockslag saknas; {FORMAT_HINT}")
    return from_local(datetime.combine(day, time.min))


def local_months(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments where the local month of ``first`` begins and where the month after the
    month of ``last`` begins: the bounds [start, end) of a run of whole local months."""
    following = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return from_local(datetime(first.year, first.month, 1)), from_local(datetime(following.year, following.month, 1))


def local(moment: datetime) -> datetime:
    """The Stockholm wall-clock time of an aware moment."""
    return to_utc(moment).astimezone(STOCKHOLM)


def local_date(moment: datetime) -> date:
    return local(moment).date()


def local_month(moment: datetime) -> str:
    """The calendar month of the moment in Stockholm, as ``YYYY-MM``."""
    day = local_date(moment)
    return f"{day.year:04d}-{day.month:02d}"
