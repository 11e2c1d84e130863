"""The tree browser in a real browser: expanding with htmx, live search, import errors swapped in."""

import pytest

from lagesbild.core.actor import Actor
from tests.browser.conftest import login, shot
from tests.conftest import PASSWORD
from tests.org.conftest import SAMPLE

# The live server needs committed data; the flush between tests empties the reference tables.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_with_units(transactional_db):
    from lagesbild.catalogue.reference import ensure_reference_data
    from lagesbild.org.services import import_units
    from tests.conftest import _user

    ensure_reference_data()
    admin = _user("kalmar-admin", "08", "admin")
    import_units(SAMPLE.read_bytes(), SAMPLE.name, actor=Actor.cli(admin))
    skane = _user("skane-admin", "12", "admin")
    import_units(b"code;name;kind;parent_code;valid_from;valid_to\n12-SUS;Sus;forvaltning;12;;\n", "s.csv", actor=Actor.cli(skane))
    return admin


def test_expand_search_and_import(page, admin_with_units, tmp_path):
    login(page, "kalmar-admin", PASSWORD)
    page.goto("/organisation/")
    region = page.locator("details").first
    region.locator("summary").click()  # htmx loads the children on the first opening
    page.get_by_role("link", name="Område somatisk specialistvård").wait_for()
    page.locator("li.unit:has(> a:text-is('Område somatisk specialistvård')) > details > summary").click()
    page.locator("li.unit:has(> a:text-is('Medicinkliniken')) > details > summary").click()
    ward = page.locator("li.unit:has(> a:text-is('Avdelning 11 Västervik'))")
    ward.wait_for()
    assert "nedlagd" in ward.inner_text() and "Medicinavdelning Västervik" in ward.inner_text()
    shot(page, "organisation-trad")

    page.get_by_label("Sök enhet (namn eller kod)").fill("västervik")
    page.locator("#sokresultat table").wait_for()
    found = page.locator("#sokresultat tbody th > a:first-child").all_inner_texts()
    assert found == ["Avdelning 11 Västervik", "Medicinavdelning Västervik"]
    page.get_by_label("Sök enhet (namn eller kod)").fill("sus")
    page.locator("#sokresultat p").wait_for()
    assert "Inga enheter" in page.locator("#sokresultat").inner_text()

    bad = tmp_path / "fel.csv"
    bad.write_bytes("code;name;kind;parent_code;valid_from;valid_to\n08-A;A;avdelning;08;;\n".encode("cp1252"))
    page.goto("/organisation/importera/")
    page.get_by_label("Fil med enheter (CSV eller XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Importera").click()
    problems = page.locator(".problems table")
    problems.wait_for()
    assert "avdelning" in problems.inner_text() and "/organisation/importera/" in page.url
    shot(page, "organisation-import-fel")
