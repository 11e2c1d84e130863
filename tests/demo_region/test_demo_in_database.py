"""The demo region, loaded through the real import services, reproduces the seed's 2025 figures
at region level after roll-up from the leaves (seed 004: Region Kalmar län's patientsäkerhetsberättelse)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from lagesbild.calc.periods import YEAR, Period
from lagesbild.measurements import selectors
from lagesbild.measurements.models import Observation
from lagesbild.org.models import OrgUnit

pytestmark = pytest.mark.django_db

SEED_2025 = {
    "riskbedomning-70-24h": Decimal("51.0"),
    "trycksar-sjukhusforvarvade": Decimal("2.0"),
    "basala-hygienrutiner": Decimal("96.2"),
    "antibiotika-recept-1000": Decimal("269"),
    "utskrivningsklara-vardagar": Decimal("2.0"),
    "hse-index": Decimal("76"),
}


@pytest.fixture
def region(db):
    from django.contrib.auth import get_user_model

    from lagesbild.demo_region.load import load
    from lagesbild.org.models import Membership

    admin = get_user_model().objects.create_user("demoadmin")
    Membership.objects.create(user=admin, org_unit=OrgUnit.objects.get(code="08"), role="admin")
    load(admin, patient_records=False, incidents=False)  # the records and the incidents have their own tests
    return OrgUnit.objects.get(code="08")


def test_region_totals_reproduce_the_seed(region):
    y2025, y2024 = Period(date(2025, 1, 1), YEAR), Period(date(2024, 1, 1), YEAR)
    statuses = {s.measure.code: s for s in selectors.unit_statuses(region, y2025)}
    assert {code: statuses[code].value for code in SEED_2025} == SEED_2025
    assert statuses["riskbedomning-70-24h"].previous == Decimal("38.0")  # 2024
    # Targets from the seed: trycksår < 2 %, hygien 100 %, antibiotika 250, HSE > 80 – all missed.
    assert {c: statuses[c].status for c in ("trycksar-sjukhusforvarvade", "basala-hygienrutiner",
                                           "antibiotika-recept-1000", "hse-index")} == {
        "trycksar-sjukhusforvarvade": "nara", "basala-hygienrutiner": "nara",
        "antibiotika-recept-1000": "ej_uppnatt", "hse-index": "nara"}
    assert statuses["utskrivningsklara-vardagar"].status == "uppnatt"
    riket = selectors.reference_values([statuses["utskrivningsklara-vardagar"].measure],
                                       OrgUnit.objects.get(code="SE"), y2025)
    assert list(riket.values()) == [Decimal("4.7")]
    assert selectors.value_for(statuses["riskbedomning-70-24h"].measure, region, y2024) == Decimal("38.0")


def test_the_figures_come_from_leaf_rows_only(region):
    # Every observation sits below the region, on an enhet (or, for pooled HSE answers, a verksamhet).
    kinds = set(Observation.objects.values_list("org_unit__kind", flat=True))
    assert kinds <= {"enhet", "verksamhet"}
    assert not Observation.objects.filter(org_unit__code="08").exists()
    counts = {k: OrgUnit.objects.filter(path__startswith="SE/08/", kind=k).count() for k in ("forvaltning", "verksamhet", "enhet")}
    assert counts["forvaltning"] == 3 and 35 <= counts["verksamhet"] <= 45 and 130 <= counts["enhet"] <= 170


def test_the_dashboard_shows_them(region, client, kalmar_user):
    client.force_login(kalmar_user)
    page = client.get("/uppfoljning/08/?period=2025").content.decode()
    row = re.search(r'<tr data-measure="riskbedomning-70-24h"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "51,0\u00a0%" in row and "Ej uppnått" in row and "38,0\u00a0%" in row
    row = re.search(r'<tr data-measure="utskrivningsklara-vardagar"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "2,0\u00a0%" in row and "4,7\u00a0%" in row  # beside riket


def test_analyses_and_actions_on_the_off_target_measures(region):
    from lagesbild.improvement.models import Action, Analysis

    analysed = set(Analysis.objects.filter(org_unit=region).values_list("measure__code", flat=True))
    assert {"riskbedomning-70-24h", "trycksar-sjukhusforvarvade", "basala-hygienrutiner", "antibiotika-recept-1000",
            "hse-index"} <= analysed
    assert Action.objects.filter(analysis__org_unit=region).count() >= 10


def test_gap_view_and_overdue_actions_export_to_excel(region, client, kalmar_user):
    import io

    import openpyxl

    client.force_login(kalmar_user)
    r = client.get("/forbattring/luckor/?enhet=08&ar=2025&period=2025&format=xlsx")
    assert r.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    by_unit = {row[0]: row for row in rows[3:]}
    # The third förvaltning has no plan of its own in the demo.
    assert by_unit["Primärvårdsförvaltningen"][2] == "ja"
    assert by_unit["Hälso- och sjukvårdsförvaltningen"][2] == "nej"
    r = client.get("/forbattring/forsenade/?format=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    overdue = [row for row in rows[3:] if row[0]]
    # The demo's dates follow today: the same few actions are overdue whatever day it is.
    assert len(overdue) == DEMO_OVERDUE and all(0 < row[5] <= 92 for row in overdue)


DEMO_OVERDUE = 3  # of 16 open actions: those due before the story's month (see demo_region.load)


def _action_dates(today):
    from lagesbild.improvement.models import Action, FollowUp

    actions = list(Action.objects.filter(analysis__org_unit__code="08"))
    overdue = [a for a in actions if a.is_overdue(today)]
    return {
        "overdue": len(overdue),
        "days_overdue": max((today - a.due_date).days for a in overdue),
        "open_not_due": sum(a.is_open and a.due_date >= today for a in actions),
        "done_in_the_past": sum(a.status == "klar" and a.completed_on <= today for a in actions),
        "done": sum(a.status == "klar" for a in actions),
        "follow_ups_in_the_future": FollowUp.objects.filter(date__gt=today).count(),
    }


@pytest.mark.parametrize("first,second", [(date(2026, 12, 1), date(2031, 3, 20)),
                                          (date(2026, 2, 28), date(2027, 7, 31))])
def test_the_demos_dates_follow_today(first, second):
    """Loaded on two different days (and loaded again on the second, as `make demo` does), the
    demo shows the same few overdue actions, none overdue by more than about three months."""
    from django.contrib.auth import get_user_model

    from lagesbild.demo_region.load import load

    admin = get_user_model().objects.create_user("demoadmin")
    seen = []
    for today in (first, second):
        load(admin, today=today, patient_records=False, incidents=False)
        seen.append(_action_dates(today))
    assert all(0 < s.pop("days_overdue") <= 92 for s in seen)  # a few weeks to three months, never years
    assert seen[0] == seen[1]
    assert seen[0]["overdue"] == DEMO_OVERDUE
    assert seen[0]["open_not_due"] == 13 and seen[0]["done"] == seen[0]["done_in_the_past"] == 5
    assert seen[0]["follow_ups_in_the_future"] == 0
