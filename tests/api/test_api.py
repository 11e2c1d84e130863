import pytest
import yaml
from rest_framework.test import APIClient

from tests.conftest import PUBLISHED_2025

pytestmark = pytest.mark.django_db




def test_api_requires_authentication(demo_surveys):
    r = APIClient().get("/api/v1/surveys/")
    assert r.status_code in (401, 403)


def test_surveys_list(api, demo_surveys):
    r = api.get("/api/v1/surveys/")
    assert r.status_code == 200
    results = r.json()["results"]
    assert [s["id"] for s in results] == ["sos-2025", "sos-2024"]
    assert results[0]["respondents"] == 21 and results[0]["comparable_with"] == []


def test_indicators_reproduce_published_figures(api, demo_surveys):
    r = api.get("/api/v1/surveys/sos-2025/indicators/")
    assert r.status_code == 200
    data = r.json()
    assert [(d["id"], d["percent"], d["numerator"], d["n"]) for d in data] == [
        (k, *v) for k, v in PUBLISHED_2025.items()
    ]
    assert data[0]["ci_low"] == "57.0" and data[0]["ci_high"] == "93.4"
    assert data[0]["change_points"] is None and data[0]["comparable_with"] is None
    assert api.get("/api/v1/surveys/okand/indicators/").status_code == 404


def test_schema_documents_the_endpoints(api):
    r = api.get("/api/schema/")
    assert r.status_code == 200
    schema = yaml.safe_load(r.content)
    assert "/api/v1/surveys/" in schema["paths"]
    assert "/api/v1/surveys/{key}/indicators/" in schema["paths"]
