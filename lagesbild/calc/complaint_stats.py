"""A year's complaints and claims per channel: to the care units, the patient advisory committee
(patientnämnden), IVO, and Löf claims. Counted by the date received; shares are ratios of counts,
half-up at the end, as text with a point (as calc.incident_stats gives them).

- count, the previous year's count and the change in per cent (two decimals);
- categories, most frequent first (ties by name), each with its share of the channel's complaints;
- forwarded to the care provider: of the channel's complaints; action taken: of those forwarded
  (as the patientnämnd reports it: "70 % forwarded; action taken in 40 % of those");
- the complainant's sex: women, men and not given, each of all the channel's complaints.

Pure Python: no Django.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from .incident_stats import change_percent, percent

CHANNELS = {"vardenhet": "Till vårdenheterna", "patientnamnd": "Patientnämnden", "ivo": "IVO",
            "lof": "Löf (patientskadeanmälningar)"}
NO_CATEGORY = "Ej angiven"


@dataclass(frozen=True)
class Complaint:
    case: str
    received: date
    unit: str
    channel: str  # a key of CHANNELS
    category: str = ""
    sex: str = ""  # "K", "M" or "" (not given)
    forwarded: bool | None = None  # forwarded to the care provider; None: not recorded
    action_taken: bool | None = None

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"{self.case}: unknown channel {self.channel!r}")
        if self.sex not in ("K", "M", ""):
            raise ValueError(f"{self.case}: sex must be K, M or blank")


def _share(numerator: int, denominator: int) -> dict:
    return {"numerator": numerator, "denominator": denominator, "percent": percent(numerator, denominator)}


def channel_summary(complaints: list[Complaint], year: int, channel: str) -> dict:
    this = [c for c in complaints if c.channel == channel and c.received.year == year]
    previous = sum(1 for c in complaints if c.channel == channel and c.received.year == year - 1)
    categories = Counter(c.category or NO_CATEGORY for c in this)
    forwarded = [c for c in this if c.forwarded]
    sexes = Counter(c.sex for c in this)
    return {
        "channel": channel,
        "label": CHANNELS[channel],
        "count": len(this),
        "previous_year": previous,
        "change_percent": change_percent(len(this), previous),
        "categories": [{"category": name, "count": n, "percent": percent(n, len(this))}
                       for name, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))],
        "forwarded": _share(len(forwarded), len(this)),
        "action_taken": _share(sum(1 for c in forwarded if c.action_taken), len(forwarded)),
        "sex": {"K": _share(sexes["K"], len(this)), "M": _share(sexes["M"], len(this)),
                "not_given": _share(sexes[""], len(this))},
    }


def summary(complaints: Iterable[Complaint], year: int) -> dict:
    """Every channel with complaints in ``year`` or the year before, in the order of CHANNELS."""
    complaints = list(complaints)
    present = {c.channel for c in complaints if c.received.year in (year, year - 1)}
    return {"year": year, "channels": [channel_summary(complaints, year, ch) for ch in CHANNELS if ch in present]}
