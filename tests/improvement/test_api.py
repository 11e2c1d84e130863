"""The improvement API: scoped lists, 404 outside the subtree, writes need the right role."""

from datetime import timedelta
from decimal import Decimal

import pytest
import yaml
from rest_framework.test import APIClient

from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import FocusArea
from lagesbild.core.actor import Actor
from lagesbild.improvement import services
from lagesbild.improvement.models import Action, ActionPlan, Analysis, PlanActivity
from lagesbild.org.models import AuditEvent
from django.utils import timezone

pytestmark = pytest.mark.django_db
Q1 = Period.parse("2025-Q1")
TODAY = timezone.localdate()


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def cycles(users, org, measure):
    kir = services.record_analysis(measure, org.kir, Q1, "Kirurgen.", actor=Actor(users.kir_manager))
    med = services.record_analysis(measure, org.med, Q1, "Medicin.", actor=Actor(users.med_manager))
    return kir, med


def test_requires_authentication(cycles):
    for path in ("analyses", "actions", "follow-ups", "action-plans", "plan-activities"):
        assert APIClient().get(f"/api/v1/{path}/").status_code in (401, 403)


def test_lists_are_scoped_and_outside_is_404(users, cycles):
    kir, med = cycles
    c = api(users.kir_manager)
    r = c.get("/api/v1/analyses/")
    assert r.status_code == 200
    assert [(a["org_unit"], a["period"], a["period_label"], a["text"]) for a in r.json()["results"]] == [
        ("08-F1-KIR", "2025-Q1", "2025 kv 1", "Kirurgen.")]
    assert c.get(f"/api/v1/analyses/{med.pk}/").status_code == 404
    assert c.patch(f"/api/v1/analyses/{med.pk}/", {"text": "Kapning"}, format="json").status_code == 404
    assert c.get("/api/v1/analyses/", {"unit": "08-F1-MED"}).status_code == 404
    region = api(users.strategist).get("/api/v1/analyses/", {"unit": "08-F1", "period": "2025-Q1"}).json()
    assert region["count"] == 2
    assert api(users.strategist).get("/api/v1/analyses/", {"period": "2025-Q5"}).status_code == 400


def test_analysis_create_update_and_rights(users, org, measure, cycles):
    kir, _ = cycles
    body = {"measure": measure.pk, "org_unit": "08-F1-KIR", "period": "2025-03", "text": "Mars."}
    r = api(users.kir_manager).post("/api/v1/analyses/", body, format="json")
    assert r.status_code == 201, r.content
    assert (r.json()["period_start"], r.json()["granularity"], r.json()["measure_code"]) == (
        "2025-03-01", "month", "test-riskbedomning-24h")
    assert api(users.reader).post("/api/v1/analyses/", {**body, "text": "Läsare"}, format="json").status_code == 403
    assert api(users.med_manager).post("/api/v1/analyses/", {**body, "text": "Granne"}, format="json").status_code == 403
    assert api(users.kir_manager).post("/api/v1/analyses/", {**body, "org_unit": "01"}, format="json").status_code == 403
    assert api(users.kir_manager).post("/api/v1/analyses/", {**body, "period": "mars"}, format="json").status_code == 400

    r = api(users.kir_manager).patch(f"/api/v1/analyses/{kir.pk}/", {"text": "Omarbetad."}, format="json")
    assert r.status_code == 200 and Analysis.objects.get(pk=kir.pk).text == "Omarbetad."
    r = api(users.kir_manager).patch(f"/api/v1/analyses/{kir.pk}/", {"org_unit": "08-F1-MED"}, format="json")
    assert r.status_code == 400
    assert api(users.reader).patch(f"/api/v1/analyses/{kir.pk}/", {"text": "X"}, format="json").status_code == 403
    assert api(users.kir_manager).delete(f"/api/v1/analyses/{kir.pk}/").status_code == 405
    assert AuditEvent.objects.filter(action="improvement.analysis.update", path__startswith="/api/").exists()


