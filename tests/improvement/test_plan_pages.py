"""Plan pages: create the region's plan, give a förvaltning its inheriting plan, add activities."""

import re

import pytest
from django.urls import reverse

from lagesbild.catalogue.models import FocusArea
from lagesbild.core.actor import Actor
from lagesbild.improvement import services
from lagesbild.improvement.models import ActionPlan, PlanActivity

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def fa(n):
    return FocusArea.objects.get(plan__code="agera-for-saker-vard-2025-2030", number=n)


def test_plan_workflow_without_javascript(client, users, org, measure):
    client.force_login(users.strategist)
    page = text(client.get(reverse("improvement:plans")))
    assert "Ny plan för regionen" in page and "Inga handlingsplaner ännu." in page
    r = client.post(reverse("improvement:plan_create"), {
        "org_unit": org.region.pk, "title": "Handlingsplan 2025–2027", "year_from": 2025, "year_to": 2027})
    region_plan = ActionPlan.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("improvement:plan", args=[region_plan.pk])

    add = reverse("improvement:activity_add", args=[region_plan.pk])
    page = text(client.get(r["Location"]))
    assert '<option value="obligatorisk">Obligatorisk</option>' in page and '<option value="lokal">' not in page
    r = client.post(add, {"kind": "obligatorisk", "focus_area": fa(1).pk, "indicator": measure.pk,
                          "title": "Ta fram analysresultat av vårdskadeläget", "indicator_text": "Vårdtillfällen med skador",
                          "target_text": "<4 %", "data_source": "SKR databas, journalgranskning"})
    assert r.status_code == 302 and r["Location"].endswith("#aktiviteter")
    r = client.post(add, {"kind": "rekommenderad", "focus_area": fa(3).pk, "title": "Munhälsobedömning"}, **HX)
    assert r.status_code == 200 and r.content.decode().lstrip().startswith('<div id="aktiviteter">')
    r = client.post(add, {"kind": "lokal", "title": "Fel nivå"})
    assert r.status_code == 422 and PlanActivity.objects.count() == 2

    # The förvaltning's plan is created from the region's plan and inherits its activities.
    r = client.post(reverse("improvement:plan_inherit", args=[region_plan.pk]), {"arv-division": org.f1.pk})
    div = ActionPlan.objects.get(parent=region_plan)
    assert r.status_code == 302 and div.org_unit == org.f1
    client.post(reverse("improvement:activity_add", args=[div.pk]),
                {"kind": "lokal", "focus_area": fa(1).pk, "title": "Fallrond varje vecka", "responsible": "Vårdenhetschefer"})
    page = text(client.get(reverse("improvement:plan", args=[div.pk])))
    assert page.count("Ärvd från regionens plan") == 2
    fa1 = re.search(r"<h2>Fokusområde 1\. Öka kunskap om inträffade vårdskador</h2>(.*?)</table>", page).group(1)
    rows = re.findall(r'<tr class="activity (\w+)( inherited)?">', fa1)
    assert rows == [("obligatorisk", " inherited"), ("lokal", "")]
    assert "<td>&lt;4 %</td>" in fa1 and "SKR databas, journalgranskning" in fa1 and "Vårdtillfällen med skador" in fa1
    assert "Fokusområde 3. Säker vård här och nu" in page
    region_page = text(client.get(reverse("improvement:plan", args=[region_plan.pk])))
    assert "Ärvd från regionens plan" not in region_page and div.title in region_page


def test_who_sees_and_changes_plans(client, users, org):
    region_plan = services.create_plan(org.region, 2025, 2025, "Handlingsplan Kalmar 2025", actor=Actor(users.strategist))
    services.add_activity(region_plan, "obligatorisk", "Regional aktivitet", actor=Actor(users.strategist))
    f1_plan = services.inherit_plan(org.f1, region_plan, actor=Actor(users.strategist))
    f2_plan = services.inherit_plan(org.f2, region_plan, actor=Actor(users.strategist))

    # A clinic's manager reads the plans that govern the clinic, but not the other förvaltning's.
    client.force_login(users.kir_manager)
    page = text(client.get(reverse("improvement:plans")))
    assert "Handlingsplan Kalmar 2025 – Hälso- och sjukvårdsförvaltningen" in page and "Tandvårdsförvaltningen" not in page
    page = text(client.get(reverse("improvement:plan", args=[f1_plan.pk])))
    assert "Regional aktivitet" in page and "Lägg till aktivitet" not in page
    assert client.get(reverse("improvement:plan", args=[f2_plan.pk])).status_code == 404
    assert client.post(reverse("improvement:activity_add", args=[f1_plan.pk]), {"kind": "lokal", "title": "X"}).status_code == 403
    assert client.post(reverse("improvement:plan_create"), {"org_unit": org.region.pk, "title": "X",
                                                            "year_from": 2030, "year_to": 2030}).status_code == 403

    # The förvaltning's strategist adds local activities but cannot change the region's plan.
    client.force_login(users.f1_strategist)
    assert "Lägg till aktivitet" in text(client.get(reverse("improvement:plan", args=[f1_plan.pk])))
    assert "Lägg till aktivitet" not in text(client.get(reverse("improvement:plan", args=[region_plan.pk])))
    assert client.post(reverse("improvement:activity_add", args=[region_plan.pk]),
                       {"kind": "obligatorisk", "title": "X"}).status_code == 403
    r = client.post(reverse("improvement:activity_add", args=[f1_plan.pk]), {"kind": "lokal", "title": "Lokal"})
    assert r.status_code == 302
    assert list(PlanActivity.objects.order_by("id").values_list("plan__org_unit__code", "kind")) == [
        ("08", "obligatorisk"), ("08-F1", "lokal")]

    # Another region's user sees none of it.
    from tests.improvement.conftest import _user

    sthlm = _user("sthlm", org.stockholm, "strategist")
    client.force_login(sthlm)
    assert client.get(reverse("improvement:plan", args=[region_plan.pk])).status_code == 404
    assert "Handlingsplan Kalmar" not in text(client.get(reverse("improvement:plans")))
