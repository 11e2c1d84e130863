"""The incident pages: a year's figures for a unit's subtree, each a link to its cases; the case
list shows the descriptions only within scope and is written to the audit log."""

from datetime import date

import pytest

from lagesbild.core.actor import Actor
from lagesbild.incidents import services
from lagesbild.org.models import AuditEvent, OrgUnit
from tests.conftest import _user
from tests.incidents.test_import_db import MAPPING, SECRET, _export

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(db):
    region = OrgUnit.objects.get(code="08")
    clinic = OrgUnit.objects.create(code="MED", name="Medicinkliniken", kind="verksamhet", parent=region)
    for code in ("AVD1", "AVD2"):
        OrgUnit.objects.create(code=code, name=f"Avdelning {code[-1]}", kind="enhet", parent=clinic)
    source = services.save_source("synergi", MAPPING, actor=Actor.system())
    services.import_export(_export(
        "S-1;2025-01-02;AVD1;Vårdprocess;2025-01-10;Kommunikation;Ja;" + SECRET + "\n",
        "S-2;2025-02-02;AVD2;Vårdprocess;2025-04-02;;Nej;\n",
        "S-3;2025-03-03;AVD2;Läkemedel;;Kommunikation;Nej;\n",
        "S-4;2024-03-03;AVD2;Läkemedel;2024-03-04;;Nej;\n"), "export.csv", source=source, actor=Actor.system(),
        as_of=date(2025, 6, 1))
    return clinic


def test_the_figures_of_a_year_with_links_to_their_cases(client, incidents):
    client.force_login(_user("strateg", "08", "strategist"))
    page = client.get("/avvikelser/MED/?ar=2025").content.decode()
    assert "Avvikelser 2025 – Medicinkliniken" in page
    assert "200,00\u00a0%" in page  # 3 against 1
    assert "Vårdprocess" in page and "Läkemedel" in page and "Ej angiven" in page
    assert "?ar=2025&amp;typ=V%C3%A5rdprocess" in page
    assert "33,5 dagar" in page  # the median of 8 and 59 days
    assert SECRET not in page  # free text only in the case list
    assert client.get("/avvikelser/").url == "/avvikelser/08/"


def test_the_case_list_shows_descriptions_within_scope_and_is_audited(client, incidents):
    client.force_login(_user("chef", "AVD1", "manager"))
    page = client.get("/avvikelser/AVD1/arenden/?ar=2025&lex_maria=1").content.decode()
    assert "S-1" in page and SECRET in page and "S-3" not in page
    event = AuditEvent.objects.get(action="incidents.cases.view")
    assert event.object_id == str(OrgUnit.objects.get(code="AVD1").pk)
    assert client.get("/avvikelser/AVD2/arenden/?ar=2025").status_code == 403  # a sibling ward
    assert client.get("/avvikelser/MED/").status_code == 403  # the clinic above


def test_the_28_day_filter_lists_the_cases_behind_the_share(client, incidents):
    client.force_login(_user("strateg", "08", "strategist"))
    late = client.get("/avvikelser/MED/arenden/?ar=2025&inom_28=0").content.decode()
    assert "S-2" in late and "S-3" in late and "S-1" not in late
    assert "S-1" in client.get("/avvikelser/MED/arenden/?ar=2025&inom_28=1").content.decode()


def test_the_counts_per_child_unit_lead_to_that_units_cases(client, incidents):
    client.force_login(_user("strateg", "08", "strategist"))
    page = client.get("/avvikelser/MED/?ar=2025").content.decode()
    assert "?ar=2025&amp;enhet=AVD2" in page and "?ar=2024&amp;enhet=AVD2" in page
    listed = client.get("/avvikelser/MED/arenden/?ar=2025&enhet=AVD2").content.decode()
    assert "S-2" in listed and "S-3" in listed and "S-1" not in listed and "2 ärenden" in listed
    # a unit outside the subtree of the page selects nothing rather than widening it
    OrgUnit.objects.create(code="SK", name="Skåne-enhet", kind="enhet", parent=OrgUnit.objects.get(code="12"))
    assert "0 ärenden" in client.get("/avvikelser/MED/arenden/?ar=2025&enhet=SK").content.decode()
