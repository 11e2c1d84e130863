import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lagesbild.measurements.models import Observation, Target

pytestmark = pytest.mark.django_db


def api_for(user):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return c


ROWS = [
    {"measure": "t-andel", "unit": "T-AVD1", "period": "2025-01", "numerator": 1, "denominator": 2},
    {"measure": "t-andel", "unit": "T-AVD2", "period": "2025-01", "numerator": 90, "denominator": 100},
]


def test_bulk_write_then_values(tree, share, region_admin):
    api = api_for(region_admin)
    r = api.post("/api/v1/observations/", ROWS, format="json")
    assert r.status_code == 201 and r.json() == {"outcome": "ok", "created": 2, "updated": 0, "unchanged": 0}
    r = api.post("/api/v1/observations/", ROWS, format="json")
    assert r.json()["outcome"] == "unchanged"
    r = api.get("/api/v1/values/", {"unit": "08", "period": "2025-Q1", "measure": "t-andel"})
    assert r.status_code == 200
    assert r.json() == [{"measure": "t-andel", "unit": "08", "period": "2025-Q1", "numerator": 91, "denominator": 102,
                         "observations": 2, "value": "89.2", "target": None, "status": None}]


def test_bulk_write_is_all_or_nothing_with_located_problems(tree, share, region_admin):
    api = api_for(region_admin)
    bad = ROWS + [{"measure": "t-andel", "unit": "T-AVD1", "period": "2025-02", "numerator": 5, "denominator": 2}]
    r = api.post("/api/v1/observations/", bad, format="json")
    assert r.status_code == 400
    (p,) = r.json()["problems"]
    assert p["row"] == 4 and "större än nämnaren" in p["message"]
    assert not Observation.objects.exists()


def test_scoping_of_reads_and_writes(tree, share, region_admin, kalmar_user, national_reader):
    api_for(region_admin).post("/api/v1/observations/", ROWS, format="json")
    from lagesbild.org.models import Membership, OrgUnit
    from django.contrib.auth import get_user_model

    skane = get_user_model().objects.create_user("skane")
    Membership.objects.create(user=skane, org_unit=OrgUnit.objects.get(code="12"), role="admin")
    s = api_for(skane)
    assert s.get("/api/v1/observations/").json()["count"] == 0
    assert s.get("/api/v1/values/", {"unit": "08", "period": "2025"}).status_code == 403
    r = s.post("/api/v1/observations/", ROWS, format="json")
    assert r.status_code == 400 and "behörighet" in r.json()["problems"][0]["message"]
    assert api_for(national_reader).post("/api/v1/observations/", ROWS, format="json").status_code == 403
    assert api_for(kalmar_user).get("/api/v1/observations/", {"unit": "08"}).json()["count"] == 2


def test_targets_api_needs_strategist_on_the_unit(tree, share, kalmar_user):
    from lagesbild.org.models import Membership, OrgUnit
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.create_user("chef")
    Membership.objects.create(user=manager, org_unit=OrgUnit.objects.get(code="T-MED"), role="manager")
    body = {"measure": "t-andel", "unit": "T-MED", "comparator": ">=", "value": "90"}
    assert api_for(manager).post("/api/v1/targets/", body, format="json").status_code == 403
    r = api_for(kalmar_user).post("/api/v1/targets/", body, format="json")
    assert r.status_code == 201
    assert Target.objects.get().org_unit.code == "T-MED"
    body["unit"] = "12"
    assert api_for(kalmar_user).post("/api/v1/targets/", body, format="json").status_code == 403
