"""The patient-record measures counted by PostgreSQL: the declarative measures
(``calc.patient_measures.Measure``) compiled to one SQL statement.

An import recomputes every affected ward-month; it needs only counts per admitting ward, local month
of admission and sex. Loading millions of rows into Python to count them costs many times what the
database needs (docs/benchmarks.md, "Patient records"), so on PostgreSQL the import counts with
this statement. ``calc.patient_measures.evaluate`` stays the reference: the command line, the
drill-down's reasons and the SQLite path use it, and a test holds the two to the same figures on
random records around the nights summer time begins and ends.

The statement, for the rules in DESIGN.md (all moments are UTC, so an interval of hours is elapsed
time; "before" includes equality, docs/patients.md):
- ``pop<j>``: the episodes of each distinct population: age at least min_age, and admission + hours
  not after the evaluation moment or the discharge; with the local month of admission;
- ``win<b>``: per block of measures, the window [ws, we]: from the admission, or from the earliest
  assessment of the measure's kind with a risk found during the stay (up to the evaluation moment);
  only episodes whose whole window lies before the evaluation moment and the discharge. A block is
  one admission-anchored measure, or all risk-anchored measures with the same population, evidence
  and window, told apart by the anchoring kind (one pass for the three action measures);
- ``hit<b>``: per episode in the window, which of the measure's kinds (a bit each) have an assessment
  (or an action) inside it, both ends included; the numerator needs all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from django.db import connection, transaction

from lagesbild.calc import localtime
from lagesbild.calc import patient_measures as pm

from .models import Assessment, Episode, PreventiveAction


WORK_MEM = "128MB"


@dataclass(frozen=True)
class Tally:
    measure: str
    unit_id: int
    month: date
    sex: str
    numerator: int
    denominator: int


def _hours(n: int) -> str:
    return f"interval '{int(n)} hours'"


def _evidence(measure: pm.Measure) -> tuple[str, str]:
    if measure.evidence == pm.ACTION:
        return PreventiveAction._meta.db_table, "started_at"
    return Assessment._meta.db_table, "performed_at"


def statement(measures: Sequence[pm.Measure]) -> tuple[str, dict]:
    """The SQL and its parameters (``zone``, ``units``, ``start``, ``end``, ``as_of`` still to be
    given). Measured choices (docs/benchmarks.md): a bound on a column is written column <= as_of -
    interval, not column + interval <= as_of, so the planner can use the column's statistics; the
    wards are a semi-join on a list, so a year of a region is read in one pass rather than ward by
    ward through an index; each population is sorted by id, so the lookups of its assessments follow
    their index in order; which kinds were found is a bit mask, aggregated without sorting."""
    episodes, assessments = Episode._meta.db_table, Assessment._meta.db_table
    params: dict = {}
    populations: dict[pm.Population, int] = {}
    anchored: dict[int, list[str]] = {}  # population -> the kinds whose first risk finding starts a window
    for measure in measures:
        j = populations.setdefault(measure.population, len(populations))
        if measure.anchor == pm.RISK_FINDING and measure.kinds[0] not in anchored.setdefault(j, []):
            anchored[j].append(measure.kinds[0])
    ctes = []
    for population, j in populations.items():
        hours = _hours(population.hours)
        ctes.append(
            f"pop{j} AS (SELECT e.id, e.unit_id, e.sex, e.admitted_at, e.discharged_at, "
            f"date_trunc('month', e.admitted_at AT TIME ZONE %(zone)s)::date AS month "
            f"FROM {episodes} e WHERE e.unit_id IN (SELECT unnest(%(units)s::bigint[])) AND e.admitted_at >= %(start)s "
            f"AND e.admitted_at < %(end)s AND e.age >= {int(population.min_age)} "
            f"AND e.admitted_at <= %(as_of)s::timestamptz - {hours} "
            f"AND (e.discharged_at IS NULL OR e.discharged_at >= e.admitted_at + {hours}) ORDER BY e.id)")
        if anchored.get(j):
            params[f"risk{j}"] = anchored[j]
            ctes.append(
                f"risk{j} AS (SELECT a.episode_id, a.kind, min(a.performed_at) AS ws FROM {assessments} a "
                f"JOIN pop{j} q ON q.id = a.episode_id WHERE a.kind = ANY(%(risk{j})s) AND a.risk "
                f"AND a.performed_at >= q.admitted_at AND a.performed_at <= %(as_of)s "
                f"AND (q.discharged_at IS NULL OR a.performed_at <= q.discharged_at) GROUP BY a.episode_id, a.kind)")
    # Blocks counted together: each admission-anchored measure alone; the risk-anchored ones that
    # share a population, evidence and window in one pass, told apart by the anchoring kind.
    blocks: dict[tuple, list[pm.Measure]] = {}
    for i, measure in enumerate(measures):
        key = (i,) if measure.anchor == pm.ADMISSION else \
            ("risk", populations[measure.population], measure.evidence, measure.window_hours)
        while any(m.kinds[0] == measure.kinds[0] for m in blocks.get(key, []) if m.anchor == pm.RISK_FINDING):
            key = (*key, i)  # the same kind twice (two codes for one rule): a block of its own
        blocks.setdefault(key, []).append(measure)
    selects = []
    for b, group in enumerate(blocks.values()):
        first = group[0]
        j, window = populations[first.population], _hours(first.window_hours)
        table, at = _evidence(first)
        if first.anchor == pm.ADMISSION:
            source = f"SELECT p.*, NULL::text AS anchor, p.admitted_at AS ws FROM pop{j} p"
            params[f"kinds{b}"] = list(first.kinds)
            params.update({f"kind{b}_{k}": kind for k, kind in enumerate(first.kinds)})
            bits = " ".join(f"WHEN %(kind{b}_{k})s THEN {1 << k}" for k in range(len(first.kinds)))
            hit = (f"SELECT x.episode_id, NULL::text AS kind, bit_or(CASE x.kind {bits} END) AS kinds FROM {table} x "
                   f"JOIN win{b} w ON w.id = x.episode_id WHERE x.kind = ANY(%(kinds{b})s) "
                   f"AND x.{at} BETWEEN w.ws AND w.we GROUP BY x.episode_id")
            full, join, code = (1 << len(first.kinds)) - 1, "h.episode_id = w.id", f"%(code{b})s"
            params[f"code{b}"] = first.code
        else:
            params[f"anchors{b}"] = [m.kinds[0] for m in group]
            source = (f"SELECT p.*, r.kind AS anchor, r.ws FROM pop{j} p JOIN risk{j} r ON r.episode_id = p.id "
                      f"AND r.kind = ANY(%(anchors{b})s)")
            hit = (f"SELECT x.episode_id, x.kind, 1 AS kinds FROM {table} x JOIN win{b} w ON w.id = x.episode_id "
                   f"AND x.kind = w.anchor WHERE x.{at} BETWEEN w.ws AND w.we GROUP BY x.episode_id, x.kind")
            params.update({f"anchor{b}_{k}": m.kinds[0] for k, m in enumerate(group)})
            params.update({f"code{b}_{k}": m.code for k, m in enumerate(group)})
            code = "CASE w.anchor " + " ".join(f"WHEN %(anchor{b}_{k})s THEN %(code{b}_{k})s"
                                               for k in range(len(group))) + " END"
            full, join = 1, "h.episode_id = w.id AND h.kind = w.anchor"
        implied = first.anchor == pm.ADMISSION and first.window_hours <= first.population.hours
        bounds = "" if implied else (f" WHERE s.ws <= %(as_of)s::timestamptz - {window} "
                                     f"AND (s.discharged_at IS NULL OR s.discharged_at >= s.ws + {window})")
        ctes.append(f"win{b} AS (SELECT s.*, s.ws + {window} AS we FROM ({source}) s{bounds})")
        ctes.append(f"hit{b} AS ({hit})")
        selects.append(f"SELECT {code}, w.unit_id, w.month, w.sex, count(*) FILTER (WHERE h.kinds = {full}), count(*) "
                       f"FROM win{b} w LEFT JOIN hit{b} h ON {join} GROUP BY 1, w.unit_id, w.month, w.sex")
    sql = "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects)
    return sql, params


def in_cells(measures: Sequence[pm.Measure], cells: Iterable[tuple[int, date]], as_of: datetime) -> list[Tally]:
    """Every measure for the (unit id, first day of local month) cells: the episodes admitted on
    those units from the first cell's month to the last's, keeping only the cells asked for."""
    cells = set(cells)
    if not cells or not measures:
        return []
    start, end = localtime.local_months(min(m for _, m in cells), max(m for _, m in cells))
    sql, params = statement(measures)
    params.update(zone=localtime.STOCKHOLM.key, units=sorted({u for u, _ in cells}), as_of=localtime.to_utc(as_of),
                  start=start, end=end)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")  # the joins' hash tables, not sorts on disk
        cur.execute(sql, params)
        rows = cur.fetchall()
    return [Tally(code, unit, month, sex, num, den) for code, unit, month, sex, num, den in rows
            if (unit, month) in cells]
