"""The ward view in Chromium: it updates itself when an assessment is recorded, fits a phone, and
passes axe-core."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from lagesbild.calc import localtime
from lagesbild.core.actor import Actor
from lagesbild.org.models import OrgUnit
from lagesbild.patients import keys, services
from tests.browser.conftest import login, shot
from tests.conftest import PASSWORD, _user
from tests.patients import files

pytestmark = pytest.mark.django_db(transaction=True)
KEY = keys.PseudonymKey("k1", b"a test key that is long enough to be used here")


def _import(tmp_path, name, header, rows, kind):
    path = files.write_csv(tmp_path / name, header, rows)
    services.import_records({kind: (path.read_bytes(), path.name)}, actor=Actor.system(), key=KEY)


@pytest.fixture
def ward(transactional_db, tmp_path, settings):
    from lagesbild.catalogue.reference import ensure_reference_data

    ensure_reference_data()
    settings.LAGESBILD_WARD_POLL_SECONDS = 1
    region = OrgUnit.objects.get(code="08")
    OrgUnit.objects.create(code="AVD1", name="Avdelning 1", kind="enhet", parent=region)
    now = timezone.now()
    _import(tmp_path, "ep.csv", [*files.EPISODE_HEADER, "säng"],
            [["P1", files.WOMAN_75, "AVD1", localtime.local(now - timedelta(hours=2)).isoformat(), "", "Sal 1:1"]],
            "episodes")
    _user("skoterska", "AVD1", "care")
    return tmp_path


def test_the_ward_view_changes_when_an_assessment_is_recorded(page, live_server, ward):
    login(page, "skoterska", PASSWORD)
    page.goto("/patienter/AVD1/")
    row = page.locator("table.ward tbody tr", has_text="P1")
    expect(row).to_contain_text("Bedömning senast")
    assert row.locator("td.state-due").count() == 3
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    shot(page, "avdelning-realtid-fore")
    _import(ward, "bed.csv", files.ASSESSMENT_HEADER,
            [["P1", "Fallrisk", localtime.local(timezone.now()).isoformat(), "Nej"]], "assessments")
    expect(row.locator("td.state-done")).to_have_count(1, timeout=10_000)  # no reload: the table polls
    expect(row).to_contain_text("Bedömd")
    assert row.locator("td.state-due").count() == 2
    shot(page, "avdelning-realtid-efter")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "avdelning-realtid-mobil")
