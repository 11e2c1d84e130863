"""Every URL pattern, enumerated, against another region's data: a strategist of Region Kalmar
län can neither read nor change anything that belongs to Region Skåne."""

import re
from datetime import date
from decimal import Decimal

import pytest

from tests.web.test_access import patterns as routes

pytestmark = pytest.mark.django_db
SECRET = "Hemlig"  # every Skåne object's name or text carries it


@pytest.fixture
def skane(db, national_user):
    from django.contrib.auth import get_user_model

    from lagesbild.calc.periods import Period
    from lagesbild.catalogue.models import Measure
    from lagesbild.core.actor import Actor
    from lagesbild.improvement import services as imp
    from lagesbild.measurements.models import Observation, Target
    from lagesbild.org.models import Membership, OrgUnit

    region = OrgUnit.objects.get(code="12")
    sus = OrgUnit.objects.create(code="12-SUS", name=f"{SECRET} förvaltning", kind="forvaltning", parent=region)
    med = OrgUnit.objects.create(code="12-SUS-MED", name=f"{SECRET} klinik", kind="verksamhet", parent=sus)
    avd = OrgUnit.objects.create(code="12-SUS-AVD", name=f"{SECRET} avdelning", kind="enhet", parent=med)
    m = Measure.objects.create(code="t-cross", title="Korsmått", measure_type="process", unit="percent",
                               direction="higher")
    obs = Observation.objects.create(measure=m, org_unit=avd, period_start=date(2025, 1, 1), numerator=7,
                                     denominator=9)
    target = Target.objects.create(measure=m, org_unit=region, comparator=">=", value=Decimal("90"), note=SECRET)
    admin = get_user_model().objects.create_user("skaneadmin")
    Membership.objects.create(user=admin, org_unit=region, role="admin")
    period = Period.parse("2025")
    analysis = imp.record_analysis(m, avd, period, f"{SECRET} analys", actor=Actor(admin))
    action = imp.add_action(analysis, f"{SECRET} åtgärd", "Chef", date(2026, 1, 1), actor=Actor(admin))
    follow = imp.add_follow_up(action, "ja", comment=f"{SECRET} uppföljning", actor=Actor(admin))
    plan = imp.create_plan(region, 2025, 2030, f"{SECRET} plan", actor=Actor(admin))
    activity = imp.add_activity(plan, "obligatorisk", f"{SECRET} aktivitet", actor=Actor(admin))
    from lagesbild.incidents import services as incidents

    source = incidents.save_source("skane", f"source: {SECRET} Synergi\ncolumns: {{case: A, reported: B, unit: C, "
                                            "type: D, description: E}\n", actor=Actor(admin), owner=region)
    incidents.import_export(f"A;B;C;D;E\nS-1;2025-01-02;12-SUS-AVD;Fall;{SECRET} text\n".encode(), "x.csv",
                            source=source, actor=Actor(admin))
    from lagesbild.measurements.services import record_rebase

    rebase = record_rebase("t-cross", avd, date(2025, 1, 1), f"{SECRET} ny rutin", actor=Actor(admin))
    return {"obs": obs, "target": target, "analysis": analysis, "action": action, "follow": follow, "plan": plan,
            "activity": activity, "source": source, "rebase": rebase}


PK_BY_PREFIX = [  # which Skåne object a route's <pk> names
    ("api/v1/^action-plans", "plan"), ("api/v1/^plan-activities", "activity"), ("api/v1/^actions", "action"),
    ("api/v1/^analyses", "analysis"), ("api/v1/^follow-ups", "follow"), ("api/v1/^observations", "obs"),
    ("api/v1/^targets", "target"), ("forbattring/planer", "plan"), ("forbattring/atgard", "action"),
    ("api/v1/^incident-sources", "source"), ("avvikelser/kallor", "source"), ("uppfoljning/", "rebase"),
]
VALUES = {"code": "12-SUS-AVD", "unit_code": "12-SUS-AVD", "measure_code": "t-cross", "measure": "t-cross",
          "period_key": "2025", "key": "sos-2025", "indicator": "UI1"}
# Global, not regional: the measure catalogue and the national survey aggregates.
GLOBAL = ("matt/", "api/v1/^measures", "enkater/", "api/v1/^surveys", "admin/", "konto/", "api/schema")


def concrete(route: str, objects) -> str | None:
    if "format" in route:
        return None
    pk_name = next((name for prefix, name in PK_BY_PREFIX if route.startswith(prefix)), None)

    def value(name):
        if name == "pk":
            return str(objects[pk_name].pk)
        if name == "code" and route.startswith("enkater/"):
            return "12"
        return VALUES.get(name, "x")

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route).replace("^", "").replace("$", "")
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), path)
    return "/" + path


def test_every_route_hides_and_protects_another_regions_data(client, kalmar_user, skane):
    client.force_login(kalmar_user)
    checked = 0
    for route in sorted(set(routes())):
        url = concrete(route, skane)
        if url is None or route.startswith(GLOBAL):
            continue
        names_object = "<" in route or "(?P" in route
        r = client.get(url)
        body = r.content.decode("utf-8", "replace")
        if names_object:
            assert r.status_code in (403, 404, 405), (url, r.status_code)
        assert SECRET not in body, (url, r.status_code)
        for method in ("post", "put", "patch", "delete"):
            r = getattr(client, method)(url, data={}, content_type="application/json") if method != "post" else client.post(url, {})
            if names_object:
                assert r.status_code in (403, 404, 405), (method, url, r.status_code)
            assert SECRET not in r.content.decode("utf-8", "replace"), (method, url)
        checked += 1
    assert checked >= 40


def test_search_and_lists_do_not_leak(client, kalmar_user, skane):
    client.force_login(kalmar_user)
    for url in ("/organisation/sok/?q=mlig+avd", "/api/v1/org-units/?q=mlig+avd", "/forbattring/forsenade/",
                "/api/v1/observations/?measure=t-cross", "/api/v1/actions/", "/forbattring/luckor/?enhet=12&ar=2025",
                "/api/v1/values/?unit=12-SUS-AVD&period=2025", "/avvikelser/kallor/", "/api/v1/incident-sources/",
                "/api/v1/incidents/?unit=08&year=2025", "/avvikelser/08/arenden/?ar=2025"):
        r = client.get(url)
        assert SECRET not in r.content.decode(), url


def test_no_changes_through_the_api_with_another_regions_unit(client, kalmar_user, skane):
    from lagesbild.measurements.models import Observation, Target

    client.force_login(kalmar_user)
    before = (Observation.objects.count(), Target.objects.count())
    r = client.post("/api/v1/targets/", {"measure": "t-cross", "unit": "12", "comparator": ">=", "value": "1"},
                    content_type="application/json")
    assert r.status_code == 403
    r = client.post("/api/v1/observations/", [{"measure": "t-cross", "unit": "12-SUS-AVD", "period": "2025-02",
                                               "numerator": 1, "denominator": 2}], content_type="application/json")
    assert r.status_code == 400 and "behörighet" in r.content.decode()
    assert (Observation.objects.count(), Target.objects.count()) == before
