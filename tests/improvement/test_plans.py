"""Action plans as in Region Jämtland Härjedalen's model: the region's obligatory and recommended
activities per focus area, inherited by each förvaltning, which adds local activities."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lagesbild.catalogue.models import FocusArea, Foundation
from lagesbild.improvement import selectors, services
from lagesbild.improvement.models import ActionPlan, PlanActivity
from lagesbild.org.models import AuditEvent

pytestmark = pytest.mark.django_db


def fa(n):
    return FocusArea.objects.get(plan__code="agera-for-saker-vard-2025-2030", number=n)


@pytest.fixture
def region_plan(users, org, measure):
    s = users.strategist
    plan = services.create_plan(s, org.region, 2025, 2027, "Handlingsplan för patientsäkerhet 2025–2027")
    services.add_activity(
        s, plan, "obligatorisk", "Ta fram analysresultat av vårdskadeläget, besluta om och vidta åtgärder",
        focus_area=fa(1), indicator_text="Vårdtillfällen med skador", target_text="<4 %",
        data_source="SKR databas, journalgranskning, avvikelserapporter",
    )
    services.add_activity(
        s, plan, "rekommenderad", "Följa struktur för hantering av inkomna avvikelserapporter",
        focus_area=fa(1), indicator_text="Ledtider, handläggningstid", target_text="100 % handlagda inom 28 dagar",
    )
    services.add_activity(s, plan, "obligatorisk", "Riskbedömning vid inskrivning", focus_area=fa(3), indicator=measure,
                          target_text="≥ 90 %", data_source="Journalen")
    return plan


def test_division_inherits_region_activities_and_adds_local(users, org, region_plan):
    div = services.inherit_plan(users.strategist, org.f1, region_plan)
    assert (div.parent, div.year_from, div.year_to) == (region_plan, 2025, 2027)
    assert div.title == "Handlingsplan för patientsäkerhet 2025–2027 – Hälso- och sjukvårdsförvaltningen"
    local = services.add_activity(users.f1_strategist, div, "lokal", "Fallpreventionsrond varje vecka",
                                  focus_area=fa(1), responsible="Vårdenhetschefer", due_date=date(2025, 6, 30))

    rows = selectors.effective_activities(div)
    assert [(r.activity.kind, r.inherited, r.source.pk) for r in rows] == [
        ("obligatorisk", True, region_plan.pk), ("rekommenderad", True, region_plan.pk),
        ("lokal", False, div.pk), ("obligatorisk", True, region_plan.pk),
    ]
    assert rows[2].activity == local
    groups = selectors.activities_by_focus_area(div)
    assert [(g.focus_area.number, len(g.activities)) for g in groups] == [(1, 3), (3, 1)]
    # The region's own plan lists only its own activities; nothing is copied.
    assert all(not r.inherited for r in selectors.effective_activities(region_plan))
    assert PlanActivity.objects.filter(plan=div).count() == 1

    # Inheritance is live: a change in the region plan shows in the division's plan.
    first = PlanActivity.objects.filter(plan=region_plan).order_by("id").first()
    services.update_activity(users.strategist, first, target_text="<3 %")
    assert selectors.effective_activities(div)[0].activity.target_text == "<3 %"


def test_kinds_follow_the_level(users, org, region_plan):
    with pytest.raises(ValidationError) as exc:
        services.add_activity(users.strategist, region_plan, "lokal", "Lokal i regionplanen")
    assert "kind" in exc.value.message_dict
    div = services.inherit_plan(users.strategist, org.f1, region_plan)
    with pytest.raises(ValidationError) as exc:
        services.add_activity(users.strategist, div, "obligatorisk", "Obligatorisk i förvaltningen")
    assert "ärvs från regionens plan" in exc.value.message_dict["kind"][0]
    assert services.allowed_kinds(region_plan) == ("obligatorisk", "rekommenderad")
    assert services.allowed_kinds(div) == ("lokal",)


def test_inherit_is_idempotent_and_only_for_divisions_of_the_region(users, org, region_plan):
    a = services.inherit_plan(users.strategist, org.f1, region_plan)
    b = services.inherit_plan(users.strategist, org.f1, region_plan)
    assert a.pk == b.pk and ActionPlan.objects.filter(parent=region_plan).count() == 1
    with pytest.raises(ValidationError):
        services.inherit_plan(users.strategist, org.kir, region_plan)  # a verksamhet, not a division
    with pytest.raises(ValidationError):
        services.inherit_plan(users.strategist, org.f2, a)  # a division's plan cannot be inherited
    assert AuditEvent.objects.filter(action="improvement.plan.inherit").count() == 1


def test_plans_are_created_for_regions_without_overlap(users, org, region_plan):
    with pytest.raises(ValidationError) as exc:
        services.create_plan(users.strategist, org.f1, 2025, 2025, "Förvaltningens egen")
    assert "ärver regionens plan" in exc.value.message_dict["org_unit"][0]
    with pytest.raises(ValidationError) as exc:
        services.create_plan(users.strategist, org.region, 2027, 2028, "Överlappar")
    assert "2025–2027" in exc.value.message_dict["year_from"][0]
    with pytest.raises(ValidationError):
        services.create_plan(users.strategist, org.region, 2029, 2028, "Baklänges")
    later = services.create_plan(users.strategist, org.region, 2028, 2030, "Nästa plan")
    assert selectors.region_plan_for(org.region, 2026) == region_plan
    assert selectors.region_plan_for(org.region, 2029) == later
    assert selectors.region_plan_for(org.region, 2031) is None
    div = services.inherit_plan(users.strategist, org.f1, region_plan)
    with pytest.raises(ValidationError):
        services.update_plan(users.strategist, div, div.title, 2025, 2029)  # beyond the region's years
    with pytest.raises(ValidationError):
        services.update_plan(users.strategist, region_plan, region_plan.title, 2026, 2027)  # would orphan 2025
    services.update_plan(users.strategist, div, "Förvaltningens plan 2026–2027", 2026, 2027)
    services.update_plan(users.strategist, region_plan, region_plan.title, 2026, 2027)
    assert ActionPlan.objects.get(pk=region_plan.pk).years_label == "2026–2027"


def test_plan_rights(users, org, region_plan):
    # A förvaltning's strategist plans for their förvaltning, not for the region or the other one.
    div = services.inherit_plan(users.f1_strategist, org.f1, region_plan)
    with pytest.raises(PermissionDenied):
        services.inherit_plan(users.f1_strategist, org.f2, region_plan)
    with pytest.raises(PermissionDenied):
        services.add_activity(users.f1_strategist, region_plan, "obligatorisk", "Ändrar regionens plan")
    # Managers and readers do analyses or nothing; plans need a strategist or administrator.
    for user in (users.kir_manager, users.reader):
        with pytest.raises(PermissionDenied):
            services.add_activity(user, div, "lokal", "Chefen försöker")
        with pytest.raises(PermissionDenied):
            services.create_plan(user, org.region, 2031, 2031, "Ny")
    assert PlanActivity.objects.filter(plan=div).count() == 0


def test_foundation_activity_without_focus_area(users, org, region_plan):
    f = Foundation.objects.get(plan__code="agera-for-saker-vard-2025-2030", number=2)
    services.add_activity(users.strategist, region_plan, "rekommenderad", "Säkerhetskulturtrappan A–E", foundation=f)
    groups = selectors.activities_by_focus_area(region_plan)
    assert groups[-1].focus_area is None and groups[-1].activities[0].activity.foundation == f
