"""Deterministic synthetic national data for the roll-up benchmark.

The shape: the 21 regions of the reference data, each with 3 förvaltningar → 15 verksamheter
→ 200 enheter (the leaves), 60 measures of mixed units (percent, per 1 000, index, count) and
monthly observations for every leaf × measure × month. Every value is a pure function of
(leaf, measure, month), so the same arguments give the same data on every run and machine,
and the import file for a later year continues the same series.

Rows are produced in the order they would arrive in a real deployment – month by month, and
within a month region by region (one monthly import per region) – which is also the physical
order the table gets when it is loaded with COPY.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator, Sequence

SEED = 20251201
N_MEASURES = 60
LEAVES_PER_REGION = 200
FORVALTNINGAR = 3
VERKSAMHETER_PER_FORVALTNING = 5
MONTHS = 120
LAST_MONTH = date(2025, 12, 1)  # the current month of the data set
MEASURE_PREFIX = "nb"

# Ten units in a cycle: 5 percent, 2 per 1 000, 1 index, 2 count (→ 30/12/6/12 of 60).
UNIT_CYCLE = ("percent", "percent", "percent", "percent", "percent", "per_1000", "per_1000", "index", "count", "count")
DECIMALS = {"percent": 1, "per_1000": 2, "index": 1, "count": 0}
UNIT_TITLE = {"percent": "andel", "per_1000": "per 1 000 vårddygn", "index": "index", "count": "antal"}
TYPES = ("struktur", "process", "resultat")
_NOISE_SIZE = 8192


def add_months(d: date, n: int) -> date:
    i = d.year * 12 + d.month - 1 + n
    return date(i // 12, i % 12 + 1, 1)


def month_starts(last: date = LAST_MONTH, months: int = MONTHS) -> list[date]:
    """The months of the data set, oldest first, ending with ``last``."""
    return [add_months(last, -i) for i in range(months - 1, -1, -1)]


@dataclass(frozen=True)
class MeasureSpec:
    index: int
    code: str
    title: str
    unit: str
    decimals: int
    direction: str
    measure_type: str
    focus_area: int


def measures(n: int = N_MEASURES) -> list[MeasureSpec]:
    out = []
    for i in range(n):
        unit = UNIT_CYCLE[i % len(UNIT_CYCLE)]
        direction = "lower" if unit == "per_1000" or (unit == "count" and i % 3) else "higher"
        out.append(MeasureSpec(
            index=i, code=f"{MEASURE_PREFIX}-{i + 1:02d}", title=f"Syntetiskt mått {i + 1:02d} ({UNIT_TITLE[unit]})",
            unit=unit, decimals=DECIMALS[unit], direction=direction, measure_type=TYPES[i % 3], focus_area=i % 5 + 1,
        ))
    return out


@dataclass
class UnitSpec:
    code: str
    name: str
    kind: str
    parent_code: str
    path: str
    depth: int


@dataclass
class RegionTree:
    """One region's units below the region itself, parents before children."""

    region_code: str
    units: list[UnitSpec] = field(default_factory=list)

    @property
    def leaves(self) -> list[UnitSpec]:
        return [u for u in self.units if u.kind == "enhet"]


