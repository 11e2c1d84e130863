"""A year's incident statistics: the contract in DESIGN.md, "Incident statistics". Choices where the
contract is open are in docs/incidents.md.

Incidents are counted by the date they were registered. Percentages are ratios of counts, rounded
half-up at the end and returned as text with a point ("42.0"), as the contract's JSON has them.

Pure Python: no Django.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
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


def median(values: list[int]) -> int | float | None:
    """The middle value; the mean of the two middle values for an even count."""
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    if n % 2:
        return ordered[n // 2]
    middle = Decimal(ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return int(middle) if middle == middle.to_integral_value() else float(middle)


def p90(values: list[int]) -> int | None:
    """Nearest rank: the smallest value with at least 90 % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-9 * len(ordered) // 10)  # ceil(0.9 × n) without floating point
    return ordered[rank - 1]


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


def summary(incidents: Iterable[Incident], year: int, as_of: date) -> dict:
    """The contract's figures for ``year`` (incidents registered that calendar year), with
    ``as_of`` deciding which incidents have had their 28 days."""
    all_incidents = list(incidents)
    this = [i for i in all_incidents if i.reported.year == year]
    previous = sum(1 for i in all_incidents if i.reported.year == year - 1)
    causes = Counter((i.cause or NO_CAUSE) for i in this)
    due = [i for i in this if is_due(i, as_of)]
    in_time = sum(1 for i in due if closed_in_time(i))
    lead_times = [(i.closed - i.reported).days for i in this if i.closed is not None]
    return {
        "year": year,
        "incidents": len(this),
        "previous_year": previous,
        "change_percent": change_percent(len(this), previous),
        "types": [{"type": name, "count": n} for name, n in _ranked(Counter(i.type for i in this))],
        "causes": [{"cause": name, "count": n, "percent": percent(n, len(this))} for name, n in _ranked(causes)],
        "closed_within_28_days": {"numerator": in_time, "denominator": len(due), "percent": percent(in_time, len(due))},
        "lead_time_days": {"closed": len(lead_times), "median": median(lead_times), "p90": p90(lead_times)},
        "lex_maria": sum(1 for i in this if i.lex_maria),
    }
