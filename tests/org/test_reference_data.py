import csv
from pathlib import Path

import pytest

from lagesbild.catalogue.models import ActionPlan, FocusArea, Foundation
from lagesbild.org.models import AuditEvent, OrgUnit

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "lagesbild" / "org" / "data"


def test_nation_regions_and_municipalities():
    nation = OrgUnit.objects.get(kind="nation")
    assert (nation.code, nation.name, nation.path) == ("SE", "Sverige", "SE/")
    regions = OrgUnit.objects.filter(kind="region")
    assert regions.count() == 21
    assert sorted(regions.values_list("code", flat=True)) == [
        "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14",
        "17", "18", "19", "20", "21", "22", "23", "24", "25",
    ]
    assert OrgUnit.objects.get(code="08").name == "Region Kalmar län"
    kommuner = OrgUnit.objects.filter(kind="kommun")
    assert kommuner.count() == 290
    assert all(len(c) == 4 and c.isdigit() for c in kommuner.values_list("code", flat=True))
    assert OrgUnit.objects.get(code="0180").name == "Stockholm"
    assert OrgUnit.objects.get(code="0880").county_code == "08"
    assert kommuner.filter(county_code="14").count() == 49
    assert kommuner.filter(county_code="12").count() == 33
    # Every municipality's county is one of the regions.
    assert set(kommuner.values_list("county_code", flat=True)) == set(regions.values_list("code", flat=True))


def test_reference_files_match_the_database():
    with open(DATA / "kommuner.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len({r["code"] for r in rows}) == len({r["name"] for r in rows}) == 290
    assert all(r["code"].startswith(r["county_code"]) for r in rows)


def test_subtree_query_uses_the_path():
    sub = OrgUnit.objects.create(code="08-LK", name="Länssjukvården", kind="forvaltning", parent=OrgUnit.objects.get(code="08"))
    unit = OrgUnit.objects.create(code="08-LK-MED", name="Medicinkliniken", kind="verksamhet", parent=sub)
    assert unit.path == "SE/08/08-LK/08-LK-MED/" and unit.depth == 3
    region = OrgUnit.objects.get(code="08")
    assert list(OrgUnit.objects.filter(path__startswith=region.path).values_list("code", flat=True)) == ["08", "08-LK", "08-LK-MED"]
    assert unit.is_within(region) and not region.is_within(unit)


def test_agera_for_saker_vard():
    plan = ActionPlan.objects.get()
    assert plan.period_start == 2025 and plan.period_end == 2030
    assert list(Foundation.objects.values_list("name", flat=True)) == [
        "Engagerad ledning och tydlig styrning", "En god säkerhetskultur",
        "Adekvat kunskap och kompetens", "Patienten som medskapare",
    ]
    assert [str(f) for f in FocusArea.objects.all()] == [
        "Fokusområde 1. Öka kunskap om inträffade vårdskador",
        "Fokusområde 2. Tillförlitliga och säkra system och processer",
        "Fokusområde 3. Säker vård här och nu",
        "Fokusområde 4. Stärka analys, lärande och utveckling",
        "Fokusområde 5. Öka riskmedvetenhet och beredskap",
    ]


def test_audit_log_is_append_only():
    event = AuditEvent.objects.create(action="test")
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="x")
    assert AuditEvent.objects.get().action == "test"
