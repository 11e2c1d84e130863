"""The measures API: everyone signed in reads, catalogue roles write, through the import's validation."""

import pytest
import yaml
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lagesbild.catalogue.models import Measure
from lagesbild.org.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/measures/"


def client_for(user) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return c


NEW = {
    "code": "fall-med-skada",
    "title": "Fall med skada",
    "measure_type": "resultat",
    "unit": "per_1000",
    "direction": "lower",
    "focus_area": 1,
    "numerator_definition": "Antal fall med skada.",
    "denominator_definition": "Antal vårddagar.",
    "valid_from": "2026-01-01",
}


def test_anonymous_gets_nothing():
    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().get(URL + "vri/").status_code in (401, 403)
    assert APIClient().post(URL, NEW, format="json").status_code in (401, 403)


def test_list_is_the_latest_version_of_each_measure_and_filters(national_reader):
    api = client_for(national_reader)
    data = api.get(URL).json()
    assert data["count"] == 14
    codes = [m["code"] for m in data["results"]]
    assert codes[:3] == ["trycksar-sjukhusforvarvade", "vardskador-vardtillfallen", "vri"] and codes[-1] == "hse-index"
    fa2 = api.get(URL, {"focus_area": 2}).json()["results"]
    assert sorted(m["code"] for m in fa2) == ["overbelaggningar-100", "utlokaliseringar-100", "utskrivningsklara-vardagar"]
    assert [m["code"] for m in api.get(URL, {"focus_area": "ingen"}).json()["results"]] == ["hse-index"]
    results = [m["code"] for m in api.get(URL, {"focus_area": 3, "type": "process"}).json()["results"]]
    assert len(results) == 6 and "riskbedomning-70-24h" in results
    assert api.get(URL, {"focus_area": 9}).status_code == 400
    assert api.get(URL, {"type": "outcome"}).status_code == 400


def test_retrieve_by_code_and_version(national_reader, national_user):
    api = client_for(national_reader)
    m = api.get(URL + "antibiotika-recept-1000/").json()
    assert (m["unit"], m["direction"], m["decimals"], m["frequency"], m["focus_area"]) == ("per_1000", "lower", 0, "quarter", 3)
    assert m["focus_area_name"] == "Säker vård här och nu" and m["plan"].startswith("Agera för säker vård")
    assert m["handbook_url"].endswith("/matt/antibiotika-recept-1000/?version=1") and m["versions"] == [1]
    hse = api.get(URL + "hse-index/").json()
    assert hse["focus_area"] is None and hse["foundation"] == 2 and hse["foundation_name"] == "En god säkerhetskultur"
    writer = client_for(national_user)
    assert writer.post(URL, {**NEW, "code": "vri", "version": 2, "title": "VRI (ECDC)", "unit": "percent"},
                       format="json").status_code == 201
    assert api.get(URL + "vri/").json()["title"] == "VRI (ECDC)"
    assert api.get(URL + "vri/", {"version": 1}).json()["title"] == "Vårdrelaterade infektioner (VRI)"
    assert api.get(URL + "vri/").json()["versions"] == [1, 2]
    assert api.get(URL + "vri/", {"version": 5}).status_code == 404
    assert api.get(URL + "okand/").status_code == 404
    assert api.get(URL).json()["count"] == 15 - 1  # still one row per code


@pytest.mark.parametrize("fixture", ["national_reader"])
def test_reader_cannot_write(fixture, request):
    api = client_for(request.getfixturevalue(fixture))
    assert api.post(URL, NEW, format="json").status_code == 403
    assert api.patch(URL + "vri/", {"title": "x"}, format="json").status_code == 403
    assert api.put(URL + "vri/", {**NEW, "code": "vri"}, format="json").status_code == 403
    assert api.delete(URL + "vri/").status_code in (403, 405)
    assert not Measure.objects.filter(code="fall-med-skada").exists()
    assert Measure.objects.get(code="vri").title == "Vårdrelaterade infektioner (VRI)"


def test_strategist_creates_and_updates(kalmar_user):
    api = client_for(kalmar_user)
    r = api.post(URL, NEW, format="json")
    assert r.status_code == 201, r.json()
    created = Measure.objects.get(code="fall-med-skada")
    assert (created.focus_area.number, created.valid_from.isoformat(), created.frequency) == (1, "2026-01-01", "month")
    assert api.post(URL, NEW, format="json").status_code == 400  # (code, version) exists
    r = api.patch(URL + "fall-med-skada/", {"interpretation": "Lägre är bättre."}, format="json")
    assert r.status_code == 200 and r.json()["interpretation"] == "Lägre är bättre."
    assert Measure.objects.get(code="fall-med-skada").numerator_definition == "Antal fall med skada."  # kept
    assert api.patch(URL + "fall-med-skada/", {"version": 3}, format="json").status_code == 400
    assert api.delete(URL + "fall-med-skada/").status_code == 405
    actions = list(AuditEvent.objects.filter(user=kalmar_user).values_list("action", flat=True))
    assert sorted(actions) == ["catalogue.measure.create", "catalogue.measure.update"]


def test_writes_are_validated_like_an_import(national_user):
    api = client_for(national_user)
    r = api.post(URL, {**NEW, "valid_to": "2025-12-31"}, format="json")
    assert r.status_code == 400 and "valid_to" in r.json()
    r = api.post(URL, {**NEW, "code": "importera"}, format="json")
    assert r.status_code == 400 and "reserverad" in r.json()["code"][0]
    r = api.post(URL, {**NEW, "unit": "promille"}, format="json")
    assert r.status_code == 400 and "unit" in r.json()
    r = api.post(URL, {k: v for k, v in NEW.items() if k != "direction"}, format="json")
    assert r.status_code == 400 and "direction" in r.json()
    assert not Measure.objects.filter(code__in=["fall-med-skada", "importera"]).exists()


def test_schema_documents_the_measures(national_reader):
    schema = yaml.safe_load(client_for(national_reader).get("/api/schema/").content)
    assert {"/api/v1/measures/", "/api/v1/measures/{code}/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/v1/measures/"]["get"]["parameters"]}
    assert {"focus_area", "type"} <= params
    assert "version" in {p["name"] for p in schema["paths"]["/api/v1/measures/{code}/"]["get"]["parameters"]}
    assert "delete" not in schema["paths"]["/api/v1/measures/{code}/"]


@pytest.mark.parametrize("url, field", [
    ("/api/v1/measures/?focus_area=9", "focus_area"),
    ("/api/v1/measures/?type=okand", "type"),
    ("/api/v1/measures/vri/?version=abc", "version"),
    ("/api/v1/measures/vri/?version=99999999999999999999", "version"),
    ("/api/v1/measures/vri/?version=0", "version"),
])
def test_bad_query_parameters_are_a_400_with_a_message(national_reader, url, field):
    r = client_for(national_reader).get(url)
    assert r.status_code == 400
    assert field in r.json()
