"""The demo region's patient records for 2024 and 2025: episodes, risk assessments and preventive
actions whose measures are exactly the ward-month figures of ``series`` (and so the published
figures of the region's patientsäkerhetsberättelse 2025).

For each ward and month the series give the base population R (patients 70+ whose first 24 h
are complete), those with all three assessments within 24 h (r), and per kind the episodes with a
risk found (D) and those with an action within 24 h (N). Here every such count becomes that many
episodes: the first r are assessed in all three kinds within 24 h, the others miss or are late in
at least one; ``ASSESSED`` says in how many episodes of the year each kind was assessed at all
(2025: the berättelse's 8 582, 8 727 and 7 851). Patients under 70 and patients 70+ discharged
within 24 h are added around them; they are outside every denominator. Identity numbers are
valid, synthetic personnummer; the import turns them into pseudonyms.

Deterministic: the same seeds give the same files on every load. Timestamps are written with
their offset, so no generated time falls into the spring night's missing hour.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lagesbild.calc import identity, localtime

from .allocate import allocate
from .core import Row, days_in, seeded_rng

YEARS = (2024, 2025)
KINDS = ("fall", "trycksar", "undernaring")
LABELS = {"fall": "Fallrisk", "trycksar": "Trycksår", "undernaring": "Undernäring"}
ACTION_MEASURE = {"fall": "atgard-24h-fallrisk", "trycksar": "atgard-24h-trycksar",
                  "undernaring": "atgard-24h-undernaring"}
BASE_MEASURE = "riskbedomning-70-24h"
MEASURES = (BASE_MEASURE, *ACTION_MEASURE.values())
# Episodes of the year in which each kind was assessed at all (2025: the berättelse).
ASSESSED = {2024: {"fall": 7_650, "trycksar": 7_790, "undernaring": 6_940},
            2025: {"fall": 8_582, "trycksar": 8_727, "undernaring": 7_851}}
YOUNGER_SHARE = 0.35  # patients under 70, per base-population episode
SHORT_STAY_SHARE = 0.03  # patients 70+ discharged within 24 h
HEADERS = {
    "vardtillfallen.csv": ["vårdtillfälle", "personnummer", "enhet", "inskriven", "utskriven"],
    "riskbedomningar.csv": ["vårdtillfälle", "typ", "utförd", "risk"],
    "atgarder.csv": ["vårdtillfälle", "typ", "påbörjad"],
}


@dataclass
class Cell:
    unit: str
    year: int
    month: int
    base: int = 0  # R
    complete: int = 0  # r
    risk: dict = None  # kind -> D
    acted: dict = None  # kind -> N
    assessed: dict = None  # kind -> episodes assessed at all


def cells_from(rows: list[Row]) -> list[Cell]:
    """The ward-months of the four measures in YEARS, from the series' rows."""
    cells: dict[tuple[str, str], Cell] = {}
    for row in rows:
        year, month = int(row.period[:4]), int(row.period[5:7])
        if row.measure not in MEASURES or year not in YEARS:
            continue
        cell = cells.setdefault((row.unit, row.period), Cell(row.unit, year, month, risk={}, acted={}))
        if row.measure == BASE_MEASURE:
            cell.base, cell.complete = row.denominator, row.numerator
        else:
            kind = next(k for k, m in ACTION_MEASURE.items() if m == row.measure)
            cell.risk[kind], cell.acted[kind] = row.denominator, row.numerator
    out = sorted(cells.values(), key=lambda c: (c.year, c.month, c.unit))
    for c in out:
        if any(d > c.base for d in c.risk.values()):
            raise ValueError(f"{c.unit} {c.year}-{c.month:02d}: more episodes at risk than in the base population")
    _allocate_assessed(out)
    return out


def _allocate_assessed(cells: list[Cell]) -> None:
    """Per kind and year, the episodes assessed at all: at least those complete and those at risk
    in each cell, at most the cell's base population, summing to ASSESSED exactly."""
    for year in YEARS:
        mine = [c for c in cells if c.year == year]
        for kind in KINDS:
            low = [max(c.complete, c.risk.get(kind, 0)) for c in mine]
            extra = ASSESSED[year][kind] - sum(low)
            room = [c.base - lo for c, lo in zip(mine, low)]
            if not 0 <= extra <= sum(room):
                raise ValueError(f"{year} {kind}: {ASSESSED[year][kind]} assessed cannot be placed")
            more = allocate(extra, room, room, offset=seeded_rng("assessed", year, kind).random())
            for c, lo, m in zip(mine, low, more):
                c.assessed = c.assessed or {}
                c.assessed[kind] = lo + m


def personnummer(birth: date, serial: int, woman: bool) -> str:
    """A valid 12-digit personnummer (YYYYMMDD-NNNN) for a synthetic person."""
    three = f"{serial % 100:02d}{(serial // 100 % 5) * 2 + (0 if woman else 1)}"
    nine = birth.strftime("%y%m%d") + three
    return f"{birth:%Y%m%d}-{three}{identity.luhn_digit(nine)}"


