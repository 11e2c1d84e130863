"""The incident and complaint API: the same figures as the pages, the cases scoped and audited, a
source's mapping saved and an export imported through it, bad input answered with located problems."""

import pytest
from rest_framework.test import APIClient

from lagesbild.core.actor import Actor
from lagesbild.incidents import services
from lagesbild.incidents.models import Incident, Source
from lagesbild.org.models import AuditEvent, OrgUnit
from tests.conftest import _user
from tests.incidents import test_complaints as complaints
from tests.incidents.test_import_db import ROWS, SECRET, _export
from tests.incidents.test_summary_cli import MAPPING

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


@pytest.fixture
def loaded(db):
    region = OrgUnit.objects.get(code="08")
    for code in ("AVD1", "AVD2"):
        OrgUnit.objects.create(code=code, name=code, kind="enhet", parent=region)
    source = services.save_source("synergi", MAPPING, actor=SYSTEM, owner=region)
    services.import_export(_export(*ROWS), "export.csv", source=source, actor=SYSTEM)
    pn = services.save_source("pn", complaints.MAPPING, actor=SYSTEM)
    services.import_export(complaints._export(*complaints.ROWS), "pn.csv", source=pn, actor=SYSTEM)
    return source


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_the_summaries_give_the_figures_of_the_pages(loaded):
    api = client_for(_user("strateg", "08", "strategist"))
    data = api.get("/api/v1/incidents/summary/", {"unit": "08", "year": 2025}).json()
    assert (data["incidents"], data["unit"], data["lex_maria"]) == (2, "08", 1)
    assert [t["type"] for t in data["types"]] == ["Läkemedel", "Vårdprocess"]
    assert data["open_cases"]["count"] == 1 and data["per_1000_care_days"] is None
    assert [(u["unit"], u["count"]) for u in data["by_unit"]] == [("AVD1", 1), ("AVD2", 1)]
    pn = api.get("/api/v1/complaints/summary/", {"unit": "08", "year": 2025}).json()
    (channel,) = pn["channels"]
    assert (channel["channel"], channel["count"], channel["forwarded"]["percent"]) == ("patientnamnd", 3, "66.7")
    assert AuditEvent.objects.filter(action="api.incidents.summary").exists()


def test_the_cases_are_scoped_filtered_and_their_reading_audited(loaded):
    api = client_for(_user("strateg", "08", "strategist"))
    listed = api.get("/api/v1/incidents/", {"unit": "08", "year": 2025, "lex_maria": "true"}).json()
    assert [r["case"] for r in listed["results"]] == ["S-1"] and listed["results"][0]["description"] == SECRET
    event = AuditEvent.objects.filter(action="api.incidents.cases").latest("pk")
    assert event.detail["lex_maria"] == "1" and event.object_id == str(OrgUnit.objects.get(code="08").pk)
    pn = api.get("/api/v1/complaints/", {"unit": "08", "year": 2025, "channel": "patientnamnd"}).json()
    assert [r["case"] for r in pn["results"]] == ["PN-1", "PN-2", "PN-3"]
    # A manager of AVD2 sees AVD2's cases only; asking for the region is refused.
    manager = client_for(_user("chef", "AVD2", "manager"))
    assert manager.get("/api/v1/incidents/", {"unit": "08", "year": 2025}).status_code == 403
    own = manager.get("/api/v1/incidents/", {"unit": "AVD2", "year": 2025}).json()
    assert [r["case"] for r in own["results"]] == ["S-2"]
    assert manager.get("/api/v1/complaints/summary/", {"unit": "AVD1", "year": 2025}).status_code == 403


def test_bad_parameters_are_a_400_not_a_crash(loaded):
    api = client_for(_user("strateg", "08", "strategist"))
    assert api.get("/api/v1/incidents/summary/", {"unit": "08", "year": "tjugo"}).status_code == 400
    assert api.get("/api/v1/incidents/summary/", {"unit": "08"}).status_code == 400
    assert api.get("/api/v1/complaints/", {"unit": "08", "year": 2025, "channel": "brev"}).status_code == 400
    assert api.get("/api/v1/incidents/summary/", {"unit": "NOPE", "year": 2025}).status_code in (403, 404)


def test_a_mapping_is_saved_and_an_export_imported_through_it(loaded):
    strategist = client_for(_user("strateg", "08", "strategist"))
    mapping = MAPPING.replace("Synergi Kalmar", "Synergi Västervik")
    saved = strategist.post("/api/v1/incident-sources/", {"name": "synergi-2", "mapping": mapping}, format="json")
    assert saved.status_code == 201 and saved.json()["kind"] == "incidents"
    bad = strategist.post("/api/v1/incident-sources/", {"name": "x", "mapping": "source: x\ncolumns: {case: A}\n"},
                          format="json")
    assert bad.status_code == 400 and {p.get("path") for p in bad.json()["problems"]} >= {"columns/reported"}
    # The saved layout imports an export; the same export again changes nothing.
    body = _export("S-9;2025-03-02;AVD1;Fall;;;Nej;\n")
    url = f"/api/v1/incident-sources/{loaded.pk}/import/"
    first = strategist.post(url, body, content_type="text/csv", HTTP_X_FILNAMN="mars.csv")
    assert first.status_code == 201 and first.json()["created"] == 1
    assert strategist.post(url, body, content_type="text/csv").json()["unchanged"] == 1
    refused = strategist.post(url, _export("S-10;2025-13-02;AVD1;Fall;;;Nej;\n"), content_type="text/csv")
    assert refused.status_code == 400 and refused.json()["problems"][0]["row"] == 2
    assert Incident.objects.filter(case="S-10").count() == 0
    # A manager may read the sources but neither change one nor import.
    manager = client_for(_user("chef", "AVD2", "manager"))
    assert manager.get("/api/v1/incident-sources/").status_code == 200
    assert manager.post("/api/v1/incident-sources/", {"name": "y", "mapping": MAPPING}, format="json").status_code == 403
    assert manager.post(url, body, content_type="text/csv").status_code == 403
    assert Source.objects.filter(name="y").count() == 0
