"""Survey pages through Django's test client on a real database."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse
from pptx import Presentation

from lagesbild.org.models import AuditEvent
from tests.conftest import PUBLISHED_2025

pytestmark = pytest.mark.django_db
NB = "\u00a0"


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode("utf-8"))


def test_pages_need_login(client, demo_surveys):
    for url in ("/", "/enkater/", "/enkater/sos-2025/", "/enkater/sos-2025/indikator/UI1/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/konto/login/")


def test_the_surveys_page_lists_the_surveys_and_the_glossary_the_plan(client, national_user, demo_surveys):
    """What the start page listed before it became personal (issue 9): the surveys are in the menu's
    "Utvecklingsindikatorer", the action plan's foundations and focus areas in the glossary."""
    client.force_login(national_user)
    surveys = text(client.get(reverse("surveys:list")))
    assert "Enkät om regionernas patientsäkerhetsarbete 2025" in surveys
    assert f'href="{reverse("surveys:results", args=["sos-2025"])}"' in surveys
    glossary = text(client.get(reverse("glossary")))
    assert "Patienten som medskapare" in glossary and "Öka riskmedvetenhet och beredskap" in glossary


def test_results_page_shows_published_figures(client, national_user, demo_surveys):
    client.force_login(national_user)
    r = client.get(reverse("surveys:results", args=["sos-2025"]))
    page = text(r)
    for ind, (pct, num, n) in PUBLISHED_2025.items():
        row = re.search(rf'<tr id="{ind}">(.*?)</tr>', page).group(1)
        cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
        assert cells[:3] == [pct.replace(".", ",") + f"{NB}%", str(num), str(n)], ind
    assert "81,3 procent av regionerna har dokumenterade rutiner i ledningssystemet" in page
    assert "57,0–93,4" in page  # Wilson 95 % for 13/16
    assert "<svg" in page and 'aria-roledescription="bar"' in page  # server-rendered chart
    assert "Ej jämförbar med föregående år" in page


def test_comparable_survey_shows_change_in_points(client, national_user, demo_surveys, demo_dir):
    """A survey that declares comparable_with gets year-on-year change in percentage points."""
    from lagesbild.core.actor import Actor
    from lagesbild.surveys.services import import_survey

    spec = (demo_dir / "sos-2025.yaml").read_text(encoding="utf-8")
    spec = spec.replace("id: sos-2025", "id: sos-2026").replace("year: 2025", "year: 2026").replace(
        "comparable_with: []", "comparable_with: [sos-2025]").replace("2025\n", "2026\n")
    resp = (demo_dir / "sos-2025-svar.csv").read_bytes()
    import_survey(spec.encode(), "sos-2026.yaml", resp, "sos-2026-svar.csv", actor=Actor.cli(national_user))
    client.force_login(national_user)
    page = text(client.get(reverse("surveys:results", args=["sos-2026"])))
    assert "Jämförs med" in page and "Ej jämförbar" not in page
    assert "±0,0 procentenheter" in page  # same answers, so no change


def test_indicator_page_explains_every_respondent(client, national_user, demo_surveys):
    client.force_login(national_user)
    page = text(client.get(reverse("surveys:indicator", args=["sos-2025", "UI1"])))
    rows = re.findall(r'<tr class="(täljare|nämnare|exkluderad)">', page)
    assert (rows.count("täljare"), rows.count("nämnare"), rows.count("exkluderad")) == (13, 3, 5)
    assert "Okänt svar: F1 = Vet ej" in page
    assert "F1 ∈ {Ja} OCH F2 ∈ {Ja}" in page
    assert AuditEvent.objects.filter(action="survey.indicator.view", user=national_user).count() == 1


def test_region_user_sees_only_their_own_region(client, kalmar_user, demo_surveys):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("surveys:indicator", args=["sos-2025", "UI1"])))
    assert re.findall(r'<tr class="(?:täljare|nämnare|exkluderad)"><th scope="row">([^<]*)</th>', page) == ["Region Kalmar län"]
    assert "20 svarande utanför din behörighet" in page
    assert client.get(reverse("surveys:region", args=["sos-2025", "08"])).status_code == 200
    assert client.get(reverse("surveys:region", args=["sos-2025", "01"])).status_code == 403
    assert client.get(reverse("surveys:xlsx", args=["sos-2025"])).status_code == 403
    # National aggregates are public within the system.
    assert "81,3" in text(client.get(reverse("surveys:results", args=["sos-2025"])))


