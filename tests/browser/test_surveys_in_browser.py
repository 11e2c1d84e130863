import re

import pytest

from tests.browser.conftest import login, shot
from tests.conftest import PASSWORD, PUBLISHED_2025

# The live server needs committed data, so these tests are transactional; the flush between
# them empties the reference tables, which the fixture below loads again.
pytestmark = pytest.mark.django_db(transaction=True)
NB = "\u00a0"


@pytest.fixture
def reference_data(transactional_db):
    from lagesbild.catalogue.reference import ensure_reference_data

    ensure_reference_data()


@pytest.fixture
def users_and_surveys(reference_data, national_user, kalmar_user, demo_dir):
    from lagesbild.core.actor import Actor
    from lagesbild.surveys.services import import_survey

    for spec, resp in (("sos-2024.yaml", "sos-2024-svar.xlsx"), ("sos-2025.yaml", "sos-2025-svar.csv")):
        import_survey((demo_dir / spec).read_bytes(), spec, (demo_dir / resp).read_bytes(), resp,
                      actor=Actor.cli(national_user))


def test_login_start_page_and_results(page, users_and_surveys):
    page.goto("/")
    assert "/konto/login/" in page.url
    login(page, "analytiker", PASSWORD)
    assert page.get_by_role("heading", name="Din lägesbild").is_visible()
    shot(page, "start")
    page.get_by_role("link", name="Utvecklingsindikatorer").first.click()
    page.get_by_role("link", name="Enkät om regionernas patientsäkerhetsarbete 2025").first.click()
    page.wait_for_url("**/enkater/sos-2025/")
    for ind, (pct, num, n) in PUBLISHED_2025.items():
        row = page.locator(f"tr#{ind}")
        assert row.locator("td.percent").inner_text() == pct.replace(".", ",") + f"{NB}%"
        cells = row.locator("td.num").all_inner_texts()
        assert cells[1:3] == [str(num), str(n)]
    assert page.locator("figure.chart svg").is_visible()
    assert page.locator("p.compare strong").inner_text() == "Ej jämförbar med föregående år"
    # The chart is drawn: a bar per indicator with an accessible label.
    assert page.locator('figure.chart svg [aria-roledescription="bar"]').count() == 9
    shot(page, "results")


def test_drill_to_indicator_and_region(page, users_and_surveys):
    login(page, "analytiker", PASSWORD)
    page.goto("/enkater/sos-2025/")
    page.get_by_role("link", name="UI9", exact=True).click()
    page.wait_for_url("**/indikator/UI9/")
    assert page.locator("tr.exkluderad").count() == 9
    assert page.locator("tr.täljare").count() == 10
    assert "strikt" in page.locator("section").first.inner_text()
    shot(page, "indicator-ui9")
    page.goto("/enkater/sos-2025/")
    page.get_by_role("link", name="Region Kalmar län").click()
    assert page.get_by_role("heading", name="Region Kalmar län").is_visible()
    assert page.locator("td.percent").count() == 9


def test_region_user_is_scoped(page, users_and_surveys):
    login(page, "kalmar", PASSWORD)
    page.goto("/enkater/sos-2025/indikator/UI1/")
    names = page.locator("tbody th[scope=row]").all_inner_texts()
    assert names == ["Region Kalmar län"]
    response = page.goto("/enkater/sos-2025/region/12/")
    assert response.status == 403
    assert page.get_by_role("heading", name="Ingen behörighet").is_visible()


def test_upload_shows_located_errors_in_place_then_imports(page, users_and_surveys, demo_dir, tmp_path):
    login(page, "analytiker", PASSWORD)
    page.goto("/enkater/")
    bad = tmp_path / "svar.csv"
    bad.write_bytes((demo_dir / "sos-2025-svar.csv").read_bytes().replace(b"Region Gotland;Region;", b"Region Gotland;Region;Kanske", 1))
    page.set_input_files("#id_spec", str(demo_dir / "sos-2025.yaml"))
    page.set_input_files("#id_responses", str(bad))
    page.get_by_role("button", name="Importera").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    text = alert.inner_text()
    assert "inget sparades" in text and "svar.csv" in text and "Kanske" in text
    assert re.search(r"\b9\b", text)  # Region Gotland is row 9 in the file
    assert page.url.endswith("/enkater/")  # htmx swapped the form in place
    shot(page, "upload-error")
    page.set_input_files("#id_spec", str(demo_dir / "sos-2025.yaml"))
    page.set_input_files("#id_responses", str(demo_dir / "sos-2025-svar.csv"))
    page.get_by_role("button", name="Importera").click()
    page.wait_for_url("**/enkater/sos-2025/")
    assert "redan importerade" in page.locator(".messages").inner_text()
