"""Query parameters, page sizes and path parameters of every API endpoint are validated:
a bad value is a 400 (or a JSON 404 for a path), never a 500 (issue 8, items 6, 18 and 22)."""

from datetime import date

import pytest
import yaml

from lagesbild.catalogue.models import Measure
from lagesbild.measurements.models import Observation
from lagesbild.org.api_support import MAX_LIMIT, BoundedLimitOffsetPagination
from lagesbild.org.models import OrgUnit

pytestmark = pytest.mark.django_db




@pytest.fixture
def observations(db):
    m = Measure.objects.create(code="b-andel", title="Andel", measure_type="process", unit="percent",
                               direction="higher", decimals=1)
    unit = OrgUnit.objects.get(code="08")
    for month in range(1, 4):
        Observation.objects.create(measure=m, org_unit=unit, period_start=date(2025, month, 1), numerator=1,
                                   denominator=2)
    return m


def _list_endpoints(api) -> list[str]:
    """Every list endpoint of the schema: a GET on a path without path parameters."""
    schema = yaml.safe_load(api.get("/api/schema/").content)
    return [path for path, item in schema["paths"].items() if "get" in item and "{" not in path]


@pytest.mark.parametrize("query, field", [
    ({"from": "nonsense"}, "from"), ({"to": "2025-13"}, "to"), ({"to": "9999-12"}, "to"),
    ({"from": "x" * 3000}, "from"),
])
def test_observation_filters_answer_400_with_the_parameter_named(api, observations, query, field):
    r = api.get("/api/v1/observations/", query)
    assert r.status_code == 400 and field in r.json()


def test_observation_period_filters_still_filter(api, observations):
    r = api.get("/api/v1/observations/", {"from": "2025-02", "to": "2025-Q1"})
    assert r.status_code == 200 and r.json()["count"] == 2


@pytest.mark.parametrize("path, query, field", [
    ("/api/v1/analyses/", {"period": "2025-99"}, "period"),
    ("/api/v1/actions/", {"analysis": "²"}, "analysis"),
    ("/api/v1/actions/", {"status": "nonsense"}, "status"),
    ("/api/v1/actions/", {"overdue": "kanske"}, "overdue"),
    ("/api/v1/follow-ups/", {"action": "99999999999999999999"}, "action"),
    ("/api/v1/action-plans/", {"year": "abc"}, "year"),
    ("/api/v1/plan-activities/", {"plan": "-1"}, "plan"),
    ("/api/v1/measures/", {"focus_area": "9"}, "focus_area"),
    ("/api/v1/measures/b-andel/", {"version": "99999999999999999999"}, "version"),
    ("/api/v1/org-units/", {"kind": "planet"}, "kind"),
    ("/api/v1/values/", {"unit": "08", "period": "nonsense"}, "period"),
    ("/api/v1/values/", {"period": "2025"}, "unit"),
    ("/api/v1/funnels/", {"unit": "08", "measure": "b-andel", "period": "nonsense"}, "period"),
    ("/api/v1/funnels/", {"unit": "08", "period": "2025"}, "measure"),
    ("/api/v1/funnels/", {"unit": "08", "measure": "b-andel", "period": "2025", "compare": "planeter"}, "compare"),
])
def test_every_query_parameter_is_validated(api, observations, path, query, field):
    r = api.get(path, query)
    assert r.status_code == 400 and field in r.json()


