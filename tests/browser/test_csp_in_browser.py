"""The strict Content-Security-Policy in a real browser: the pages and htmx work, and nothing
on them is blocked (no inline style sheet, script or event handler)."""

import pytest

from tests.browser.conftest import login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture
def admin(transactional_db):
    from lagesbild.catalogue.reference import ensure_reference_data
    from lagesbild.org.models import OrgUnit
    from tests.conftest import _user

    ensure_reference_data()
    OrgUnit.objects.create(code="08-HSF", name="Hälso- och sjukvårdsförvaltningen", kind="forvaltning",
                           parent=OrgUnit.objects.get(code="08"))
    return _user("kalmar-admin", "08", "admin")


def test_pages_and_htmx_work_under_the_policy(page, admin):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)
    login(page, "kalmar-admin", PASSWORD)
    page.goto("/organisation/")
    page.get_by_label("Sök enhet (namn eller kod)").fill("sjukvårds")
    page.locator("#sokresultat caption").wait_for()  # htmx swapped the results in
    assert "Hälso- och sjukvårdsförvaltningen" in page.locator("#sokresultat").inner_text()
    page.goto("/uppfoljning/08/matt/riskbedomning-70-24h/")
    with page.expect_navigation():
        page.locator("select[name=granularitet]").select_option("quarter")
    assert "granularitet=quarter" in page.url
    for url in ("/matt/", "/matt/riskbedomning-70-24h/", "/"):
        page.goto(url)
        assert page.evaluate("window.__csp") == [], url
    assert violations == []