class _Writer:
    def __init__(self):
        self.tables = {name: [] for name in HEADERS}
        self.serial = 0

    def episode(self, eid: str, unit: str, admitted: datetime, discharged: datetime, age: int, woman: bool,
                rng) -> None:
        self.serial += 1
        # the ``age``th birthday 20 to 340 days before the admission: the age is ``age``, and no
        # birthday falls near the admission day
        day = localtime.local_date(admitted)
        birth = date(day.year - age, day.month, min(day.day, 28)) - timedelta(days=rng.randrange(20, 340))
        if (birth.month, birth.day) == (2, 29):
            birth -= timedelta(days=1)
        self.tables["vardtillfallen.csv"].append([eid, personnummer(birth, self.serial, woman), unit,
                                                   _stamp(admitted), _stamp(discharged)])

    def assessment(self, eid: str, kind: str, at: datetime, risk: bool) -> None:
        self.tables["riskbedomningar.csv"].append([eid, LABELS[kind], _stamp(at), "Ja" if risk else "Nej"])

    def action(self, eid: str, kind: str, at: datetime) -> None:
        self.tables["atgarder.csv"].append([eid, LABELS[kind], _stamp(at)])

    def files(self) -> dict[str, bytes]:
        out = {}
        for name, header in HEADERS.items():
            buffer = io.StringIO()
            w = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
            w.writerow(header)
            w.writerows(self.tables[name])
            out[name] = buffer.getvalue().encode("utf-8")
        return out


def _stamp(moment: datetime) -> str:
    return localtime.local(moment).isoformat(timespec="minutes")


def _admission(rng, cell: Cell) -> datetime:
    day = rng.randrange(1, days_in(f"{cell.year}-{cell.month:02d}") + 1)
    hour = rng.choice([0, 1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])
    return localtime.from_local(datetime(cell.year, cell.month, day, hour, rng.randrange(60)))


def _spread(n: int, chosen: int, rng) -> list[int]:
    """``chosen`` distinct indexes of range(n), in random order."""
    return rng.sample(range(n), chosen)


def _base_episodes(cell: Cell, w: _Writer, rng, seq: list[int]) -> None:
    h = timedelta(hours=1)
    eids = [f"VT{cell.year}{seq[0] + i:06d}" for i in range(cell.base)]
    seq[0] += cell.base
    admitted = {e: _admission(rng, cell) for e in eids}
    incomplete = eids[cell.complete:]
    assessed_at: dict[tuple[str, str], datetime] = {}
    for kind in KINDS:
        for e in eids[:cell.complete]:
            assessed_at[(e, kind)] = admitted[e] + h * rng.uniform(0.2, 20)
        extra = cell.assessed[kind] - cell.complete
        for i in _spread(len(incomplete), extra, rng):
            assessed_at[(incomplete[i], kind)] = admitted[incomplete[i]] + h * rng.uniform(0.2, 20)
    for e in incomplete:  # none of them may have all three within 24 h
        if all((e, k) in assessed_at for k in KINDS):
            kind = rng.choice(KINDS)
            assessed_at[(e, kind)] = admitted[e] + h * rng.uniform(26, 40)
    last: dict[str, datetime] = {e: admitted[e] + h * 30 for e in eids}
    for kind in KINDS:
        with_kind = [e for e in eids if (e, kind) in assessed_at]
        at_risk = [with_kind[i] for i in _spread(len(with_kind), cell.risk.get(kind, 0), rng)]
        for n, e in enumerate(at_risk):
            t0 = assessed_at[(e, kind)]
            if n < cell.acted.get(kind, 0):
                w.action(e, kind, t0 + h * rng.uniform(0.5, 20))
            elif rng.random() < 0.5:
                w.action(e, kind, t0 + h * rng.uniform(27, 60))
            last[e] = max(last[e], t0 + h * 30)
        risky = set(at_risk)
        for e in with_kind:
            w.assessment(e, kind, assessed_at[(e, kind)], e in risky)
            last[e] = max(last[e], assessed_at[(e, kind)])
    for e in eids:
        discharged = max(last[e], admitted[e] + h * 24 * rng.uniform(2.5, 9)) + h * rng.uniform(2, 30)
        w.episode(e, cell.unit, admitted[e], discharged, rng.randrange(70, 96), rng.random() < 0.53, rng)


def _other_episodes(cell: Cell, w: _Writer, rng, seq: list[int]) -> None:
    """Patients outside every denominator: under 70, or 70+ and home within 24 h."""
    h = timedelta(hours=1)
    younger = round(cell.base * YOUNGER_SHARE)
    short = round(cell.base * SHORT_STAY_SHARE)
    for i in range(younger + short):
        eid = f"VT{cell.year}{seq[0]:06d}"
        seq[0] += 1
        admitted = _admission(rng, cell)
        if i < younger:
            age, discharged = rng.randrange(18, 70), admitted + h * 24 * rng.uniform(1, 8)
        else:
            age, discharged = rng.randrange(70, 96), admitted + h * rng.uniform(3, 23)
        w.episode(eid, cell.unit, admitted, discharged, age, rng.random() < 0.5, rng)
        for kind in KINDS:
            if rng.random() < 0.5:
                at = min(admitted + h * rng.uniform(0.5, 20), discharged)
                w.assessment(eid, kind, at, rng.random() < 0.2)


def files(rows: list[Row]) -> dict[str, bytes]:
    """The three tables (CSV, semicolon, Swedish headers) for the series' ``rows``."""
    w = _Writer()
    seq = [1]
    for cell in cells_from(rows):
        rng = seeded_rng("patients", cell.unit, cell.year, cell.month)
        _base_episodes(cell, w, rng, seq)
        _other_episodes(cell, w, rng, seq)
    return w.files()
