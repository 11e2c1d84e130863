"""Action plans as in Region Jämtland Härjedalen's model: the region's obligatory and recommended
activities per focus area, inherited by each förvaltning, which adds local activities."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lagesbild.catalogue.models import FocusArea, Foundation
from lagesbild.core.actor import Actor
from lagesbild.improvement import selectors, services
from lagesbild.improvement.models import ActionPlan, PlanActivity
from lagesbild.org.models import AuditEvent

pytestmark = pytest.mark.django_db


def fa(n):
    return FocusArea.objects.get(plan__code="agera-for-saker-vard-2025-2030", number=n)


@pytest.fixture
def region_plan(users, org, measure):
    s = Actor(users.strategist)
    plan = services.create_plan(org.region, 2025, 2027, "Handlingsplan för patientsäkerhet 2025–2027", actor=s)
    services.add_activity(
        plan, "obligatorisk", "Ta fram analysresultat av vårdskadeläget, besluta om och vidta åtgärder",
        focus_area=fa(1), indicator_text="Vårdtillfällen med skador", target_text="<4 %",
        data_source="SKR databas, journalgranskning, avvikelserapporter", actor=s,
    )
    services.add_activity(
        plan, "rekommenderad", "Följa struktur för hantering av inkomna avvikelserapporter",
        focus_area=fa(1), indicator_text="Ledtider, handläggningstid", target_text="100 % handlagda inom 28 dagar",
        actor=s,
    )
    services.add_activity(plan, "obligatorisk", "Riskbedömning vid inskrivning", focus_area=fa(3), indicator=measure,
                          target_text="≥ 90 %", data_source="Journalen", actor=s)
    return plan


def test_division_inherits_region_activities_and_adds_local(users, org, region_plan):
    div = services.inherit_plan(org.f1, region_plan, actor=Actor(users.strategist))
    assert (div.parent, div.year_from, div.year_to) == (region_plan, 2025, 2027)
    assert div.title == "Handlingsplan för patientsäkerhet 2025–2027 – Hälso- och sjukvårdsförvaltningen"
    local = services.add_activity(div, "lokal", "Fallpreventionsrond varje vecka",
                                  focus_area=fa(1), responsible="Vårdenhetschefer", due_date=date(2025, 6, 30), actor=Actor(users.f1_strategist))

    rows = selectors.effective_activities(div)
    assert [(r.activity.kind, r.inherited, r.source.pk) for r in rows] == [
        ("obligatorisk", True, region_plan.pk), ("rekommenderad", True, region_plan.pk),
        ("lokal", False, div.pk), ("obligatorisk", True, region_plan.pk),
    ]
    assert rows[2].activity == local
    groups = selectors.activities_by_focus_area(div)
    assert [(g.focus_area.number, len(g.activities)) for g in groups] == [(1, 3), (3, 1)]
    # The region's own plan lists only its own activities; nothing is copied.
    own = selectors.effective_activities(region_plan)
    assert len(own) == 3 and all(not r.inherited for r in own)
    assert PlanActivity.objects.filter(plan=div).count() == 1

    # Inheritance is live: a change in the region plan shows in the division's plan.
    first = PlanActivity.objects.filter(plan=region_plan).order_by("id").first()
    services.update_activity(first, target_text="<3 %", actor=Actor(users.strategist))
    assert selectors.effective_activities(div)[0].activity.target_text == "<3 %"


def test_kinds_follow_the_level(users, org, region_plan):
    with pytest.raises(ValidationError) as exc:
        services.add_activity(region_plan, "lokal", "Lokal i regionplanen", actor=Actor(users.strategist))
    assert "kind" in exc.value.message_dict
    div = services.inherit_plan(org.f1, region_plan, actor=Actor(users.strategist))
    with pytest.raises(ValidationError) as exc:
        services.add_activity(div, "obligatorisk", "Obligatorisk i förvaltningen", actor=Actor(users.strategist))
    assert "ärvs från regionens plan" in exc.value.message_dict["kind"][0]
    assert services.allowed_kinds(region_plan) == ("obligatorisk", "rekommenderad")
    assert services.allowed_kinds(div) == ("lokal",)


def test_inherit_is_idempotent_and_only_for_divisions_of_the_region(users, org, region_plan):
    a = services.inherit_plan(org.f1, region_plan, actor=Actor(users.strategist))
    b = services.inherit_plan(org.f1, region_plan, actor=Actor(users.strategist))
    assert a.pk == b.pk and ActionPlan.objects.filter(parent=region_plan).count() == 1
    with pytest.raises(ValidationError):
        services.inherit_plan(org.kir, region_plan, actor=Actor(users.strategist))  # a verksamhet, not a division
    with pytest.raises(ValidationError):
        services.inherit_plan(org.f2, a, actor=Actor(users.strategist))  # a division's plan cannot be inherited
    assert AuditEvent.objects.filter(action="improvement.plan.inherit").count() == 1


def test_plans_are_created_for_regions_without_overlap(users, org, region_plan):
    with pytest.raises(ValidationError) as exc:
        services.create_plan(org.f1, 2025, 2025, "Förvaltningens egen", actor=Actor(users.strategist))
    assert "ärver regionens plan" in exc.value.message_dict["org_unit"][0]
    with pytest.raises(ValidationError) as exc:
        services.create_plan(org.region, 2027, 2028, "Överlappar", actor=Actor(users.strategist))
    assert "2025–2027" in exc.value.message_dict["year_from"][0]
    with pytest.raises(ValidationError):
        services.create_plan(org.region, 2029, 2028, "Baklänges", actor=Actor(users.strategist))
    later = services.create_plan(org.region, 2028, 2030, "Nästa plan", actor=Actor(users.strategist))
    assert selectors.region_plan_for(org.region, 2026) == region_plan
    assert selectors.region_plan_for(org.region, 2029) == later
    assert selectors.region_plan_for(org.region, 2031) is None
    div = services.inherit_plan(org.f1, region_plan, actor=Actor(users.strategist))
    with pytest.raises(ValidationError):
        services.update_plan(div, div.title, 2025, 2029, actor=Actor(users.strategist))  # beyond the region's years
    with pytest.raises(ValidationError):
        services.update_plan(region_plan, region_plan.title, 2026, 2027, actor=Actor(users.strategist))  # would orphan 2025
    services.update_plan(div, "Förvaltningens plan 2026–2027", 2026, 2027, actor=Actor(users.strategist))
    services.update_plan(region_plan, region_plan.title, 2026, 2027, actor=Actor(users.strategist))
    assert ActionPlan.objects.get(pk=region_plan.pk).years_label == "2026–2027"


def test_plan_rights(users, org, region_plan):
    # A förvaltning's strategist plans for their förvaltning, not for the region or the other one.
    div = services.inherit_plan(org.f1, region_plan, actor=Actor(users.f1_strategist))
    with pytest.raises(PermissionDenied):
        services.inherit_plan(org.f2, region_plan, actor=Actor(users.f1_strategist))
    with pytest.raises(PermissionDenied):
        services.add_activity(region_plan, "obligatorisk", "Ändrar regionens plan", actor=Actor(users.f1_strategist))
    # Managers and readers do analyses or nothing; plans need a strategist or administrator.
    for user in (users.kir_manager, users.reader):
        with pytest.raises(PermissionDenied):
            services.add_activity(div, "lokal", "Chefen försöker", actor=Actor(user))
        with pytest.raises(PermissionDenied):
            services.create_plan(org.region, 2031, 2031, "Ny", actor=Actor(user))
    assert PlanActivity.objects.filter(plan=div).count() == 0


def test_foundation_activity_without_focus_area(users, org, region_plan):
    f = Foundation.objects.get(plan__code="agera-for-saker-vard-2025-2030", number=2)
    services.add_activity(region_plan, "rekommenderad", "Säkerhetskulturtrappan A–E", foundation=f, actor=Actor(users.strategist))
    groups = selectors.activities_by_focus_area(region_plan)
    assert groups[-1].focus_area is None and groups[-1].activities[0].activity.foundation == f
