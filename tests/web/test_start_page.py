"""The personal start page: a strategist sees their own region's off-target measures, overdue
actions, waiting imports and the changes since their previous visit, and nothing of another region."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.core.actor import Actor
from lagesbild.improvement import services as improvement
from lagesbild.ingest.errors import InputError
from lagesbild.measurements import services as measurements
from lagesbild.measurements.models import Target
from lagesbild.org.models import OrgUnit
from tests.conftest import _user
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
YEAR = Period.parse("2025")


@pytest.fixture
def regions(db):
    """A ward in Kalmar (08) and one in Skåne (12), two measures with targets ≥ 90 % (band 5) at
    both regions: "Riskbedömning" is 70 % (Ej uppnått) and "Handhygien" 95 % (Uppnått) in Kalmar;
    in Skåne both are 50 %."""
    kalmar = OrgUnit.objects.create(code="08-AVD", name="Kalmaravdelningen", kind="enhet", parent=OrgUnit.objects.get(code="08"))
    skane = OrgUnit.objects.create(code="12-AVD", name="Skåneavdelningen", kind="enhet", parent=OrgUnit.objects.get(code="12"))
    risk = Measure.objects.create(code="t-risk", title="Riskbedömning i Kalmartest", measure_type="process", unit="percent",
                                  direction="higher", decimals=1)
    hand = Measure.objects.create(code="t-hand", title="Handhygien i Kalmartest", measure_type="process", unit="percent",
                                  direction="higher", decimals=1)
    for m in (risk, hand):
        for region in ("08", "12"):
            Target.objects.create(measure=m, org_unit=OrgUnit.objects.get(code=region), comparator=">=",
                                  value=Decimal("90"), warning_band=Decimal("5"))
    measurements.import_observations(csv(
        "t-risk;08-AVD;2025-03;;;70;100;", "t-hand;08-AVD;2025-03;;;95;100;",
        "t-risk;12-AVD;2025-03;;;50;100;", "t-hand;12-AVD;2025-03;;;50;100;",
    ), "matningar.csv", actor=SYSTEM)
    return kalmar, skane, risk, hand


def _overdue(unit, measure, title):
    analysis = improvement.record_analysis(measure, unit, YEAR, f"Analys för {unit.name}.", actor=SYSTEM)
    return improvement.add_action(analysis, title, "Ansvarig", date.today() - timedelta(days=10), actor=SYSTEM)


PLACEHOLDER = re.compile(r'<div hx-get="([^"]+)" hx-trigger="load" hx-swap="outerHTML"[^>]*>.*?</div>', re.S)


def _start(client, user):
    """The start page as a browser shows it: each section's placeholder swapped for the section,
    fetched as htmx fetches it (a browser test covers htmx itself)."""
    client.force_login(user)
    r = client.get(reverse("start"))
    assert r.status_code == 200
    page = r.content.decode()
    assert len(PLACEHOLDER.findall(page)) == 4

    def section(match):
        got = client.get(html.unescape(match.group(1)), headers={"HX-Request": "true"})
        assert got.status_code == 200 and "<html" not in got.content.decode()
        return got.content.decode()

    return PLACEHOLDER.sub(section, page)


def test_a_kalmar_strategist_sees_kalmars_off_target_measures_and_overdue_actions_not_skanes(client, regions, kalmar_user):
    kalmar, skane, risk, hand = regions
    _overdue(kalmar, risk, "Utbilda nattpersonalen i Kalmar")
    _overdue(skane, risk, "Skånes egen åtgärd")
    body = _start(client, kalmar_user)
    off = body.split('id="utanfor-malet"')[1].split("</section>")[0]
    assert "Riskbedömning i Kalmartest" in off and "70,0\u00a0%" in off and "Ej uppnått" in off
    assert reverse("measurements:measure", args=["08", "t-risk"]) + "?period=2025" in off
    assert "Handhygien i Kalmartest" not in off  # 95 % reaches the target
    assert "50,0\u00a0%" not in body and "Skåne" not in body
    overdue = body.split('id="forsenade"')[1].split("</section>")[0]
    assert "Utbilda nattpersonalen i Kalmar" in overdue and "Skånes egen åtgärd" not in overdue
    assert reverse("improvement:cycle", args=["t-risk", "08-AVD", "2025"]) in overdue


def test_a_ward_manager_sees_only_their_ward(client, regions):
    kalmar, skane, risk, hand = regions
    manager = _user("chef-skane", "12-AVD", "manager")
    _overdue(kalmar, risk, "Kalmars åtgärd")
    _overdue(skane, hand, "Skånes åtgärd")
    body = _start(client, manager)
    assert "Riskbedömning i Kalmartest" in body and "Handhygien i Kalmartest" in body  # both 50 % in Skåne
    assert "Skånes åtgärd" in body and "Kalmars åtgärd" not in body and "70,0\u00a0%" not in body


def test_since_last_visit_shows_changes_made_after_the_previous_visit_only(client, regions, kalmar_user):
    kalmar, skane, risk, hand = regions
    _overdue(kalmar, risk, "Åtgärd före besöket")
    first = _start(client, kalmar_user)
    assert "ditt första besök" in first
    improvement.record_analysis(hand, kalmar, YEAR, "Ny analys efter besöket.", actor=SYSTEM)
    improvement.record_analysis(hand, skane, YEAR, "Skånes analys efter besöket.", actor=SYSTEM)
    changes = _start(client, kalmar_user).split('id="andringar"')[1].split("</section>")[0]
    assert "Handhygien i Kalmartest – Kalmaravdelningen" in changes
    assert "Åtgärd före besöket" not in changes and "Skåneavdelningen" not in changes
    assert "Inget har ändrats" in _start(client, kalmar_user)  # the third visit: nothing new since the second


def test_a_refused_import_waits_until_a_file_of_the_same_kind_goes_through(client, regions, kalmar_user):
    with pytest.raises(InputError):
        measurements.import_observations(csv("t-risk;08-AVD;2025-04;;;många;100;"), "trasig.csv", actor=Actor.cli(kalmar_user))
    waiting = _start(client, kalmar_user).split('id="importer"')[1].split("</section>")[0]
    assert "trasig.csv" in waiting and reverse("measurements:import") in waiting
    measurements.import_observations(csv("t-risk;08-AVD;2025-04;;;80;100;"), "rattad.csv", actor=Actor.cli(kalmar_user))
    waiting = _start(client, kalmar_user).split('id="importer"')[1].split("</section>")[0]
    assert "trasig.csv" not in waiting and "Inga avvisade importer" in waiting


def test_the_page_and_each_section_take_a_bounded_number_of_queries(client, regions, kalmar_user, django_assert_max_num_queries):
    kalmar, skane, risk, hand = regions
    for i in range(5):
        _overdue(kalmar, risk if i % 2 else hand, f"Åtgärd {i}")
    client.force_login(kalmar_user)
    client.get(reverse("start"))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("start")).status_code == 200
    for section in ("utanfor-malet", "forsenade", "importer", "andringar"):
        with django_assert_max_num_queries(9):
            assert client.get(reverse("start_section", args=[section]), headers={"HX-Request": "true"}).status_code == 200


def test_a_section_opened_without_a_script_is_a_page_of_its_own(client, regions, kalmar_user):
    kalmar, skane, risk, hand = regions
    _overdue(kalmar, risk, "Utbilda nattpersonalen i Kalmar")
    client.force_login(kalmar_user)
    body = client.get(reverse("start_section", args=["forsenade"])).content.decode()
    assert "<html" in body and "<h1>Försenade åtgärder</h1>" in body and "Utbilda nattpersonalen i Kalmar" in body
    assert client.get(reverse("start_section", args=["okand"])).status_code == 404
    client.logout()
    assert client.get(reverse("start_section", args=["forsenade"])).status_code == 302  # to the login page


def test_the_changes_section_reads_the_previous_visit_it_is_given(client, regions, kalmar_user):
    """The page passes the visit before this one; a timestamp it cannot read falls back to the
    latest visit, and an empty one means a first visit."""
    kalmar, skane, risk, hand = regions
    client.force_login(kalmar_user)
    client.get(reverse("start"))  # a visit, then a change
    improvement.record_analysis(hand, kalmar, YEAR, "Ny analys.", actor=SYSTEM)
    url = reverse("start_section", args=["andringar"])
    assert "Handhygien i Kalmartest" in client.get(url, {"sedan": "2020-01-01T00:00:00+01:00"}).content.decode()
    assert "Handhygien i Kalmartest" in client.get(url, {"sedan": "inte ett datum"}).content.decode()
    assert "ditt första besök" in client.get(url, {"sedan": ""}).content.decode()
    assert "Inget har ändrats" in client.get(url, {"sedan": "2999-01-01T00:00:00+01:00"}).content.decode()