def test_region_page_beside_the_national_figure(client, national_user, demo_surveys):
    client.force_login(national_user)
    page = text(client.get(reverse("surveys:region", args=["sos-2025", "08"])))
    assert "Region Kalmar län" in page
    assert page.count('<td class="num percent">') == 9
    assert f"81,3{NB}%" in page
    assert AuditEvent.objects.filter(action="survey.region.view", detail__region="08").exists()


def test_excel_download_matches_the_page(client, national_user, demo_surveys):
    client.force_login(national_user)
    r = client.get(reverse("surveys:xlsx", args=["sos-2025"]))
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    wb = openpyxl.load_workbook(io.BytesIO(r.content), data_only=True)
    values = [row for row in wb["Sammanfattning"].iter_rows(values_only=True) if row and row[0] in PUBLISHED_2025]
    assert {row[0]: (row[3], row[4]) for row in values} == {k: (v[1], v[2]) for k, v in PUBLISHED_2025.items()}


def test_powerpoint_download(client, kalmar_user, demo_surveys):
    client.force_login(kalmar_user)
    r = client.get(reverse("surveys:pptx", args=["sos-2025"]))
    assert r.status_code == 200
    prs = Presentation(io.BytesIO(r.content))
    charts = [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]
    assert [round(c.plots[0].series[0].values[0], 1) for c in charts] == [float(v[0]) for v in PUBLISHED_2025.values()]


def test_upload_needs_national_strategist(client, kalmar_user, national_reader, demo_dir):
    for user in (kalmar_user, national_reader):
        client.force_login(user)
        assert client.get(reverse("surveys:upload")).status_code == 403


def test_upload_all_or_nothing_with_located_errors(client, national_user, demo_dir):
    client.force_login(national_user)
    bad = (demo_dir / "sos-2025-svar.csv").read_bytes().replace(b";F13", b";F13x")
    with open(demo_dir / "sos-2025.yaml", "rb") as spec:
        r = client.post(reverse("surveys:upload"), {"spec": spec, "responses": io.BytesIO(bad)}, headers={"HX-Request": "true"})
    assert r.status_code == 422
    page = text(r)
    assert "Importen avvisades – inget sparades" in page and "F13" in page and "UI9" in page
    from lagesbild.surveys.models import Survey

    assert not Survey.objects.exists()
    with open(demo_dir / "sos-2025.yaml", "rb") as spec, open(demo_dir / "sos-2025-svar.csv", "rb") as resp:
        r = client.post(reverse("surveys:upload"), {"spec": spec, "responses": resp})
    assert r.status_code == 302 and r["Location"] == "/enkater/sos-2025/"
    assert Survey.objects.get().responses_import.uploaded_by == national_user
    assert AuditEvent.objects.filter(action="survey.import", user=national_user).exists()
    # The service audits the write, once, as a web action; the view adds nothing of its own.
    (event,) = AuditEvent.objects.filter(action="survey.import")
    assert event.channel == "web" and event.path == "/enkater/importera/" and event.detail["outcome"] == "ok"
    (refused,) = AuditEvent.objects.filter(action="survey.import.refused")
    assert refused.channel == "web" and refused.detail["problems"] >= 1


def test_a_refused_upload_says_the_files_must_be_chosen_again(client, national_user, demo_dir):
    """Browsers cannot keep a file input's choice across a response: the page has to say so."""
    client.force_login(national_user)
    bad = (demo_dir / "sos-2025-svar.csv").read_bytes().replace(b";F13", b";F13x")
    with open(demo_dir / "sos-2025.yaml", "rb") as spec:
        refused = text(client.post(reverse("surveys:upload"), {"spec": spec, "responses": io.BytesIO(bad)}))
    assert "Välj filerna igen" in refused
    with open(demo_dir / "sos-2025.yaml", "rb") as spec:
        missing = text(client.post(reverse("surveys:upload"), {"spec": spec}))
    assert "Välj filerna igen" in missing
    assert "Välj filerna igen" not in text(client.get(reverse("surveys:upload")))
