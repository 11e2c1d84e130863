"""The dashboard's control-chart icons in a real browser at a laptop's and a phone's width: the
page does not overflow, every icon is loaded and has an accessible name (its Swedish text), and
a click on the icons opens the measure's control chart."""

from decimal import Decimal

import pytest

from tests.browser.conftest import login, shot
from tests.browser.test_dashboard_in_browser import OUTSIDE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = [(1366, 768), (390, 844)]
# 18 months around 70 %, the last at 95 % (outside the upper limit); the target 90 % lies above the limits.
VALUES = [70, 72, 69, 71, 70, 73, 68, 70, 71, 69, 72, 70, 71, 69, 70, 72, 71, 95]
MONTHS = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(len(VALUES))]
IMPROVEMENT = "Variation senaste månaden: Särskild orsak – förbättring, höga värden"
CONCERN = "Variation senaste månaden: Särskild orsak – försämring, höga värden"
FAIL = "Målsäkring: Målet nås inte utan en förändring av processen"


@pytest.fixture
def region_with_series(transactional_db):
    from lagesbild.catalogue.models import Measure
    from lagesbild.catalogue.reference import ensure_reference_data
    from lagesbild.core.actor import Actor
    from lagesbild.measurements import services
    from lagesbild.measurements.models import Target
    from lagesbild.org.models import OrgUnit
    from tests.conftest import _user

    ensure_reference_data()
    region = OrgUnit.objects.get(code="08")
    clinic = OrgUnit.objects.create(code="S-MED", name="Medicinkliniken", kind="forvaltning", parent=region)
    OrgUnit.objects.create(code="S-AVD1", name="Avdelning 1", kind="enhet", parent=clinic)
    up = Measure.objects.create(code="s-risk", title="Riskbedömning inom 24 timmar", measure_type="process",
                                unit="percent", direction="higher", decimals=1, frequency="month")
    Target.objects.create(measure=up, org_unit=region, comparator=">=", value=Decimal("90"), warning_band=Decimal("5"))
    Measure.objects.create(code="s-fall", title="Fallskador med en mycket lång titel som radbryts i tabellen",
                           measure_type="resultat", unit="percent", direction="lower", decimals=1, frequency="month")
    rows = [f"{code};S-AVD1;{p};;;{v};100;" for code in ("s-risk", "s-fall") for p, v in zip(MONTHS, VALUES)]
    data = ("measure;unit;period;sex;age_band;numerator;denominator;status\r\n" + "\r\n".join(rows) + "\r\n").encode()
    services.import_observations(data, "serie.csv", actor=Actor.cli(_user("kalmar-admin", "08", "admin")))


@pytest.mark.parametrize("width,height", SIZES)
def test_the_icons_fit_and_have_accessible_names(page, region_with_series, width, height):
    page.set_viewport_size({"width": width, "height": height})
    login(page, "kalmar-admin", PASSWORD)
    page.goto("/uppfoljning/08/?period=2025-06")

    risk = page.locator('tr[data-measure="s-risk"] td.value')
    assert risk.get_by_role("img", name=IMPROVEMENT, exact=True).count() == 1
    assert risk.get_by_role("img", name=FAIL, exact=True).count() == 1
    fall = page.locator('tr[data-measure="s-fall"] td.value')
    assert fall.get_by_role("img", name=CONCERN, exact=True).count() == 1
    assert fall.get_by_role("img").count() == 1  # no target: no assurance icon
    icons = page.locator("img.spc-icon")
    assert icons.count() == 3 + 10  # the rows' and the legend's
    # every icon is loaded (our static file) and drawn at its size, not squeezed by the table
    sizes = page.evaluate("""() => [...document.querySelectorAll('img.spc-icon')].map(i =>
        [i.complete && i.naturalWidth > 0, Math.round(i.getBoundingClientRect().width)])""")
    assert all(loaded for loaded, _ in sizes) and {w for _, w in sizes} <= {20, 24}
    # the icons do not overlap the next cell (n)
    overlap = page.evaluate("""() => {
        const row = document.querySelector('tr[data-measure="s-risk"]');
        const last = [...row.querySelectorAll('td.value img')].pop().getBoundingClientRect();
        return last.right - row.querySelector('td.n').getBoundingClientRect().left; }""")
    assert overlap <= 0
    assert page.evaluate(OUTSIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"dashboard-spc-{width}")

    risk.get_by_role("link", name=IMPROVEMENT).click()
    page.wait_for_url("**/uppfoljning/08/matt/s-risk/?period=2025-06&granularitet=month#styrdiagram")
    assert "Särskild orsak – förbättring" in page.locator("section#styrdiagram").inner_text()
    assert page.evaluate(OUTSIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
