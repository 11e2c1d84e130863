"""Calendar periods: month, quarter, tertial (four months) and year.

A period is (start date, granularity). Observations are stored at their native granularity
(usually months) and rolled up to any longer period by summing the months inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MONTH, QUARTER, TERTIAL, YEAR = "month", "quarter", "tertial", "year"
MONTHS = {MONTH: 1, QUARTER: 3, TERTIAL: 4, YEAR: 12}
GRANULARITIES = tuple(MONTHS)
LABELS = {MONTH: "månad", QUARTER: "kvartal", TERTIAL: "tertial", YEAR: "år"}
# The years a period may lie in: wide enough for every historical series and every plan.
MIN_YEAR, MAX_YEAR = 1990, 2100
MONTH_NAMES = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def add_months(d: date, months: int) -> date:
    """The first day of the month ``months`` after (or, negative, before) the month of ``d``."""
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    granularity: str = MONTH

    def __post_init__(self) -> None:
        if self.granularity not in MONTHS:
            raise ValueError(f"unknown granularity {self.granularity!r}")
        if self.start != bucket(self.start, self.granularity):
            raise ValueError(f"{self.start} does not start a {self.granularity}")

    @classmethod
    def containing(cls, d: date, granularity: str) -> "Period":
        return cls(bucket(d, granularity), granularity)

    @property
    def months(self) -> int:
        return MONTHS[self.granularity]

    @property
    def end(self) -> date:
        """The first day after the period."""
        return add_months(self.start, self.months)

    def shift(self, n: int) -> "Period":
        return Period(add_months(self.start, n * self.months), self.granularity)

    @property
    def previous(self) -> "Period":
        return self.shift(-1)

    @property
    def same_last_year(self) -> "Period":
        return Period(add_months(self.start, -12), self.granularity)

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end

    def month_starts(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.months)]

    @property
    def label(self) -> str:
        y, m = self.start.year, self.start.month
        if self.granularity == MONTH:
            return f"{MONTH_NAMES[m - 1]} {y}"
        if self.granularity == QUARTER:
            return f"{y} kv {(m - 1) // 3 + 1}"
        if self.granularity == TERTIAL:
            return f"{y} T{(m - 1) // 4 + 1}"
        return str(y)

    @property
    def key(self) -> str:
        """Stable text form for URLs and files: 2025-03, 2025-Q1, 2025-T1, 2025."""
        y, m = self.start.year, self.start.month
        return {
            MONTH: f"{y}-{m:02d}",
            QUARTER: f"{y}-Q{(m - 1) // 3 + 1}",
            TERTIAL: f"{y}-T{(m - 1) // 4 + 1}",
            YEAR: f"{y}",
        }[self.granularity]

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Inverse of ``key``: '2025-03', '2025-Q1', '2025-T2', '2025', in the years MIN_YEAR–MAX_YEAR."""
        t = text.strip().upper()
        try:
            if len(t) == 4 and t.isdigit():
                y, granularity, first_month = t, YEAR, 1
            else:
                y, rest = t.split("-", 1)
                if rest.startswith("Q"):
                    granularity, first_month = QUARTER, 3 * (int(rest[1:]) - 1) + 1
                elif rest.startswith("T"):
                    granularity, first_month = TERTIAL, 4 * (int(rest[1:]) - 1) + 1
                else:
                    granularity, first_month = MONTH, int(rest)
            if len(y) != 4 or not y.isdigit():
                raise ValueError(y)
            year = int(y)
            if MIN_YEAR <= year <= MAX_YEAR:
                return cls(date(year, first_month, 1), granularity)
        except (ValueError, IndexError):
            raise ValueError(f"okänd period: {text[:20]!r} (använd t.ex. 2025-03, 2025-Q1, 2025-T1 eller 2025)") from None
        raise ValueError(f"perioden {text[:20]!r} ligger utanför de år som kan anges ({MIN_YEAR}–{MAX_YEAR})")


def bucket(d: date, granularity: str) -> date:
    """The first day of the period of ``granularity`` that contains ``d``."""
    n = MONTHS[granularity]
    return date(d.year, (d.month - 1) // n * n + 1, 1)


def periods_between(first: Period, last: Period) -> list[Period]:
    out, p = [], first
    while p <= last:
        out.append(p)
        p = p.shift(1)
    return out
