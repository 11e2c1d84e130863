"""Issue 4's walk-through in a real browser: log in, drill from region to unit, record an
analysis and an action, and see them on the dashboard. Issue 8: an identity number typed into
the analysis is removed with a visible notice; the gap view opens on the latest year with data."""

from decimal import Decimal

import pytest

from tests.browser.conftest import login, shot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CSV = "measure;unit;period;sex;age_band;numerator;denominator;status\r\n" + "\r\n".join([
    "b-risk;B-AVD1;2025-01;;;40;100;", "b-risk;B-AVD1;2025-02;;;45;100;",
    "b-risk;B-AVD2;2025-01;;;80;100;", "b-risk;B-AVD2;2025-02;;;85;100;",
]) + "\r\n"


@pytest.fixture
def region_with_data(transactional_db):
    from lagesbild.catalogue.models import Measure
    from lagesbild.core.actor import Actor
    from lagesbild.measurements import services
    from lagesbild.measurements.models import Target
    from lagesbild.org.models import OrgUnit
    from lagesbild.catalogue.reference import ensure_reference_data
    from tests.conftest import _user

    ensure_reference_data()
    region = OrgUnit.objects.get(code="08")
    hsf = OrgUnit.objects.create(code="B-HSF", name="Hälso- och sjukvården", kind="forvaltning", parent=region)
    med = OrgUnit.objects.create(code="B-MED", name="Medicinkliniken", kind="verksamhet", parent=hsf)
    OrgUnit.objects.create(code="B-AVD1", name="Avdelning 1", kind="enhet", parent=med)
    OrgUnit.objects.create(code="B-AVD2", name="Avdelning 2", kind="enhet", parent=med)
    m = Measure.objects.create(code="b-risk", title="Riskbedömning inom 24 timmar", measure_type="process",
                               unit="percent", direction="higher", decimals=1)
    Target.objects.create(measure=m, org_unit=region, comparator=">=", value=Decimal("90"))
    admin = _user("kalmar-admin", "08", "admin")
    services.import_observations(CSV.encode("cp1252"), "obs.csv", actor=Actor.cli(admin))
    _user("avdchef", "B-AVD1", "manager")


def row(page, code):
    return page.locator(f'tr[data-measure="{code}"]')


def test_drill_down_and_run_the_cycle(page, region_with_data):
    login(page, "kalmar-admin", PASSWORD)
    page.goto("/uppfoljning/08/?period=2025")
    assert row(page, "b-risk").locator("td.value").inner_text() == "62,5\u00a0%"  # 250/400
    page.get_by_role("link", name="Hälso- och sjukvården").click()
    page.get_by_role("link", name="Medicinkliniken").click()
    page.get_by_role("link", name="Avdelning 1").click()
    page.wait_for_url("**/uppfoljning/B-AVD1/**")
    r = row(page, "b-risk")
    assert r.locator("td.value").inner_text() == "42,5\u00a0%"
    assert "Ej uppnått" in r.inner_text() and "Analys saknas" in r.inner_text()
    shot(page, "dashboard-avdelning")
    logout_then_login(page, "avdchef")
    page.goto("/uppfoljning/B-AVD1/?period=2025")
    row(page, "b-risk").locator("td.cycle a").click()
    page.get_by_label("Analys av resultat").fill("Nattpersonalen saknar rutin för riskbedömning vid sena inskrivningar "
                                                 "(se patient 19121212-1212).")
    page.get_by_role("button", name="Spara analysen").click()
    page.get_by_text("Nattpersonalen saknar rutin").first.wait_for()
    notice = page.locator("p.notice")
    assert notice.is_visible() and "liknade ett personnummer" in notice.inner_text()
    assert "(se patient [personnummer borttaget])" in page.locator(".analysis-text").inner_text()
    assert "19121212-1212" not in page.content()
    page.get_by_label("Åtgärd", exact=True).fill("Checklista för riskbedömning vid inskrivning nattetid")
    page.get_by_label("Ansvarig", exact=True).fill("Vårdenhetschef")
    page.get_by_label("Klar senast").fill("2026-03-31")
    page.get_by_role("button", name="Lägg till åtgärd").click()
    page.get_by_text("Checklista för riskbedömning vid inskrivning nattetid").first.wait_for()
    shot(page, "cykel-avdelning")
    page.goto("/uppfoljning/B-AVD1/?period=2025")
    cycle = row(page, "b-risk").locator("td.cycle").inner_text()
    assert "Analys" in cycle and "1 öppna åtgärder" in cycle
    # A manager of one ward cannot touch the other ward.
    response = page.goto("/forbattring/b-risk/B-AVD2/2025/")
    assert response.status == 403
    response = page.goto("/uppfoljning/B-AVD2/?period=2025")
    assert response.status == 403
    # The region's gap view opens on 2025, the latest year with data, not on the calendar year.
    logout_then_login(page, "kalmar-admin")
    page.goto("/forbattring/luckor/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Region Kalmar län 2025")
    assert page.locator("tr#enhet-08").is_visible()
    shot(page, "luckor-region")


def logout_then_login(page, username):
    page.get_by_role("button", name="Logga ut").click()
    login(page, username, PASSWORD)