def region_tree(region_code: str, leaves: int = LEAVES_PER_REGION) -> RegionTree:
    """3 förvaltningar → 15 verksamheter → ``leaves`` enheter (spread evenly) under one region."""
    tree = RegionTree(region_code)
    root = f"SE/{region_code}/"
    n_verks = FORVALTNINGAR * VERKSAMHETER_PER_FORVALTNING
    per_verks = [leaves // n_verks + (1 if i < leaves % n_verks else 0) for i in range(n_verks)]
    v = 0
    for f in range(1, FORVALTNINGAR + 1):
        fcode = f"{region_code}-F{f}"
        fpath = f"{root}{fcode}/"
        tree.units.append(UnitSpec(fcode, f"Förvaltning {f} ({region_code})", "forvaltning", region_code, fpath, 2))
        for k in range(1, VERKSAMHETER_PER_FORVALTNING + 1):
            vcode = f"{fcode}-V{k}"
            vpath = f"{fpath}{vcode}/"
            tree.units.append(UnitSpec(vcode, f"Verksamhet {f}.{k} ({region_code})", "verksamhet", fcode, vpath, 3))
            for e in range(1, per_verks[v] + 1):
                ecode = f"{vcode}-E{e:02d}"
                tree.units.append(UnitSpec(ecode, f"Enhet {f}.{k}.{e} ({region_code})", "enhet", vcode,
                                           f"{vpath}{ecode}/", 4))
            v += 1
    return tree


class Values:
    """numerator/denominator for (leaf, measure, month), a pure function of the three."""

    def __init__(self, n_measures: int = N_MEASURES, seed: int = SEED):
        rng = random.Random(seed)
        self.units = [UNIT_CYCLE[i % len(UNIT_CYCLE)] for i in range(n_measures)]
        self.noise = [0.85 + 0.3 * rng.random() for _ in range(_NOISE_SIZE)]
        self.season = [1.0 + 0.08 * ((m * 5) % 12 - 5.5) / 5.5 for m in range(12)]
        self._seed = seed

    def base(self, leaf_no: int, m: int) -> tuple[int, float]:
        """(denominator level, rate) of one leaf and measure; leaf_no is global across regions."""
        rng = random.Random(self._seed * 1_000_003 + leaf_no * 101 + m)
        unit = self.units[m]
        if unit == "percent":
            return rng.randint(20, 400), 0.55 + 0.4 * rng.random()
        if unit == "per_1000":
            return rng.randint(300, 3000), (2 + 25 * rng.random()) / 1000
        if unit == "index":
            return rng.randint(5, 60), 40 + 50 * rng.random()
        return rng.randint(0, 40), 1.0  # count: the level is the numerator

    def bases(self, leaf_numbers: Sequence[int]) -> list[list[tuple[int, float]]]:
        return [[self.base(n, m) for m in range(len(self.units))] for n in leaf_numbers]

    def month_values(self, bases: list[tuple[int, float]], leaf_no: int, month_no: int) -> list[tuple[int, int | None]]:
        """(numerator, denominator) of every measure for one leaf and month (month_no: months since 2000-01)."""
        noise, units = self.noise, self.units
        s = self.season[month_no % 12]
        k0 = (leaf_no * 7919 + month_no * 104729) % _NOISE_SIZE
        out = []
        for m, (level, rate) in enumerate(bases):
            a = noise[(k0 + m * 31) % _NOISE_SIZE]
            b = noise[(k0 + m * 57 + 4001) % _NOISE_SIZE]
            unit = units[m]
            if unit == "count":
                out.append((int(level * a * s), None))
                continue
            den = max(1, int(level * a))
            if unit == "percent":
                num = min(den, int(den * min(1.0, rate * b * s) + 0.5))
            else:
                num = int(den * rate * b * s + 0.5)
            out.append((num, den))
        return out


def month_no(d: date) -> int:
    return (d.year - 2000) * 12 + d.month - 1


def observation_rows(values: Values, leaves: Sequence[tuple[int, int]], measure_ids: Sequence[int],
                     months: Sequence[date]) -> Iterator[tuple[date, list[tuple[int, int, int, int | None]]]]:
    """Per month, the rows (measure_id, org_unit_id, numerator, denominator) of all ``leaves``.

    ``leaves``: (global leaf number, org_unit id) in arrival order (region by region).
    """
    bases = values.bases([n for n, _ in leaves])
    for d in months:
        mn = month_no(d)
        rows = []
        for (leaf_no, unit_id), b in zip(leaves, bases):
            for mid, (num, den) in zip(measure_ids, values.month_values(b, leaf_no, mn)):
                rows.append((mid, unit_id, num, den))
        yield d, rows


def copy_text(values: Values, leaves: Sequence[tuple[int, int]], measure_ids: Sequence[int], months: Sequence[date],
              updated_at: str, chunk_leaves: int = 200) -> Iterator[str]:
    """COPY text-format chunks for (measure_id, org_unit_id, period_start, granularity, sex, age_band,
    numerator, denominator, status, updated_at), month by month, ``chunk_leaves`` leaves per chunk."""
    bases = values.bases([n for n, _ in leaves])
    prefixes = [[f"{mid}\t{uid}" for mid in measure_ids] for _, uid in leaves]
    null = "\\N"
    for d in months:
        mn = month_no(d)
        tail_date = f"\t{d.isoformat()}\tmonth\t\t\t"
        tail = f"\tfinal\t{updated_at}\n"
        parts = []
        for i, ((leaf_no, _), b, pre) in enumerate(zip(leaves, bases, prefixes)):
            for p, (num, den) in zip(pre, values.month_values(b, leaf_no, mn)):
                parts.append(f"{p}{tail_date}{num}\t{null if den is None else den}{tail}")
            if (i + 1) % chunk_leaves == 0:
                yield "".join(parts)
                parts = []
        if parts:
            yield "".join(parts)


def import_csv(values: Values, leaves: Sequence[tuple[int, str]], measure_codes: Sequence[str], year: int,
               limit: int) -> tuple[bytes, int]:
    """A ';'-separated UTF-8 observation file for the 12 months of ``year``: leaf by leaf, at most ``limit`` rows.

    ``leaves``: (global leaf number, unit code). Returns (bytes, rows).
    """
    lines = ["measure;unit;period;sex;age_band;numerator;denominator;status"]
    n = 0
    months = [date(year, m, 1) for m in range(1, 13)]
    for leaf_no, code in leaves:
        b = values.bases([leaf_no])[0]
        for d in months:
            key = f"{d.year}-{d.month:02d}"
            for mcode, (num, den) in zip(measure_codes, values.month_values(b, leaf_no, month_no(d))):
                if n >= limit:
                    return ("\n".join(lines) + "\n").encode("utf-8"), n
                lines.append(f"{mcode};{code};{key};;;{num};{'' if den is None else den};final")
                n += 1
    return ("\n".join(lines) + "\n").encode("utf-8"), n
