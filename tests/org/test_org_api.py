"""The org-unit API: scoped reads, filters, and the all-or-nothing import endpoint."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lagesbild.org.models import AuditEvent, OrgUnit

from .conftest import SAMPLE

pytestmark = pytest.mark.django_db
URL = "/api/v1/org-units/"


def api_for(user) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return c


def codes(response) -> list[str]:
    return [u["code"] for u in response.json()["results"]]


def test_requires_authentication(kalmar_units):
    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().post(URL + "import/").status_code in (401, 403)


def test_list_is_scoped_to_the_users_subtree(kalmar_units, skane_units, kalmar_user):
    r = api_for(kalmar_user).get(URL)
    assert r.status_code == 200
    got = codes(r)
    assert got[0] == "08" and len(got) == 14 and all(c.startswith("08") for c in got)
    assert "12-SUS" not in got and "SE" not in got and "0880" not in got


def test_national_user_sees_everything(kalmar_units, skane_units, national_user):
    r = api_for(national_user).get(URL, {"limit": 1000})
    assert r.json()["count"] == OrgUnit.objects.count() == 1 + 21 + 290 + 13 + 2


def test_retrieve_by_code(kalmar_units, skane_units, kalmar_user):
    c = api_for(kalmar_user)
    data = c.get(URL + "08-SOM-MED-11/").json()
    assert data["parent"] == "08-SOM-MED" and data["kind"] == "enhet" and data["kind_label"] == "Enhet"
    assert data["valid_to"] == "2023-12-31" and data["successors"] == ["08-SOM-MED-12"]
    assert data["path"] == "SE/08/08-SOM/08-SOM-MED/08-SOM-MED-11/"
    assert data["current_path"] == "SE/08/08-SOM/08-SOM-MED/08-SOM-MED-12/"
    assert c.get(URL + "12-SUS/").status_code == 404  # another region's unit does not exist for you
    assert c.get(URL + "FINNS-EJ/").status_code == 404


def test_filters(kalmar_units, kalmar_user, national_user):
    c = api_for(kalmar_user)
    assert codes(c.get(URL, {"parent": "08"})) == ["08-PRIM", "08-PSY", "08-SOM"]
    assert codes(c.get(URL, {"q": "västervik"})) == ["08-SOM-MED-11", "08-SOM-MED-12"]
    assert codes(c.get(URL, {"kind": "Förvaltning"})) == ["08-PRIM", "08-PSY", "08-SOM"]
    assert codes(c.get(URL, {"kind": "verksamhet", "parent": "08-SOM"})) == ["08-SOM-KIR", "08-SOM-MED"]
    # Filters never widen the scope.
    assert codes(c.get(URL, {"parent": "SE"})) == ["08"]
    assert codes(api_for(national_user).get(URL, {"kind": "region"}))[:2] == ["01", "03"]


def test_import_endpoint(kalmar_admin):
    c = api_for(kalmar_admin)
    with open(SAMPLE, "rb") as fh:
        r = c.post(URL + "import/", {"file": fh}, format="multipart")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["outcome"] == "ok" and len(data["created"]) == 13 and data["successions"] == 1
    assert OrgUnit.objects.get(code="08-SOM-MED-HJ").path == "SE/08/08-SOM/08-SOM-MED/08-SOM-MED-HJ/"
    with open(SAMPLE, "rb") as fh:
        assert c.post(URL + "import/", {"file": fh}, format="multipart").json()["outcome"] == "unchanged"
    assert AuditEvent.objects.filter(action="org.import", user=kalmar_admin).count() == 2


def test_import_endpoint_returns_located_problems(kalmar_admin, skane_units):
    bad = SimpleUploadedFile("fel.csv", b"code;name;kind;parent_code;valid_from;valid_to\n"
                                        b"08-A;A;forvaltning;08;2020-01-01;\n08-B;B;enhet;12-SUS;;\n")
    r = api_for(kalmar_admin).post(URL + "import/", {"file": bad}, format="multipart")
    assert r.status_code == 400
    assert r.json() == {"problems": [{
        "file": "fel.csv", "row": 3, "column": "parent_code", "value": "12-SUS", "path": None,
        "message": "den överordnade enheten ligger utanför ditt administrationsområde (administratörsroll krävs)",
    }]}
    assert not OrgUnit.objects.filter(code="08-A").exists()
    r = api_for(kalmar_admin).post(URL + "import/", {}, format="multipart")
    assert r.status_code == 400 and "ingen fil" in r.json()["problems"][0]["message"]


def test_import_endpoint_needs_an_administrator(kalmar_user):
    with open(SAMPLE, "rb") as fh:
        r = api_for(kalmar_user).post(URL + "import/", {"file": fh}, format="multipart")
    assert r.status_code == 403
    assert not OrgUnit.objects.filter(code="08-SOM").exists()


def test_read_only(kalmar_units, kalmar_admin):
    c = api_for(kalmar_admin)
    assert c.delete(URL + "08-SOM/").status_code == 405
    assert c.patch(URL + "08-SOM/", {"name": "X"}).status_code == 405


def test_schema_documents_the_endpoints(national_user):
    schema = yaml.safe_load(api_for(national_user).get("/api/schema/").content)
    assert "/api/v1/org-units/" in schema["paths"] and "/api/v1/org-units/{code}/" in schema["paths"]
    post = schema["paths"]["/api/v1/org-units/import/"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"200", "400", "403"} <= set(post["responses"])
    params = {p["name"] for p in schema["paths"]["/api/v1/org-units/"]["get"]["parameters"]}
    assert {"parent", "q", "kind"} <= params


def test_the_nations_parent_is_null_and_the_schema_says_so(national_user):
    r = api_for(national_user).get(URL, {"kind": "nation"})
    assert [(u["code"], u["parent"]) for u in r.json()["results"]] == [("SE", None)]
    schema = yaml.safe_load(api_for(national_user).get("/api/schema/").content)
    assert schema["components"]["schemas"]["OrgUnit"]["properties"]["parent"]["nullable"] is True


@pytest.mark.parametrize("params, field", [
    ({"kind": "planet"}, "kind"),
    ({"q": "x" * 101}, "q"),
    ({"parent": "x" * 65}, "parent"),
])
def test_bad_query_parameters_are_a_400_with_a_message(national_user, params, field):
    r = api_for(national_user).get(URL, params)
    assert r.status_code == 400
    assert field in r.json()
