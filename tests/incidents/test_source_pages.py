"""The sources' pages: a mapping edited in the web (validated, located problems, nothing saved on
error), an export imported through it (all or nothing, the problems by row and column), and only
the roles that may do so."""

import io

from django.core.exceptions import PermissionDenied

import pytest

from lagesbild.incidents.models import Incident, Source
from lagesbild.org.models import AuditEvent, OrgUnit
from tests.conftest import _user
from tests.incidents.test_import_db import ROWS, _export
from tests.incidents.test_summary_cli import MAPPING

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards(db):
    region = OrgUnit.objects.get(code="08")
    return [OrgUnit.objects.create(code=code, name=code, kind="enhet", parent=region) for code in ("AVD1", "AVD2")]


def upload(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_a_strategist_saves_a_mapping_and_imports_an_export_through_it(client, wards):
    client.force_login(_user("strateg", "08", "strategist"))
    assert "Avvikelsesystemet" in client.get("/avvikelser/kallor/ny/").content.decode()  # an example to start from
    bad = client.post("/avvikelser/kallor/ny/", {"mapping": "source: X\ncolumns:\n  case: Ärendenr\n"})
    assert bad.status_code == 422 and "columns/reported" in bad.content.decode() and not Source.objects.exists()
    saved = client.post("/avvikelser/kallor/ny/", {"mapping": MAPPING})
    assert saved.status_code == 302
    source = Source.objects.get(name="Synergi Kalmar")
    assert AuditEvent.objects.filter(action="incidents.source").exists()
    listing = client.get("/avvikelser/kallor/").content.decode()
    assert "Synergi Kalmar" in listing and f"/avvikelser/kallor/{source.pk}/importera/" in listing
    # An export whose layout changed is refused, naming the missing column; nothing is written.
    changed = _export(*ROWS).replace("Händelsetyp".encode("cp1252"), b"Typ")
    refused = client.post(f"/avvikelser/kallor/{source.pk}/importera/", {"file": upload(changed, "mars.csv")})
    page = refused.content.decode()
    assert refused.status_code == 422 and "Händelsetyp" in page and "saknas i exporten" in page
    assert not Incident.objects.exists()
    done = client.post(f"/avvikelser/kallor/{source.pk}/importera/", {"file": upload(_export(*ROWS), "mars.csv")})
    assert done.status_code == 302 and Incident.objects.count() == 2
    # Editing the mapping keeps the source and its cases.
    edited = client.post(f"/avvikelser/kallor/{source.pk}/", {"mapping": MAPPING.replace("  severity", "  #")})
    assert edited.status_code == 302 and Incident.objects.count() == 2


def test_a_manager_may_neither_edit_nor_import(client, wards):
    client.force_login(_user("chef", "AVD1", "manager"))
    for url in ("/avvikelser/kallor/", "/avvikelser/kallor/ny/"):
        assert client.get(url).status_code == 403
    assert client.post("/avvikelser/kallor/ny/", {"mapping": MAPPING}).status_code == 403
    assert not Source.objects.exists()


def test_another_regions_source_is_neither_seen_nor_used(client, wards):
    from lagesbild.core.actor import Actor
    from lagesbild.incidents import services

    skane = OrgUnit.objects.get(code="12")
    theirs = services.save_source("skane", MAPPING.replace("Synergi Kalmar", "Synergi Skåne"), actor=Actor.system(),
                                  owner=skane)
    kalmar = _user("strateg", "08", "strategist")
    client.force_login(kalmar)
    assert "Synergi Skåne" not in client.get("/avvikelser/kallor/").content.decode()
    assert client.get(f"/avvikelser/kallor/{theirs.pk}/").status_code == 404
    assert client.post(f"/avvikelser/kallor/{theirs.pk}/importera/",
                       {"file": upload(_export(*ROWS), "x.csv")}).status_code == 404
    # Saving a mapping under their source's name does not take it over.
    r = client.post("/avvikelser/kallor/ny/", {"mapping": MAPPING.replace("Synergi Kalmar", "Synergi Skåne")})
    assert r.status_code == 403 and Source.objects.get(pk=theirs.pk).org_unit == skane
    with pytest.raises(PermissionDenied):
        services.import_export(_export(*ROWS), "x.csv", source=theirs, actor=Actor(kalmar))
    assert not Incident.objects.exists()