def test_actions_and_follow_ups(users, measure, cycles, fake_measurements):
    kir, med = cycles
    c = api(users.kir_manager)
    due = (TODAY - timedelta(days=1)).isoformat()
    r = c.post("/api/v1/actions/", {"analysis": kir.pk, "title": "Rond", "owner_name": "Chef", "due_date": due}, format="json")
    assert r.status_code == 201, r.content
    action = r.json()
    assert action["status"] == "planerad" and action["is_overdue"] is True
    assert [a["id"] for a in c.get("/api/v1/actions/", {"overdue": "true"}).json()["results"]] == [action["id"]]
    # Another unit's analysis is not a valid choice at all.
    r = c.post("/api/v1/actions/", {"analysis": med.pk, "title": "X", "owner_name": "Y", "due_date": due}, format="json")
    assert r.status_code == 400 and "analysis" in r.json()

    r = c.patch(f"/api/v1/actions/{action['id']}/", {"status": "klar"}, format="json")
    assert r.status_code == 200 and r.json()["completed_on"] == TODAY.isoformat() and r.json()["is_overdue"] is False
    assert c.get("/api/v1/actions/", {"overdue": "true"}).json()["count"] == 0
    assert api(users.med_manager).get(f"/api/v1/actions/{action['id']}/").status_code == 404

    fake_measurements.values[(measure.code, "08-F1-KIR", "2025-Q1")] = Decimal("72.5")
    r = c.post("/api/v1/follow-ups/", {"action": action["id"], "date": "2025-10-01", "effect": "ja",
                                       "period_before": "2025-Q1", "period_after": "2025-Q3", "value_after": "85.0"},
               format="json")
    assert r.status_code == 201, r.content
    f = r.json()
    assert (f["value_before"], f["value_before_source"], f["value_after"], f["value_after_source"]) == (
        "72.5000", "matt", "85.0000", "manuell")
    r = c.patch(f"/api/v1/follow-ups/{f['id']}/", {"effect": "delvis"}, format="json")
    assert r.status_code == 200 and r.json()["effect"] == "delvis" and r.json()["value_after"] == "85.0000"
    assert c.post("/api/v1/follow-ups/", {"action": action["id"], "date": "2025-10-01", "effect": "kanske"},
                  format="json").status_code == 400
    assert api(users.reader).post("/api/v1/follow-ups/", {"action": action["id"], "date": "2025-10-01", "effect": "ja"},
                                  format="json").status_code == 403
    assert api(users.med_manager).get(f"/api/v1/follow-ups/{f['id']}/").status_code == 404
    assert Action.objects.get().status == "klar"


