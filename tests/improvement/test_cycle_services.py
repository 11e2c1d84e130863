"""The improvement cycle through its services: analysis → actions → follow-up, rules and rights."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.core.actor import Actor
from lagesbild.improvement import measured, selectors, services
from lagesbild.improvement.models import Action, Analysis, FollowUp
from lagesbild.org.models import AuditEvent

pytestmark = pytest.mark.django_db
Q1 = Period.parse("2025-Q1")
TODAY = timezone.localdate()


def test_full_cycle(users, org, measure):
    u = users.kir_manager
    analysis = services.record_analysis(measure, org.kir, Q1, "Riskbedömningen görs för sent på natten.", actor=Actor(u))
    action = services.add_action(analysis, "Checklista vid inskrivning", "Vårdenhetschef", TODAY + timedelta(days=30),
                                 description="Checklista i journalen.", owner=u, actor=Actor(u))
    services.set_action_status(action, Action.Status.IN_PROGRESS, actor=Actor(u))
    assert action.completed_on is None
    services.set_action_status(action, Action.Status.DONE, actor=Actor(u))
    assert action.completed_on == TODAY
    services.add_follow_up(action, FollowUp.Effect.YES, comment="Tydlig förbättring.",
                           period_before="2025-q1", value_before=Decimal("72.5"),
                           period_after="2025-Q3", value_after=Decimal("85.0"), actor=Actor(u))

    cycle = selectors.cycle_for(measure, org.kir, Q1)
    assert cycle.pk == analysis.pk and cycle.period == Q1
    [a] = cycle.actions.all()
    assert (a.title, a.status, a.owner_name, a.owner) == ("Checklista vid inskrivning", "klar", "Vårdenhetschef", u)
    [f] = a.follow_ups.all()
    assert (f.effect, f.period_before, f.value_before, f.value_before_source) == ("ja", "2025-Q1", Decimal("72.5"), "manuell")
    assert (f.period_after_label, f.value_after) == ("2025 kv 3", Decimal("85.0"))
    assert selectors.cycle_for(measure, org.kir, Q1.previous) is None

    actions = list(AuditEvent.objects.filter(user=u).order_by("id").values_list("action", flat=True))
    assert actions == ["improvement.analysis.create", "improvement.action.create", "improvement.action.status",
                       "improvement.action.status", "improvement.followup.create"]


def test_one_analysis_per_measure_unit_period_but_editable(users, org, measure):
    u = users.kir_manager
    first = services.record_analysis(measure, org.kir, Q1, "Första versionen.", actor=Actor(u))
    second = services.record_analysis(measure, org.kir, Q1, "  Omarbetad analys.  ", actor=Actor(u))
    assert first.pk == second.pk and Analysis.objects.count() == 1
    assert Analysis.objects.get().text == "Omarbetad analys."
    # The same quarter as a month, or another unit, is another analysis.
    services.record_analysis(measure, org.kir, Period.parse("2025-01"), "Januari.", actor=Actor(u))
    services.record_analysis(measure, org.avd, Q1, "Avdelningen.", actor=Actor(u))
    assert Analysis.objects.count() == 3
    assert AuditEvent.objects.filter(action="improvement.analysis.update").count() == 1


def test_follow_up_values_come_from_measurements_when_left_empty(users, org, measure, fake_measurements):
    fake_measurements.values[(measure.code, "08-F1-KIR", "2025-Q1")] = Decimal("72.5")
    fake_measurements.values[(measure.code, "08-F1-KIR", "2025-Q3")] = Decimal("85.0")
    u = users.kir_manager
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=Actor(u))
    action = services.add_action(analysis, "Åtgärd", "Chef", TODAY, actor=Actor(u))
    f = services.add_follow_up(action, "delvis", period_before="2025-Q1", period_after="2025-Q3", actor=Actor(u))
    assert (f.value_before, f.value_before_source, f.value_after, f.value_after_source) == (
        Decimal("72.5"), "matt", Decimal("85.0"), "matt")
    # A typed value wins over the measured one; an unmeasured period stays empty.
    g = services.add_follow_up(action, "nej", period_before="2025-Q1", value_before=Decimal("70"),
                               period_after="2025-Q4", actor=Actor(u))
    assert (g.value_before, g.value_before_source, g.value_after, g.value_after_source) == (Decimal("70"), "manuell", None, "")


def test_overdue_means_open_and_past_due(users, org, measure):
    u = users.kir_manager
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=Actor(u))
    yesterday, today = TODAY - timedelta(days=1), TODAY
    late = services.add_action(analysis, "Sen", "A", yesterday, actor=Actor(u))
    going = services.add_action(analysis, "Pågår och sen", "A", yesterday, status=Action.Status.IN_PROGRESS, actor=Actor(u))
    done = services.add_action(analysis, "Klar", "A", yesterday, status=Action.Status.DONE, actor=Actor(u))
    cancelled = services.add_action(analysis, "Avbruten", "A", yesterday, status=Action.Status.CANCELLED, actor=Actor(u))
    due_today = services.add_action(analysis, "I dag", "A", today, actor=Actor(u))
    assert [a.is_overdue(today) for a in (late, going, done, cancelled, due_today)] == [True, True, False, False, False]
    assert list(selectors.overdue_actions(u, today)) == [late, going]
    assert list(selectors.overdue_actions(users.strategist, today, org.f1)) == [late, going]
    assert list(selectors.overdue_actions(users.strategist, today, org.f1, exact=True)) == []
    # Outside the scope: the other clinic's manager sees none of them.
    assert list(selectors.overdue_actions(users.med_manager, today)) == []
    services.set_action_status(late, Action.Status.DONE, actor=Actor(u))
    assert list(selectors.overdue_actions(u, today)) == [going]


def test_reader_cannot_write(users, org, measure):
    with pytest.raises(PermissionDenied):
        services.record_analysis(measure, org.kir, Q1, "Läsaren försöker.", actor=Actor(users.reader))
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=Actor(users.kir_manager))
    with pytest.raises(PermissionDenied):
        services.add_action(analysis, "Åtgärd", "Chef", TODAY, actor=Actor(users.reader))
    assert not Action.objects.exists()


def test_manager_cannot_touch_another_units_cycle(users, org, measure):
    kir = services.record_analysis(measure, org.kir, Q1, "Kirurgens analys.", actor=Actor(users.kir_manager))
    action = services.add_action(kir, "Åtgärd", "Chef", TODAY, actor=Actor(users.kir_manager))
    med = users.med_manager
    with pytest.raises(PermissionDenied):
        services.record_analysis(measure, org.kir, Q1, "Skriver över.", actor=Actor(med))
    with pytest.raises(PermissionDenied):
        services.add_action(kir, "Åtgärd", "Chef", TODAY, actor=Actor(med))
    with pytest.raises(PermissionDenied):
        services.set_action_status(action, Action.Status.CANCELLED, actor=Actor(med))
    with pytest.raises(PermissionDenied):
        services.add_follow_up(action, "nej", actor=Actor(med))
    # Nor above their own unit: the förvaltning's analysis needs a role there.
    with pytest.raises(PermissionDenied):
        services.record_analysis(measure, org.f1, Q1, "Förvaltningen.", actor=Actor(users.kir_manager))
    assert Analysis.objects.get().text == "Kirurgens analys." and Action.objects.get().status == "planerad"
    # A manager may work below their unit, and the region strategist anywhere in the region.
    services.record_analysis(measure, org.avd, Q1, "Avdelningen.", actor=Actor(users.kir_manager))
    services.record_analysis(measure, org.med, Q1, "Regionen hjälper.", actor=Actor(users.strategist))


def test_invalid_input_is_refused_with_swedish_messages(users, org, measure):
    u = users.kir_manager
    with pytest.raises(ValidationError) as exc:
        services.record_analysis(measure, org.kir, Q1, "   ", actor=Actor(u))
    assert exc.value.message_dict == {"text": ["Analysen måste fyllas i."]}
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=Actor(u))
    with pytest.raises(ValidationError) as exc:
        services.add_action(analysis, "Åtgärd", "", TODAY, actor=Actor(u))
    assert "owner_name" in exc.value.message_dict
    action = services.add_action(analysis, "Åtgärd", "Chef", TODAY, actor=Actor(u))
    with pytest.raises(ValidationError) as exc:
        services.add_follow_up(action, "kanske", actor=Actor(u))
    assert "effect" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.add_follow_up(action, "ja", period_before="2025-Q5", actor=Actor(u))
    assert "period_before" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.set_action_status(action, "glömd", actor=Actor(u))
    assert not FollowUp.objects.exists()


def test_summary_for_the_dashboard(users, org, measure, falls):
    u = users.kir_manager
    text = "Orsaken är " + "bristande rutiner " * 20
    analysis = services.record_analysis(measure, org.kir, Q1, text, actor=Actor(u))
    services.add_action(analysis, "Sen", "A", TODAY - timedelta(days=3), actor=Actor(u))
    services.add_action(analysis, "I tid", "A", TODAY + timedelta(days=3), actor=Actor(u))
    services.add_action(analysis, "Klar", "A", TODAY - timedelta(days=3), status="klar", actor=Actor(u))
    s = selectors.summary_for(measure, org.kir, Q1)
    assert (s.open_actions, s.overdue_actions, s.done_actions) == (2, 1, 1)
    assert len(s.excerpt) == 160 and s.excerpt.endswith("…")
    assert s.url == "/forbattring/test-riskbedomning-24h/08-F1-KIR/2025-Q1/"
    none = selectors.summary_for(falls, org.kir, Q1)
    assert none.analysis is None and none.open_actions == 0 and none.excerpt == ""
    both = selectors.summaries_for([measure, falls], org.kir, Q1)
    assert both[measure.pk].overdue_actions == 1 and both[falls.pk].analysis is None


def test_real_measured_values_fill_the_follow_up(users, org, measure):
    """With the measurements app in place, the values come from stored observations (Σ/Σ, half-up)."""
    from lagesbild.measurements.models import Observation

    for month, num, den in ((1, 5, 8), (2, 4, 4), (3, 4, 4)):  # 13/16 = 81.25 % → 81,3 %
        Observation.objects.create(measure=measure, org_unit=org.avd, period_start=date(2025, month, 1),
                                   granularity="month", numerator=num, denominator=den)
    assert measured.value_for(measure, org.kir, Q1) == Decimal("81.3")
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=Actor(users.kir_manager))
    action = services.add_action(analysis, "Åtgärd", "Chef", TODAY, actor=Actor(users.kir_manager))
    f = services.add_follow_up(action, "ja", period_before="2025-Q1", period_after="2025-Q2", actor=Actor(users.kir_manager))
    assert (f.value_before, f.value_before_source, f.value_after, f.value_after_source) == (Decimal("81.3"), "matt", None, "")
