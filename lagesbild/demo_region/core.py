"""The machinery of the demo generator: seeded randomness, the organisation, and exact fills.

All randomness comes from ``random.Random`` seeded with a string per (purpose, unit) and uses
only ``random()``; the arithmetic avoids transcendental functions. So every platform produces
the same numbers, and a change to one measure does not move another.
"""

from __future__ import annotations

import random
from calendar import monthrange
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from lagesbild.calc.ratio import MULTIPLIERS, rate, round_half_up

from . import texts
from .allocate import allocate
from .measures import MEASURES

SEED = "lagesbild-demo-region-08"
REGION = "08"
NATION = "SE"
YEARS = (2023, 2024, 2025)
VALID_FROM = "2020-01-01"
PRELIMINARY_PERIODS = {"2025-11", "2025-12"}


# ---------------------------------------------------------------------------------------------
# Randomness that is the same everywhere


def seeded_rng(*key: object) -> random.Random:
    return random.Random("|".join([SEED, *map(str, key)]))


def std_normal(rng: random.Random) -> float:
    """Roughly standard normal (Irwin–Hall of four uniforms, sd 1) without libm."""
    return (rng.random() + rng.random() + rng.random() + rng.random() - 2.0) * 1.7320508


def unit_effect(spread: float, *key: object) -> float:
    """A unit's multiplicative deviation from the common level, ≥ 0.2."""
    return max(0.2, 1.0 + spread * std_normal(seeded_rng("effect", *key)))


def noise(spread: float, rng: random.Random) -> float:
    return max(0.05, 1.0 + spread * (2.0 * rng.random() - 1.0))


# ---------------------------------------------------------------------------------------------
# The organisation


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # forvaltning, verksamhet, enhet
    parent: str
    care: str = ""  # texts.WARD, ... for enheter
    specialty: str = ""
    size: int = 0
    forvaltning: str = ""


def organisation() -> list[Unit]:
    """All units, parents before children."""
    out = []
    for fsuffix, fname, verksamheter in texts.ORGANISATION:
        fcode = f"{REGION}-{fsuffix}"
        out.append(Unit(fcode, fname, "forvaltning", REGION, forvaltning=fcode))
        for vsuffix, vname, specialty, enheter in verksamheter:
            vcode = f"{fcode}-{vsuffix}"
            out.append(Unit(vcode, vname, "verksamhet", fcode, specialty=specialty, forvaltning=fcode))
            for esuffix, ename, care, size in enheter:
                out.append(Unit(f"{vcode}-{esuffix}", ename, "enhet", vcode, care, specialty, size, fcode))
    return out


def enheter_of(units: list[Unit], *cares: str) -> list[Unit]:
    return [u for u in units if u.kind == "enhet" and (not cares or u.care in cares)]


# ---------------------------------------------------------------------------------------------
# Periods and seasons

MONTHS = [f"{y}-{m:02d}" for y in YEARS for m in range(1, 13)]
# Relative level per calendar month (January first).
ADMISSIONS = [1.08, 1.05, 1.04, 1.00, 0.98, 0.94, 0.82, 0.90, 1.00, 1.03, 1.04, 1.02]
BEDS_OPEN = [1.00, 1.00, 1.00, 1.00, 1.00, 0.92, 0.80, 0.90, 1.00, 1.00, 1.00, 0.97]
UTSKR_SEASON = [1.10, 1.05, 0.95, 0.90, 0.90, 1.05, 1.35, 1.20, 0.90, 0.85, 0.90, 1.10]
OVERBEL_SEASON = [1.50, 1.40, 1.10, 0.90, 0.80, 0.90, 1.20, 1.00, 0.80, 0.90, 1.10, 1.30]
UTLOK_SEASON = [1.00, 1.00, 0.90, 0.80, 0.80, 1.20, 2.00, 1.60, 0.80, 0.80, 0.90, 1.00]
AVV_SEASON = [1.05, 1.00, 1.05, 0.95, 1.00, 0.95, 0.85, 0.90, 1.05, 1.10, 1.05, 0.95]
HYGIENE_SEASON = [1.0, 1.0, 1.0, 1.0, 1.0, 0.99, 0.98, 0.99, 1.0, 1.0, 1.0, 1.0]
SHARE_70 = {"med": 0.72, "kir": 0.50, "ort": 0.62, "gyn": 0.25, "inf": 0.45, "onk": 0.50, "aku": 0.60,
            "ger": 0.90, "onh": 0.35}


