"""The survey API: validated query parameters (400, never 500) and the presenter's figures."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(national_user):
    c = APIClient()
    c.force_authenticate(national_user)
    return c


@pytest.mark.parametrize(
    "query",
    ["year=nonsense", "year=99999999999999999999", "year=0", "limit=99999999999999999999", "limit=-1",
     "offset=abc", "offset=99999999999999999999"],
)
def test_bad_query_parameters_are_a_400_with_a_message(api, demo_surveys, query):
    r = api.get(f"/api/v1/surveys/?{query}")
    assert r.status_code == 400
    assert query.split("=")[0] in r.json()


def test_surveys_filtered_by_year_and_bounded_pages(api, demo_surveys):
    assert [s["id"] for s in api.get("/api/v1/surveys/?year=2024").json()["results"]] == ["sos-2024"]
    r = api.get("/api/v1/surveys/?limit=100000000")
    assert r.status_code == 200 and len(r.json()["results"]) == 2


def test_the_schema_documents_the_year_filter(api):
    schema = api.get("/api/schema/?format=json").json()
    names = [p["name"] for p in schema["paths"]["/api/v1/surveys/"]["get"]["parameters"]]
    assert {"year", "limit", "offset"} <= set(names)


def test_indicators_read_the_presenter(api, demo_surveys, demo_dir, national_user):
    """The API's change in points is the presenter's (from the exact ratios), as a plain decimal."""
    from lagesbild.core.actor import Actor
    from lagesbild.surveys import selectors
    from lagesbild.surveys.models import Survey
    from lagesbild.surveys.services import import_survey

    spec = (demo_dir / "sos-2025.yaml").read_text(encoding="utf-8")
    spec = spec.replace("id: sos-2025", "id: sos-2026").replace("year: 2025", "year: 2026").replace(
        "comparable_with: []", "comparable_with: [sos-2025]")
    resp = (demo_dir / "sos-2025-svar.csv").read_bytes().replace("Region Stockholm;Region;Vet ej".encode("cp1252"),
                                                                   b"Region Stockholm;Region;Ja")
    import_survey(spec.encode(), "sos-2026.yaml", resp, "sos-2026-svar.csv", actor=Actor.cli(national_user))
    data = api.get("/api/v1/surveys/sos-2026/indicators/").json()
    report, _, _ = selectors.report(Survey.objects.get(key="sos-2026"))
    assert [(d["id"], d["change_points"]) for d in data] == [(r.id, f"{r.change:f}") for r in report.rows]
    ui1 = data[0]
    assert ui1["comparable_with"] == "sos-2025" and ui1["numerator"] == 14 and ui1["n"] == 17
    assert ui1["change_points"] == "1.1"  # 14/17 − 13/16 = 82,35 − 81,25 percent
