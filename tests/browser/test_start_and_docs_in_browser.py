"""The start page, the glossary and the API documentation in Chromium, under the strict CSP:
Swagger UI and Redoc render the operations with no policy violation and nothing fetched from
another host; no page is wider than a phone."""

import pytest

from tests.browser.conftest import login, shot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def strategist(transactional_db):
    from lagesbild.catalogue.reference import ensure_reference_data
    from tests.conftest import _user

    ensure_reference_data()
    return _user("kalmar-strateg", "08", "strategist")


def _watch(page) -> list[str]:
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)
    return violations


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_swagger_ui_and_redoc_render_the_operations_under_the_policy(page, strategist):
    violations = _watch(page)
    login(page, "kalmar-strateg", PASSWORD)
    for size, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        page.goto("/api/docs/")
        page.locator(".opblock-tag").first.wait_for()
        assert page.locator(".opblock-tag", has_text="Måttkatalog").count() == 1
        assert page.locator(".opblock").count() >= 20  # every operation, grouped by Swedish tags
        assert "patientsäkerhetsindikatorer" in page.locator(".info").inner_text()
        shot(page, f"api-docs-{size}")
        assert page.evaluate("window.__csp") == [], size
        page.goto("/api/redoc/")
        page.locator("[data-section-id^='operation/']").first.wait_for(state="attached")
        assert page.locator("[data-section-id^='operation/']").count() >= 20
        tags = [el.get_attribute("data-section-id") for el in page.locator("[data-section-id^='tag/']").all()]
        assert any("ttkatalog" in t for t in tags), tags
        shot(page, f"api-redoc-{size}")
        assert page.evaluate("window.__csp") == [], size
    assert violations == []


def test_start_page_and_glossary_fit_a_phone_under_the_policy(page, strategist):
    violations = _watch(page)
    login(page, "kalmar-strateg", PASSWORD)
    for size, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        for url, name in (("/", "start"), ("/ordlista/", "glossary"), ("/api/v1/", "api-root")):
            page.goto(url)
            _fits(page)
            shot(page, f"{name}-{size}")
            assert page.evaluate("window.__csp") == [], url
    page.goto("/ordlista/#nara")
    assert page.locator("dt#nara").is_visible()
    assert violations == []