def year_of(period: str) -> int:
    return int(period[:4])


def month_of(period: str) -> int:
    return int(period[5:7])


def days_in(period: str) -> int:
    return monthrange(year_of(period), month_of(period))[1]


def months_since_start(period: str) -> int:
    """Months since 2023-01."""
    return (year_of(period) - YEARS[0]) * 12 + month_of(period) - 1


# ---------------------------------------------------------------------------------------------
# Cells and exact totals


@dataclass
class Cell:
    unit: str
    period: str
    size: float  # weight of the denominator (or the denominator itself when no total is given)
    rate: float = 1.0  # relative rate: the numerator's weight is denominator × rate
    sex: str = ""


@dataclass
class Row:
    measure: str
    unit: str
    period: str
    sex: str
    numerator: int
    denominator: int
    status: str = "final"
    age_band: str = ""


@dataclass
class Group:
    """Cells whose sums must come out as exact totals."""

    cells: list[Cell]
    value: Decimal | None = None  # the rate the group must have (rounded to the measure's decimals)
    denominator: int | None = None  # Σdenominator, when published; else the cells' own sizes
    numerator: int | None = None  # Σnumerator, when published; else derived from value
    key: tuple = field(default_factory=tuple)


def numerator_for(measure: str, value: Decimal, denominator: int) -> int:
    spec = MEASURES[measure]
    n = int((value * denominator / MULTIPLIERS[spec.unit]).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    shown = round_half_up(value, spec.decimals)
    if rate(n, denominator, spec.unit, spec.decimals) != shown:
        raise ValueError(f"{measure}: no numerator over {denominator} gives {shown}")
    return n


def fill(measure: str, group: Group) -> list[Row]:
    """Integer rows whose sums are the group's exact totals; cells that get no denominator vanish."""
    spec = MEASURES[measure]
    cells = group.cells
    rng = seeded_rng("fill", measure, *group.key)
    if group.denominator is None:
        dens = [int(c.size + 0.5) for c in cells]
    else:
        dens = allocate(group.denominator, [c.size for c in cells], offset=rng.random())
    total_den = sum(dens)
    if group.numerator is not None:
        total_num = group.numerator
    else:
        assert group.value is not None, "a group needs a value or a numerator"
        total_num = numerator_for(measure, group.value, total_den)
    if group.value is not None:
        shown = round_half_up(group.value, spec.decimals)
        if rate(total_num, total_den, spec.unit, spec.decimals) != shown:
            raise ValueError(f"{measure} {group.key}: {total_num}/{total_den} does not give {shown}")
    if spec.unit == "index":
        caps = [100 * d for d in dens]
    elif spec.unit == "per_1000":
        caps = None
    else:
        caps = dens
    weights = [d * c.rate for d, c in zip(dens, cells)]
    nums = allocate(total_num, weights, caps, offset=rng.random())
    rows = []
    for c, n, d in zip(cells, nums, dens):
        if d == 0:
            assert n == 0
            continue
        rows.append(Row(measure, c.unit, c.period, c.sex, n, d, _status(measure, c.period)))
    return rows


def _status(measure: str, period: str) -> str:
    """The last two months are preliminary (avvikelser, for one, may still be closed in time)."""
    return "preliminary" if period in PRELIMINARY_PERIODS else "final"


# ---------------------------------------------------------------------------------------------
# Gaps: months a unit did not report


EXPLICIT_GAPS = {
    # (source, unit code): periods without data
    ("cosmic", "08-HSF-MEDO-AVD2"): {"2024-09", "2024-10", "2024-11"},
    ("cosmic", "08-HSF-GERK-AVD18"): {"2025-07"},
}


def gaps(source: str, unit: str, probability: float = 0.12) -> set[str]:
    out = set(EXPLICIT_GAPS.get((source, unit), set()))
    rng = seeded_rng("gap", source, unit)
    if rng.random() < probability:
        year = YEARS[0] + int(rng.random() * len(YEARS))
        start = 1 + int(rng.random() * 10)
        length = 1 + int(rng.random() * 3)
        out |= {f"{year}-{m:02d}" for m in range(start, min(12, start + length - 1) + 1)}
    return out

