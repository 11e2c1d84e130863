"""Every main page on a laptop and a phone: it answers, fits the viewport, passes axe-core, shows
its key text; the shell's menu works from the keyboard, and printing drops the controls and prints
the date, the data's date and the source.

The demo region is loaded through the real loader, as `make demo` does, and the pages are seen as
the region's patient-safety strategist (who may import, so the menu has every entry)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)

# The main pages (docs/ui.md): path, the heading or key text in <main>, and a key figure.
MAIN_PAGES = (
    ("/", "Din lägesbild", "51,0\u00a0%"),  # the off-target section, loaded after the page
    ("/uppfoljning/08/", "Region Kalmar län", "51,0\u00a0%"),
    ("/uppfoljning/08/karta/", "Region Kalmar län", None),
    ("/uppfoljning/08/matt/riskbedomning-70-24h/", "Riskbedömning inom 24 timmar", "51,0\u00a0%"),
    ("/forbattring/", "Förbättringsarbete", None),
    ("/forbattring/luckor/", "Luckor i förbättringsarbetet", None),
    ("/forbattring/forsenade/", "Försenade åtgärder", None),
    ("/avvikelser/08/?ar=2025", "Avvikelser 2025", "11\u00a0411"),
    ("/avvikelser/08/klagomal/?ar=2025", "Klagomål och skadeanmälningar 2025", "1\u00a0006"),
    ("/avvikelser/kallor/", "Avvikelsekällor", None),
    ("/matt/", "Måttkatalog", None),
    ("/organisation/", "Organisation", "Region Kalmar län"),
    ("/enkater/", "Enkäter och utvecklingsindikatorer", None),
    ("/enkater/sos-2025/", "Enkät om regionernas patientsäkerhetsarbete 2025", "UI1"),
    ("/ordlista/", "Ordlista", "FO – fokusområde"),
    ("/api/docs/", "Lägesbild", None),
)
VIEWPORTS = {"dator": (1366, 768), "mobil": (390, 844)}
SERIOUS = {"serious", "critical"}
USER, PASSWORD = "kalmar", "demo-lagesbild-2025"


@pytest.fixture
def demo(transactional_db, request):
    from lagesbild.catalogue.reference import ensure_reference_data
    from lagesbild.demo import load_demo

    ensure_reference_data()
    # The records' figures as plain observations (the pages are the subject here); the incidents
    # and complaints only for their own pages.
    path = getattr(getattr(request.node, "callspec", None), "params", {}).get("path", "")
    load_demo(patient_records=False, incidents=path.startswith("/avvikelser/"), patterns=False)


@pytest.fixture
def open_page(browser, live_server, demo):
    """A logged-in page at a viewport; every request stays inside the app."""
    contexts, outside = [], []

    def open_at(width, height):
        context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith((live_server.url, "data:")) else outside.append(r.url))
        login(page, USER, PASSWORD)
        return page

    yield open_at
    for context in contexts:
        context.close()
    assert outside == [], f"requests outside the app: {outside}"


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def shot_name(path: str, size: str) -> str:
    return (re.sub(r"[^a-z0-9]+", "-", path.strip("/")) or "start") + f"-{size}"


@pytest.mark.parametrize("path,key_text,key_figure", MAIN_PAGES, ids=[p for p, _, _ in MAIN_PAGES])
def test_main_page_fits_passes_axe_and_shows_its_key_text(open_page, path, key_text, key_figure):
    for size, (width, height) in VIEWPORTS.items():
        page = open_page(width, height)
        response = page.goto(path)
        assert response.status == 200, f"{path} at {width} px answered {response.status}"
        main = page.locator("main").first  # Swagger UI nests a <main> of its own
        expect(main).to_contain_text(key_text)  # waits for pages that render their content with a script
        if key_figure:
            expect(main).to_contain_text(key_figure)
        overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], f"{path} is {overflow[0]} px wide in a {overflow[1]} px viewport"
        assert serious_violations(page) == [], f"{path} at {width} px"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot_name(path, size)}.png"), full_page=True)


def test_keyboard_reaches_skip_link_menu_and_content_on_a_phone(open_page):
    page = open_page(*VIEWPORTS["mobil"])
    page.goto("/uppfoljning/08/")
    assert not page.get_by_role("link", name="Mått", exact=True).is_visible()  # the menu is collapsed
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    assert skip.evaluate("el => el === document.activeElement") and skip.is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    menu = page.get_by_role("button", name="Meny")
    assert menu.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    # Tab onwards through the opened menu to "Mått" and follow it.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Mått":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/matt/")
    assert page.get_by_role("button", name="Meny").get_attribute("aria-expanded") == "false"  # collapsed again
    assert not page.locator("#huvudmeny").is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link moves focus to the content
    assert page.evaluate("document.activeElement.id") == "innehall"
    assert page.evaluate("location.hash") == "#innehall"


def test_escape_closes_the_menu_and_the_desktop_menu_is_always_shown(open_page):
    phone = open_page(*VIEWPORTS["mobil"])
    phone.goto("/")
    menu = phone.get_by_role("button", name="Meny")
    menu.click()
    assert phone.get_by_role("link", name="Importera").is_visible()
    phone.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false" and not phone.get_by_role("link", name="Importera").is_visible()
    laptop = open_page(*VIEWPORTS["dator"])
    laptop.goto("/")
    assert not laptop.get_by_role("button", name="Meny").is_visible()
    nav = laptop.get_by_role("navigation", name="Huvudmeny")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Start", "Uppföljning", "Mått", "Förbättringsarbete", "Avvikelser", "Organisation", "Utvecklingsindikatorer",
        "Ordlista", "API", "Importera"]


def test_print_hides_the_controls_and_prints_date_and_source(open_page):
    page = open_page(*VIEWPORTS["dator"])
    page.goto("/uppfoljning/08/")
    assert not page.locator(".print-footer").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Huvudmeny").is_visible()
    assert page.locator("main form, main button, main select").evaluate_all(
        "els => els.filter(e => e.offsetParent !== null).length") == 0
    footer = page.locator(".print-footer")
    assert footer.is_visible() and footer.evaluate("el => getComputedStyle(el).position") == "fixed"
    text = footer.inner_text()
    assert re.search(r"Utskrivet \d{4}-\d{2}-\d{2}", text) and "Data per " in text and "Källa:" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SHOTS / "uppfoljning-08-utskrift.pdf"))