def test_plans_and_activities(users, org, measure):
    s = api(users.strategist)
    r = s.post("/api/v1/action-plans/", {"org_unit": "08", "year_from": 2025, "year_to": 2027, "title": "Regionplan"},
               format="json")
    assert r.status_code == 201, r.content
    region_plan = r.json()["id"]
    fa1 = FocusArea.objects.get(plan__code="agera-for-saker-vard-2025-2030", number=1).pk
    r = s.post("/api/v1/plan-activities/", {"plan": region_plan, "kind": "obligatorisk", "focus_area": fa1,
                                            "title": "Analysera vårdskadeläget", "indicator": measure.pk,
                                            "target_text": "<4 %", "data_source": "Journalgranskning"}, format="json")
    assert r.status_code == 201, r.content

    f1 = api(users.f1_strategist)
    r = f1.post("/api/v1/action-plans/", {"org_unit": "08-F1", "parent": region_plan}, format="json")
    assert r.status_code == 201, r.content
    div = r.json()
    assert (div["year_from"], div["year_to"], div["parent"]) == (2025, 2027, region_plan)
    r = f1.post("/api/v1/plan-activities/", {"plan": div["id"], "kind": "obligatorisk", "title": "Fel"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()
    r = f1.post("/api/v1/plan-activities/", {"plan": div["id"], "kind": "lokal", "title": "Fallrond", "focus_area": fa1},
                format="json")
    assert r.status_code == 201
    r = f1.get(f"/api/v1/action-plans/{div['id']}/activities/")
    assert [(a["inherited"], a["activity"]["kind"], a["activity"]["title"]) for a in r.json()] == [
        (True, "obligatorisk", "Analysera vårdskadeläget"), (False, "lokal", "Fallrond")]
    # The region's activity is read-only for the förvaltning.
    inherited = r.json()[0]["activity"]["id"]
    assert f1.patch(f"/api/v1/plan-activities/{inherited}/", {"title": "Ändrad"}, format="json").status_code == 403
    assert s.patch(f"/api/v1/plan-activities/{inherited}/", {"target_text": "<3 %"}, format="json").status_code == 200

    # Managers cannot write plans; nobody outside the region sees them.
    assert api(users.kir_manager).post("/api/v1/action-plans/", {"org_unit": "08-F2", "parent": region_plan},
                                       format="json").status_code == 403
    assert [p["org_unit"] for p in api(users.kir_manager).get("/api/v1/action-plans/").json()["results"]] == ["08", "08-F1"]
    assert api(users.kir_manager).get("/api/v1/action-plans/", {"year": 2030}).json()["count"] == 0
    from tests.improvement.conftest import _user

    sthlm = api(_user("sthlm", org.stockholm, "strategist"))
    assert sthlm.get(f"/api/v1/action-plans/{region_plan}/").status_code == 404
    assert sthlm.get("/api/v1/plan-activities/").json()["count"] == 0
    r = sthlm.post("/api/v1/action-plans/", {"org_unit": "01", "parent": region_plan}, format="json")
    assert r.status_code == 400 and "parent" in r.json()
    assert ActionPlan.objects.count() == 2 and PlanActivity.objects.count() == 2


def test_schema_documents_the_endpoints(users):
    r = api(users.strategist).get("/api/schema/")
    assert r.status_code == 200
    paths = yaml.safe_load(r.content)["paths"]
    for p in ("/api/v1/analyses/", "/api/v1/actions/{id}/", "/api/v1/follow-ups/", "/api/v1/action-plans/",
              "/api/v1/action-plans/{id}/activities/", "/api/v1/plan-activities/{id}/"):
        assert p in paths, p
    assert "delete" not in paths["/api/v1/analyses/{id}/"]


def test_an_owner_outside_the_scope_is_a_400_without_telling_who_exists(users, org, cycles, national_user):
    kir, _ = cycles
    c = api(users.kir_manager)
    due = TODAY.isoformat()
    body = {"analysis": kir.pk, "title": "Rond", "owner_name": "Chef", "due_date": due}
    answers = []
    for owner in (users.med_manager.pk, national_user.pk, 10**9, 2**70):
        r = c.post("/api/v1/actions/", {**body, "owner": owner}, format="json")
        assert r.status_code == 400, r.content
        answers.append(r.json()["owner"])
    assert answers == [[services.OWNER_ERROR]] * 4
    assert not Action.objects.exists()
    r = c.post("/api/v1/actions/", {**body, "owner": users.kir_manager.pk}, format="json")
    assert r.status_code == 201 and r.json()["owner"] == users.kir_manager.pk
    r = c.patch(f"/api/v1/actions/{r.json()['id']}/", {"owner": users.med_manager.pk}, format="json")
    assert r.status_code == 400 and Action.objects.get().owner == users.kir_manager


def test_identity_numbers_are_removed_and_the_answer_says_so(users, org, measure, cycles):
    from lagesbild.core.personal import REPLACEMENT

    c = api(users.kir_manager)
    r = c.post("/api/v1/analyses/", {"measure": measure.pk, "org_unit": "08-F1-KIR", "period": "2025-03",
                                     "text": "Patient 121212-1212 föll."}, format="json")
    assert r.status_code == 201
    assert r.json()["text"] == f"Patient {REPLACEMENT} föll." and r.json()["notice"] == services.IDENTITY_NUMBER_NOTICE
    assert c.get(f"/api/v1/analyses/{r.json()['id']}/").json()["notice"] is None
    r = c.post("/api/v1/actions/", {"analysis": cycles[0].pk, "title": "Rond", "owner_name": "Chef",
                                    "description": "Ring 191212121212", "due_date": TODAY.isoformat()}, format="json")
    assert r.json()["description"] == f"Ring {REPLACEMENT}" and r.json()["notice"]


@pytest.mark.parametrize("path, params", [
    ("action-plans/abc/activities/", {}),
    ("action-plans/99999999999999999999/activities/", {}),
    ("action-plans/abc/", {}),
    ("analyses/1e5/", {}),
])
def test_a_bad_id_in_the_path_is_a_404(users, path, params):
    assert api(users.strategist).get(f"/api/v1/{path}", params).status_code == 404


@pytest.mark.parametrize("path, params", [
    ("analyses/", {"period": "nonsense"}),
    ("analyses/", {"period": "9" * 3000}),
    ("actions/", {"status": "glömd"}),
    ("actions/", {"overdue": "kanske"}),
    ("actions/", {"analysis": "abc"}),
    ("actions/", {"analysis": "99999999999999999999"}),
    ("follow-ups/", {"action": "-1"}),
    ("action-plans/", {"year": "tjugo"}),
    ("action-plans/", {"year": "99999999999999999999"}),
    ("plan-activities/", {"plan": "1.5"}),
    ("analyses/", {"unit": "x" * 500}),
    ("actions/", {"limit": "99999999999999999999"}),
])
def test_bad_query_parameters_are_a_400(users, cycles, path, params):
    r = api(users.strategist).get(f"/api/v1/{path}", params)
    assert r.status_code == 400, r.content
    assert set(params) <= set(r.json())


def test_good_query_parameters_still_filter(users, cycles):
    s = api(users.strategist)
    kir, _ = cycles
    services.add_action(kir, "Sen", "A", TODAY - timedelta(days=1), actor=Actor(users.kir_manager))
    assert s.get("/api/v1/actions/", {"overdue": "1", "analysis": kir.pk, "status": "planerad"}).json()["count"] == 1
    assert s.get("/api/v1/actions/", {"overdue": "false", "status": "klar"}).json()["count"] == 0
    assert s.get("/api/v1/analyses/", {"measure": kir.measure.code, "unit": "08-F1-KIR"}).json()["count"] == 1


def test_a_huge_id_in_a_body_is_a_400(users, org, cycles):
    r = api(users.kir_manager).post("/api/v1/actions/", {"analysis": 2**64, "title": "X", "owner_name": "Y",
                                                         "due_date": TODAY.isoformat()}, format="json")
    assert r.status_code == 400 and "analysis" in r.json()
