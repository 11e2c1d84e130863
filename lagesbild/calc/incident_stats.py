"""A year's incident statistics: the contract in DESIGN.md, "Incident statistics". Choices where the
contract is open are in docs/incidents.md.

Incidents are counted by the date they were registered. Percentages are ratios of counts, rounded
half-up at the end and returned as text with a point ("42.0"), as the contract's JSON has them.

Pure Python: no Django.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

NO_CAUSE = "Ej angiven"
HANDLING_DAYS = 28


@dataclass(frozen=True)
class Incident:
    case: str
    reported: date
    unit: str
    type: str
    closed: date | None = None
    cause: str = ""
    lex_maria: bool = False
    occurred: date | None = None
    severity: str = ""
    description: str = ""  # personal data: never logged, never in an error


def percent(numerator: int, denominator: int, places: int = 1) -> str | None:
    """numerator / denominator × 100, half-up to ``places`` decimals, as text with a point."""
    if not denominator:
        return None
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def change_percent(this: int, previous: int) -> str | None:
    """(this − previous) / previous × 100, half-up to two decimals; None without a previous count."""
    return percent(this - previous, previous, places=2)


def median(values: Iterable[int]) -> int | float | None:
    """The middle value; the mean of the two middle values for an even count."""
    return median_of(Counter(values))


def p90(values: Iterable[int]) -> int | None:
    """Nearest rank: the smallest value with at least 90 % of the values at or below it."""
    return p90_of(Counter(values))


def _nth(histogram: Counter, rank: int) -> int:
    """The rank-th smallest value (1-based) of the values counted in ``histogram``."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise ValueError("rank beyond the values")


def median_of(histogram: Counter) -> int | float | None:
    """The median of the values counted in ``histogram`` (value -> how many), exactly as median()."""
    n = sum(histogram.values())
    if not n:
        return None
    if n % 2:
        return _nth(histogram, n // 2 + 1)
    middle = Decimal(_nth(histogram, n // 2) + _nth(histogram, n // 2 + 1)) / 2
    return int(middle) if middle == middle.to_integral_value() else float(middle)


def p90_of(histogram: Counter) -> int | None:
    """Nearest rank over the values counted in ``histogram``: the ⌈0.9 × n⌉-th smallest."""
    n = sum(histogram.values())
    if not n:
        return None
    return _nth(histogram, -(-9 * n // 10))  # ceil(0.9 × n) without floating point


def is_due(incident: Incident, as_of: date) -> bool:
    """Registered at least 28 days before ``as_of``: in the 28-day measure's denominator."""
    return incident.reported <= as_of - timedelta(days=HANDLING_DAYS)


def closed_in_time(incident: Incident) -> bool:
    """Closed at most 28 days after registration: in the numerator (when due)."""
    return incident.closed is not None and (incident.closed - incident.reported).days <= HANDLING_DAYS


def handled_by_month(incidents: Iterable[Incident], as_of: date) -> dict[tuple[str, date], tuple[int, int]]:
    """The 28-day measure per unit and month of registration: (numerator, denominator), for the
    months with at least one incident due."""
    out: dict[tuple[str, date], list[int]] = {}
    for i in incidents:
        if is_due(i, as_of):
            count = out.setdefault((i.unit, i.reported.replace(day=1)), [0, 0])
            count[0] += closed_in_time(i)
            count[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def _ranked(counts: Counter) -> list[tuple[str, int]]:
    """Most frequent first; ties by name."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class YearCounts:
    """What a year's figures are computed from: counts, which a database can give as aggregates."""

    incidents: int = 0
    previous_year: int = 0
    types: Counter = field(default_factory=Counter)
    causes: Counter = field(default_factory=Counter)  # a blank cause under ""
    due: int = 0  # registered at least 28 days before as_of
    in_time: int = 0  # of those, closed at most 28 days after registration
    lead_times: Counter = field(default_factory=Counter)  # days from registration to closing -> how many
    lex_maria: int = 0


def counts(incidents: Iterable[Incident], year: int, as_of: date) -> YearCounts:
    c = YearCounts()
    for i in incidents:
        if i.reported.year == year - 1:
            c.previous_year += 1
        if i.reported.year != year:
            continue
        c.incidents += 1
        c.types[i.type] += 1
        c.causes[i.cause] += 1
        c.lex_maria += i.lex_maria
        if is_due(i, as_of):
            c.due += 1
            c.in_time += closed_in_time(i)
        if i.closed is not None:
            c.lead_times[(i.closed - i.reported).days] += 1
    return c


def summary(incidents: Iterable[Incident], year: int, as_of: date) -> dict:
    """The contract's figures for ``year`` (incidents registered that calendar year), with
    ``as_of`` deciding which incidents have had their 28 days."""
    return summary_of(counts(incidents, year, as_of), year)


def summary_of(c: YearCounts, year: int) -> dict:
    """The contract's figures from a year's counts (the one arithmetic, whoever counted)."""
    causes = Counter()
    for cause, n in c.causes.items():
        causes[cause or NO_CAUSE] += n
    return {
        "year": year,
        "incidents": c.incidents,
        "previous_year": c.previous_year,
        "change_percent": change_percent(c.incidents, c.previous_year),
        "types": [{"type": name, "count": n} for name, n in _ranked(+c.types)],
        "causes": [{"cause": name, "count": n, "percent": percent(n, c.incidents)} for name, n in _ranked(+causes)],
        "closed_within_28_days": {"numerator": c.in_time, "denominator": c.due, "percent": percent(c.in_time, c.due)},
        "lead_time_days": {"closed": sum(c.lead_times.values()), "median": median_of(c.lead_times),
                           "p90": p90_of(c.lead_times)},
        "lex_maria": c.lex_maria,
    }
