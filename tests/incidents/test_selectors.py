"""The incident figures the database aggregates (selectors) equal the contract's pure arithmetic
(calc.incident_stats) over the same incidents, edge cases included: closed exactly 28 days after
registration, registered exactly 28 days before the calculation day, open cases, blank causes,
year boundaries; and the per-unit, per-month and open-case reads agree with counting by hand."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from lagesbild.calc import incident_stats as stats
from lagesbild.incidents import selectors
from lagesbild.incidents.models import Incident, Source
from lagesbild.ingest.models import Import
from lagesbild.org.models import OrgUnit

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 12, 31)


@pytest.fixture
def stored(db):
    region = OrgUnit.objects.get(code="08")
    clinic = OrgUnit.objects.create(code="MED", name="Medicin", kind="verksamhet", parent=region)
    units = [OrgUnit.objects.create(code=f"AVD{i}", name=f"Avd {i}", kind="enhet", parent=clinic) for i in range(3)]
    units.append(OrgUnit.objects.create(code="HC", name="Hälsocentral", kind="enhet", parent=region))
    source = Source.objects.create(name="s", mapping="source: s\n")
    record = Import.objects.create(kind="incidents", file_name="x.csv", sha256="0" * 64, size=1)
    rng = random.Random(3)
    rows = []
    for n in range(1500):
        reported = date(2023, 12, 20) + timedelta(days=rng.randrange(0, 760))
        closed = None
        if rng.random() < 0.9:
            closed = reported + timedelta(days=rng.choice([0, 1, 27, 28, 29, 30, rng.randrange(0, 200)]))
        if n < 3:  # exactly on the 28-day lines
            reported, closed = AS_OF - timedelta(days=28), AS_OF
        rows.append(Incident(source=source, case=f"C{n}", unit=rng.choice(units), reported=reported, closed=closed,
                             type=rng.choice(["Fall", "Läkemedel", "Vårdprocess"]),
                             cause=rng.choice(["", "Kommunikation", "Procedurer"]), lex_maria=rng.random() < 0.02,
                             source_import=record))
    Incident.objects.bulk_create(rows)
    from lagesbild.incidents.services import count_months

    count_months({(i.unit_id, i.reported.replace(day=1)) for i in rows})  # as the import does
    return region, clinic, units


def records():
    return [i.as_record() for i in Incident.objects.all()]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_database_aggregates_equal_the_pure_arithmetic(stored, year):
    region, clinic, _ = stored
    assert selectors.summary(region, year, AS_OF) == stats.summary(records(), year, AS_OF)
    in_clinic = [r for r in records() if r.unit in {str(u.pk) for u in OrgUnit.objects.filter(parent=clinic)}]
    assert selectors.summary(clinic, year, AS_OF) == stats.summary(in_clinic, year, AS_OF)


def test_the_28_day_drill_down_lists_exactly_the_counted_cases(stored):
    region, _, _ = stored
    f = selectors.summary(region, 2025, AS_OF)["closed_within_28_days"]
    within = selectors.cases(region, 2025, AS_OF, inom_28="1")
    late = selectors.cases(region, 2025, AS_OF, inom_28="0")
    assert within.count() == f["numerator"] and within.count() + late.count() == f["denominator"]
    assert all(stats.closed_in_time(i.as_record()) for i in within)
    assert not any(stats.closed_in_time(i.as_record()) for i in late)
    assert late.filter(closed__isnull=True).exists()  # open cases are not in time


def test_years_months_children_and_open_cases_count_what_is_stored(stored):
    region, clinic, units = stored
    assert selectors.years(region) == sorted({i.reported.year for i in Incident.objects.all()}, reverse=True) == [
        2026, 2025, 2024, 2023]
    assert selectors.years(OrgUnit.objects.get(code="01")) == []
    stored_all = list(Incident.objects.all())
    months = Counter(i.reported.replace(day=1) for i in stored_all if date(2025, 1, 1) <= i.reported <= AS_OF)
    assert selectors.monthly_counts(region, date(2025, 1, 1), AS_OF) == dict(months)
    rows = {r.unit.code: (r.count, r.previous_year) for r in selectors.by_child(region, 2025)}
    by_hand = {}
    for code, members in (("MED", set(units[:3])), ("HC", {units[3]})):
        by_hand[code] = tuple(sum(1 for i in stored_all if i.unit in members and i.reported.year == y)
                              for y in (2025, 2024))
    assert rows == by_hand
    ages = [(AS_OF - i.reported).days for i in stored_all if i.closed is None and i.reported <= AS_OF]
    opened = selectors.open_cases(region, AS_OF)
    assert (opened.count, opened.median_age_days, opened.oldest_days) == (len(ages), stats.median(ages), max(ages))


def test_the_28_day_observations_the_import_writes_equal_the_pure_count(stored):
    from lagesbild.incidents import services
    from lagesbild.measurements.models import Observation

    record = Import.objects.get()
    cells = {(i.unit_id, i.reported.replace(day=1)) for i in Incident.objects.all()}
    services.write_handling(record, cells, AS_OF)
    got = {(o.org_unit_id, o.period_start): (o.numerator, o.denominator)
           for o in Observation.objects.filter(measure__code=services.HANDLING_MEASURE)}
    want = {(int(u), m): v for (u, m), v in stats.handled_by_month(records(), AS_OF).items()}
    assert got == want and len(got) > 50


def test_the_monthly_counts_the_import_keeps_equal_the_incidents(db):
    """IncidentMonth, kept by the import, against counting the stored incidents; a case moved to
    another unit and month moves its count."""
    from lagesbild.core.actor import Actor
    from lagesbild.incidents import services
    from lagesbild.incidents.models import IncidentMonth
    from tests.incidents.test_summary_cli import HEADER, MAPPING

    region = OrgUnit.objects.get(code="08")
    for code in ("AVD1", "AVD2"):
        OrgUnit.objects.create(code=code, name=code, kind="enhet", parent=region)
    source = services.save_source("s", MAPPING, actor=Actor.system())
    rng = random.Random(8)
    rows = [f"C{n};{date(2024, 1, 1) + timedelta(days=rng.randrange(700))};{rng.choice(['AVD1', 'AVD2'])};Fall;;;;\n"
            for n in range(400)]
    services.import_export((HEADER + "".join(rows)).encode(), "a.csv", source=source, actor=Actor.system())
    services.import_export((HEADER + "C0;2023-06-15;AVD2;Fall;;;;\n").encode(), "b.csv", source=source,
                           actor=Actor.system())

    def by_hand():
        return dict(Counter((i.unit_id, i.reported.replace(day=1)) for i in Incident.objects.all()))

    kept = {(m.unit_id, m.month): m.incidents for m in IncidentMonth.objects.all()}
    assert kept == by_hand() and kept[(OrgUnit.objects.get(code="AVD2").pk, date(2023, 6, 1))] == 1
    assert sum(selectors.monthly_counts(region, date(2023, 1, 1), date(2025, 12, 31)).values()) == 400
