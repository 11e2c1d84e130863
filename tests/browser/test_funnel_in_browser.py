"""The funnel page in Chromium on the demo region: reached from the measure page, fits a laptop and a
phone, passes axe-core, and shows its chart, its list of units outside and its table without
JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SHOTS, login
from tests.browser.test_pages_layout import PASSWORD, USER, VIEWPORTS, demo, open_page, serious_violations  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

MEASURE = "/uppfoljning/08-HSF/matt/riskbedomning-70-24h/"


def test_the_funnel_page_fits_passes_axe_and_is_reached_from_the_measure_page(open_page):  # noqa: F811
    for size, (width, height) in VIEWPORTS.items():
        page = open_page(width, height)
        page.goto(MEASURE + "?period=2025")
        page.get_by_role("link", name="Jämför enheterna under rättvist i ett trattdiagram").click()
        page.wait_for_url("**/tratt/?period=2025")
        main = page.locator("main")
        expect(main.get_by_role("heading", name="Enheter utanför gränserna")).to_be_visible()
        expect(main).to_contain_text("Medicinkliniken Kalmar")
        expect(main.locator("dd.adjustment")).to_have_text("Ja")  # the demo's clinics are overdispersed
        # every plotted unit is a point whose hover text names it
        titles = page.locator("figure.chart svg path[aria-roledescription='point'] title").evaluate_all(
            "els => els.map(e => e.textContent)")
        assert len(titles) == 15 and any(t.startswith("Medicinkliniken Kalmar: ") for t in titles)
        overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], f"the funnel page is {overflow[0]} px wide in a {overflow[1]} px viewport"
        assert serious_violations(page) == [], f"funnel page at {width} px"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"tratt-08-hsf-{size}.png"), full_page=True)


def test_the_funnel_page_works_without_javascript(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        login(page, USER, PASSWORD)
        page.goto(MEASURE + "tratt/?period=2025")
        assert page.locator("figure.chart svg").count() == 1
        rows = page.locator("table.funnel tbody tr")
        assert rows.count() > 15  # the clinics with data and those without
        expect(page.locator("table.funnel")).to_contain_text("saknar data")
        # the period form submits without a script (its button is in <noscript>)
        page.locator("select[name=period]").select_option("2024")
        page.locator("form.filters").first.get_by_role("button", name="Visa").click()
        page.wait_for_url("**/tratt/?periodtyp=year&period=2024&organisation=")
        expect(page.locator("main")).to_contain_text("jämförda med varandra, 2024")
    finally:
        context.close()