def test_every_list_endpoint_caps_its_page_and_refuses_an_absurd_limit(api, observations, monkeypatch):
    monkeypatch.setattr(BoundedLimitOffsetPagination, "max_limit", 2)  # a cap the test data exceeds
    paths = _list_endpoints(api)
    # surveys, org-units, measures, observations, targets, values, funnels, the cycle's five, and incidents and
    # complaints (cases and summaries) and the incident sources
    assert len(paths) == 17
    for path in paths:
        params = {"unit": "08", "period": "2025"} if path == "/api/v1/values/" else {}
        if path.startswith(("/api/v1/incidents/", "/api/v1/complaints/")):
            params = {"unit": "08", "year": "2025"}
        if path == "/api/v1/funnels/":
            params = {"unit": "08", "measure": "b-andel", "period": "2025"}
        huge = api.get(path, {**params, "limit": "100000000"})
        assert huge.status_code == 200, path
        paginated = isinstance(huge.json(), dict) and "results" in huge.json()
        if paginated:
            page = huge.json()
            assert len(page["results"]) == min(page["count"], 2), path
            assert page["count"] <= 2 or "limit=2" in page["next"], path
        for bad in ("99999999999999999999", "-1", "abc"):
            r = api.get(path, {**params, "limit": bad})
            assert r.status_code == (400 if paginated else 200), (path, bad)
            if paginated:
                assert "limit" in r.json(), (path, bad)


def test_the_observation_list_is_capped_at_the_maximum(api, observations, monkeypatch):
    monkeypatch.setattr(BoundedLimitOffsetPagination, "max_limit", 2)
    page = api.get("/api/v1/observations/", {"limit": "100000000"}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and "limit=2" in page["next"]
    assert MAX_LIMIT == 1000


@pytest.mark.parametrize("path", [
    "/api/v1/action-plans/abc/activities/", "/api/v1/action-plans/abc/", "/api/v1/actions/1.5/",
    "/api/v1/observations/abc/", "/api/v1/targets/%C3%A5/", "/api/v1/action-plans/99999999999999999999/activities/",
    "/api/v1/no-such-endpoint/",
])
def test_a_malformed_path_parameter_is_a_json_404(api, path):
    r = api.get(path)
    assert r.status_code == 404 and r["Content-Type"] == "application/json" and "detail" in r.json()


def _row(**change):
    return {"measure": "b-andel", "unit": "08", "period": "2025-05", "numerator": 1, "denominator": 2, **change}


@pytest.mark.parametrize("row, field", [
    (_row(age_band="x" * 21), "age_band"),
    (_row(numerator=2**63), "numerator"),
    (_row(numerator=10**15), "numerator"),
    (_row(denominator=2**63 + 5), "denominator"),
])
def test_an_observation_row_out_of_bounds_is_a_located_400(api, observations, row, field):
    r = api.post("/api/v1/observations/", [_row(), row], format="json")
    assert r.status_code == 400
    errors = r.json()
    assert list(errors) == ["1"] and field in errors["1"], errors  # the second row (from 0), that field
    assert Observation.objects.count() == 3


def test_the_schema_declares_the_filters_and_bounds(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)
    params = {p["name"] for p in schema["paths"]["/api/v1/observations/"]["get"]["parameters"]}
    assert {"unit", "measure", "from", "to", "limit", "offset"} <= params
    row = schema["components"]["schemas"]["ObservationWrite"]["properties"]
    assert row["age_band"]["maxLength"] == 20 and row["numerator"]["maximum"] == 10**15 - 1
    assert schema["components"]["schemas"]["OrgUnit"]["properties"]["parent"]["nullable"] is True
    assert "400" in schema["paths"]["/api/v1/observations/"]["get"]["responses"]


@pytest.mark.parametrize("body", [
    {"org_unit": "0\x008", "year_from": 2025, "year_to": 2025, "title": "Plan"},
    {"org_unit": "08", "year_from": 2025, "year_to": 2025, "title": "Plan", "x": ["\x00"]},
])
def test_a_nul_character_in_a_body_is_a_400_on_every_database(api, body):
    for fmt in ("json", "multipart"):
        r = api.post("/api/v1/action-plans/", body if fmt == "json" else {k: v for k, v in body.items() if k != "x"}
                     | ({"x": "\x00"} if "x" in body else {}), format=fmt)
        assert r.status_code == 400 and "NUL" in r.json()["detail"], (fmt, r.content)


@pytest.mark.parametrize("path", ["/api/v1/org-units/0%008/", "/api/v1/surveys/sos%00/indicators/"])
def test_a_nul_character_in_a_path_is_a_json_404(api, path):
    r = api.get(path)
    assert r.status_code == 404 and r["Content-Type"] == "application/json"
