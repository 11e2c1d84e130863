"""The measures counted by PostgreSQL (patients.measure_sql, which an import uses there) equal the
reference evaluator (calc.patient_measures.evaluate) on the same stored records: random episodes
around the nights summer time begins and ends, windows that end exactly on the discharge or the
evaluation moment, assessments before admission, readmissions, and measures beyond the standard
four (another age, a longer window, assessments counted from a risk finding)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from django.db import connection

from lagesbild.calc import localtime
from lagesbild.calc import patient_measures as pm
from lagesbild.ingest.models import Import
from lagesbild.org.models import OrgUnit
from lagesbild.patients import measure_sql
from lagesbild.patients.models import Assessment, Episode, PreventiveAction

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the SQL path is PostgreSQL's; SQLite imports use the reference evaluator")]

EXTRA = (
    pm.Measure("alla-tre-65-24h", pm.ADMISSION, pm.ASSESSMENT, pm.KINDS, pm.Population(min_age=65)),
    pm.Measure("fall-och-trycksar-48h", pm.ADMISSION, pm.ASSESSMENT, (pm.FALL, pm.TRYCKSAR), window_hours=48),
    pm.Measure("ny-bedomning-efter-risk", pm.RISK_FINDING, pm.ASSESSMENT, (pm.UNDERNARING,),
               pm.Population(min_age=0, hours=0), window_hours=12),
    pm.Measure("fallatgard-6h", pm.RISK_FINDING, pm.ACTION, (pm.FALL,), pm.Population(min_age=80, hours=8),
               window_hours=6),
    pm.Measure("samma-regel-annan-kod", pm.RISK_FINDING, pm.ACTION, (pm.FALL,)),  # one rule under two codes
)
MEASURES = pm.STANDARD_MEASURES + EXTRA
# Local wall-clock starts: the spring night (02:00 does not exist), the autumn night (02:00–02:59
# twice), a month's last evening, an ordinary day.
AROUND = ("2025-03-29 20:00", "2025-10-25 20:00", "2025-01-31 21:00", "2025-06-10 07:00")


def _random_records(rng: random.Random, units: list[OrgUnit], n: int):
    record = Import.objects.create(kind="patients", file_name="slump", sha256="0" * 64)
    episodes, assessments, actions = [], [], []
    for i in range(n):
        base = localtime.parse(rng.choice(AROUND))
        admitted = base + timedelta(minutes=rng.choice([0, 30, 60, 61, 90, 120, 179, 180, 240, 600]) + rng.randrange(3))
        stay = rng.choice([None, timedelta(hours=24), timedelta(hours=23, minutes=59), timedelta(hours=30),
                           timedelta(hours=48), timedelta(hours=6), timedelta(days=4)])
        discharged = None if stay is None else admitted + stay
        age = rng.choice([64, 65, 69, 70, 71, 79, 80, 91])
        sex = rng.choice("KM")
        eid = f"S{i:04d}"
        episodes.append(Episode(episode=eid, unit=rng.choice(units), pseudonym=f"t:{i % 37}", age=age, sex=sex,
                                admitted_at=admitted, discharged_at=discharged, source_import=record))
        for kind in pm.KINDS:
            for _ in range(rng.choice([0, 1, 1, 1, 2])):
                at = admitted + timedelta(minutes=rng.choice([-30, 0, 60, 12 * 60, 24 * 60, 24 * 60 + 1, 30 * 60,
                                                              47 * 60, 48 * 60, 60 * 60]))
                assessments.append((eid, kind, at, rng.random() < 0.5))
            if rng.random() < 0.6:
                at = admitted + timedelta(minutes=rng.choice([-10, 0, 5 * 60, 6 * 60, 20 * 60, 24 * 60, 36 * 60,
                                                              48 * 60 + 1, 70 * 60]))
                actions.append((eid, kind, at))
    Episode.objects.bulk_create(episodes)
    stored = {e.episode: e for e in Episode.objects.filter(source_import=record)}
    unique = {(e, k, at): risk for e, k, at, risk in assessments}  # one assessment per kind and moment
    Assessment.objects.bulk_create(Assessment(episode=stored[e], kind=k, performed_at=at, risk=risk)
                                   for (e, k, at), risk in unique.items())
    PreventiveAction.objects.bulk_create(PreventiveAction(episode=stored[e], kind=k, started_at=at)
                                         for e, k, at in set(actions))
    return ([pm.Episode(e.episode, str(e.unit_id), e.admitted_at, e.discharged_at, e.age, e.sex) for e in episodes],
            [pm.Assessment(e, k, at, risk) for (e, k, at), risk in unique.items()],
            [pm.Action(e, k, at) for e, k, at in set(actions)])


def _by_sql(cells, as_of) -> dict:
    found = defaultdict(lambda: [0, 0])
    for t in measure_sql.in_cells(MEASURES, cells, as_of):
        count = found[(t.measure, str(t.unit_id), f"{t.month:%Y-%m}", t.sex)]
        count[0] += t.numerator
        count[1] += t.denominator
    return {k: tuple(v) for k, v in found.items() if v[1]}


def _by_reference(records, as_of) -> dict:
    return {(row.measure, row.unit, row.period, sex): counts
            for row in pm.evaluate(*records, as_of, MEASURES) for sex, counts in row.by_sex.items() if counts[1]}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_database_counts_as_the_reference_evaluator_does(seed):
    rng = random.Random(seed)
    region = OrgUnit.objects.get(code="08")
    units = [OrgUnit.objects.create(code=f"SQL{seed}{i}", name=f"Avdelning {i}", kind="enhet", parent=region)
             for i in range(2)]
    records = _random_records(rng, units, 160)
    cells = {(u.pk, date(2025, m, 1)) for u in units for m in range(1, 12)}
    # Evaluation moments inside the data (windows cut off, some ending exactly on it) and after it.
    for as_of in (localtime.parse("2025-03-30 20:00"), localtime.parse("2025-10-26 21:00"),
                  localtime.parse("2025-10-27 02:02"), localtime.parse("2026-01-01 00:00")):
        expected = _by_reference(records, as_of)
        assert expected, "the random records must give figures"
        assert _by_sql(cells, as_of) == expected, as_of


def test_only_the_cells_asked_for_are_counted():
    region = OrgUnit.objects.get(code="08")
    units = [OrgUnit.objects.create(code=f"CELL{i}", name=f"Avdelning {i}", kind="enhet", parent=region)
             for i in range(2)]
    records = _random_records(random.Random(9), units, 80)
    as_of = datetime(2026, 1, 1, tzinfo=localtime.UTC)
    one = {(units[0].pk, date(2025, 3, 1))}
    got = _by_sql(one, as_of)
    expected = {k: v for k, v in _by_reference(records, as_of).items() if k[1:3] == (str(units[0].pk), "2025-03")}
    assert got == expected and got
