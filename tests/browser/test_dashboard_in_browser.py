"""Issue 9 in a real browser at a laptop's and a phone's size: the dashboard (period selector,
legend, children × measures), the heat map sorted by a measure, the measure page with its chart.
Nothing outside a table's own scroll container is wider than the window."""

from decimal import Decimal

import pytest

from tests.browser.conftest import login, shot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
NB = "\u00a0"
SIZES = [(1366, 768), (390, 844)]
CSV = "measure;unit;period;sex;age_band;numerator;denominator;status\r\n" + "\r\n".join([
    "d-risk;D-AVD1;2025-01;;;40;100;", "d-risk;D-AVD1;2025-02;;;45;100;", "d-risk;D-AVD1;2024-02;;;30;100;",
    "d-risk;D-AVD2;2025-01;;;80;100;", "d-risk;D-AVD2;2025-02;;;85;100;",
]) + "\r\n"

# Elements reaching past the window's right edge that are not inside a table's scroll container
# (the tables scroll inside it; the page itself must not).
OUTSIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll'))
  .map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def region_with_data(transactional_db):
    from lagesbild.catalogue.models import Measure
    from lagesbild.catalogue.reference import ensure_reference_data
    from lagesbild.core.actor import Actor
    from lagesbild.measurements import services
    from lagesbild.measurements.models import Target
    from lagesbild.org.models import OrgUnit
    from tests.conftest import _user

    ensure_reference_data()
    region = OrgUnit.objects.get(code="08")
    med = OrgUnit.objects.create(code="D-MED", name="Medicinkliniken", kind="forvaltning", parent=region)
    kir = OrgUnit.objects.create(code="D-KIR", name="Kirurgkliniken", kind="forvaltning", parent=region)
    OrgUnit.objects.create(code="D-AVD1", name="Avdelning 1", kind="enhet", parent=med)
    OrgUnit.objects.create(code="D-AVD2", name="Avdelning 2", kind="enhet", parent=kir)
    m = Measure.objects.create(code="d-risk", title="Riskbedömning inom 24 timmar", measure_type="process",
                               unit="percent", direction="higher", decimals=1)
    Target.objects.create(measure=m, org_unit=region, comparator=">=", value=Decimal("90"), warning_band=Decimal("5"))
    admin = _user("kalmar-admin", "08", "admin")
    services.import_observations(CSV.encode("cp1252"), "obs.csv", actor=Actor.cli(admin))


def no_overflow(page) -> None:
    assert page.evaluate(OUTSIDE) == []
    scrolls = page.evaluate("getComputedStyle(document.querySelector('.table-scroll')).overflowX")
    if scrolls in ("auto", "scroll"):  # the shell's stylesheet makes the tables scroll in place
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("width,height", SIZES)
def test_dashboard_heat_map_and_measure_page(page, region_with_data, width, height):
    page.set_viewport_size({"width": width, "height": height})
    login(page, "kalmar-admin", PASSWORD)
    page.goto("/uppfoljning/08/")
    assert page.locator('select[name="period"] option:checked').inner_text() == "2025"  # the latest with data
    assert page.locator('select[name="period"] option').all_inner_texts() == ["2025", "2024"]
    row = page.locator('tr[data-measure="d-risk"]')
    assert row.locator("td.value").inner_text() == f"62,5{NB}%"  # 250 / 400
    assert row.locator("td.n").inner_text() == "400"
    assert row.locator("td.target").inner_text().startswith(f"≥ 90,0{NB}%")
    assert "Nära" in page.locator(".legend").inner_text()
    no_overflow(page)
    shot(page, f"dashboard-{width}")

    page.get_by_role("link", name="Värmekarta för enheterna under").click()
    page.wait_for_url("**/uppfoljning/08/karta/**")
    page.get_by_role("link", name="Riskbedömning inom 24 timmar", exact=True).click()  # sort ascending
    page.wait_for_url("**sort=d-risk&dir=asc**")
    names = page.locator("table.heatmap tbody th").all_inner_texts()
    assert names == ["Medicinkliniken", "Kirurgkliniken"]  # 42,5 % before 82,5 %
    first = page.locator("table.heatmap tbody tr").first
    assert f"42,5{NB}%" in first.inner_text() and "n = 200" in first.inner_text() and "Ej uppnått" in first.inner_text()
    no_overflow(page)
    shot(page, f"heatmap-{width}")

    page.goto("/uppfoljning/08/?period=2025")
    row.get_by_role("link", name="Riskbedömning inom 24 timmar", exact=True).click()
    page.wait_for_url("**/uppfoljning/08/matt/d-risk/**")
    assert page.locator("dd.value").inner_text() == f"62,5{NB}%"
    chart = page.locator("figure.chart svg")
    assert chart.locator("title", has_text=f"Region Kalmar län, feb 2025: 65,0{NB}% (n = 200)").count() == 1
    box = chart.bounding_box()
    assert box["width"] <= width and box["width"] >= min(width - 80, 600)  # fills its container
    no_overflow(page)
    shot(page, f"measure-{width}")


# --- issue 9: the dashboard by keyboard alone ---------------------------------------------------

FOCUSED = "s => !!document.activeElement && document.activeElement.matches(s)"


def tab_to(page, selector: str, limit: int) -> int:
    """Press Tab until the focused element matches ``selector``; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED, selector):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def skip_to_content(page) -> None:
    """The first Tab stop of a page is the skip link; Enter on it puts focus in <main>."""
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED, "a.skip"), "the first Tab stop is not the skip link"
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED, "main#innehall")


def test_the_dashboard_works_with_the_keyboard_alone(page, region_with_data):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "kalmar-admin", PASSWORD)
    page.goto("/uppfoljning/08/")
    period = 'select[name="period"]'
    assert page.locator(f"{period} option:checked").inner_text() == "2025"

    skip_to_content(page)
    # From the content the period selector is a few stops away (past the crumbs and the period
    # type), not behind the menu.
    tab_to(page, period, limit=6)
    page.keyboard.press("ArrowDown")  # the next older period with data; the page follows the choice
    page.wait_for_url("**period=2024**")
    assert page.locator(f"{period} option:checked").inner_text() == "2024"
    assert "I fjol (2023)" in page.locator("table.dashboard thead").inner_text()

    skip_to_content(page)
    tab_to(page, 'a[href*="/uppfoljning/08/karta/"]', limit=12)
    page.keyboard.press("Enter")
    page.wait_for_url("**/uppfoljning/08/karta/**")
    assert "period=2024" in page.url
    assert page.locator("h1").inner_text() == "Värmekarta: Region Kalmar län"
    assert page.locator(f"{period} option:checked").inner_text() == "2024"
    assert page.locator("table.heatmap tbody th").all_inner_texts() == ["Kirurgkliniken", "Medicinkliniken"]
