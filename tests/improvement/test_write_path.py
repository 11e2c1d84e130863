"""The improvement services own the write: actor, permission, audit, one transaction; free text
without identity numbers (issue 8, item 26); an action's owner within its scope (item 27)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.core.actor import API, Actor
from lagesbild.core.personal import REPLACEMENT
from lagesbild.improvement import services
from lagesbild.improvement.models import Action, Analysis, FollowUp
from lagesbild.org.models import AuditEvent
from tests.improvement.conftest import _user

pytestmark = pytest.mark.django_db
Q1 = Period.parse("2025-Q1")
TODAY = timezone.localdate()
PNR = "19121212-1212"


def test_the_audit_event_names_the_actor_and_channel(users, org, measure):
    actor = Actor(users.kir_manager, channel=API, address="10.0.0.7", path="/api/v1/analyses/")
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=actor)
    event = AuditEvent.objects.get(action="improvement.analysis.create")
    assert (event.username, event.channel, event.ip, event.object_id) == (
        "chef-kir", "api", "10.0.0.7", str(analysis.pk))
    assert analysis.created_by == users.kir_manager


def test_the_system_actor_writes_and_is_audited_as_the_system(org, measure):
    analysis = services.record_analysis(measure, org.kir, Q1, "Demo.", actor=Actor.system())
    plan = services.create_plan(org.region, 2025, 2026, "Plan", actor=Actor.system())
    assert analysis.created_by is None and plan.created_by is None
    assert list(AuditEvent.objects.order_by("id").values_list("action", "channel", "username")) == [
        ("improvement.analysis.create", "system", ""), ("improvement.plan.create", "system", "")]


def test_a_refused_write_changes_nothing_and_records_nothing(users, org, measure):
    with pytest.raises(PermissionDenied):
        services.record_analysis(measure, org.kir, Q1, "Läsaren.", actor=Actor(users.reader))
    assert not Analysis.objects.exists() and not AuditEvent.objects.exists()


def test_an_invalid_action_rolls_back_with_its_audit(users, org, measure):
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=Actor(users.kir_manager))
    with pytest.raises(ValidationError):
        services.add_action(analysis, "Åtgärd", "Chef", None, actor=Actor(users.kir_manager))
    assert not Action.objects.exists()
    assert not AuditEvent.objects.filter(action="improvement.action.create").exists()


def test_identity_numbers_are_scrubbed_from_every_free_text(users, org, measure):
    u = Actor(users.kir_manager)
    analysis = services.record_analysis(measure, org.kir, Q1, f"Patienten {PNR} föll 2025-03-01, 3 gånger.", actor=u)
    assert analysis.identity_numbers_removed == 1
    assert Analysis.objects.get().text == f"Patienten {REPLACEMENT} föll 2025-03-01, 3 gånger."
    action = services.add_action(analysis, "Rond för 121212-1212", "Chef 1212121212", TODAY,
                                 description=f"Se {PNR}.", actor=u)
    action.refresh_from_db()
    assert (action.title, action.owner_name, action.description) == (
        f"Rond för {REPLACEMENT}", f"Chef {REPLACEMENT}", f"Se {REPLACEMENT}.")
    updated = services.update_action(action, description=f"Ny text {PNR}", actor=u)
    assert updated.identity_numbers_removed == 1 and Action.objects.get().description == f"Ny text {REPLACEMENT}"
    follow = services.add_follow_up(action, "ja", comment=f"Kontakt med {PNR}", actor=u)
    assert follow.identity_numbers_removed == 1 and FollowUp.objects.get().comment == f"Kontakt med {REPLACEMENT}"
    follow = services.update_follow_up(follow, "nej", TODAY, comment=f"Åter {PNR}", actor=u)
    assert FollowUp.objects.get().comment == f"Åter {REPLACEMENT}"
    # The audit trail counts what was removed and never carries the number itself.
    events = AuditEvent.objects.filter(action__startswith="improvement.").order_by("id")
    assert [e.detail["identity_numbers_removed"] for e in events] == [1, 3, 1, 1, 1]
    assert not any("1212" in str(e.detail) for e in events)


def test_text_without_identity_numbers_is_kept_as_typed(users, org, measure):
    text = "Mätt 2025-03-01: 1234 av 5678 (21,7 %), tel 0701234567."
    analysis = services.record_analysis(measure, org.kir, Q1, text, actor=Actor(users.kir_manager))
    assert analysis.identity_numbers_removed == 0 and Analysis.objects.get().text == text


def test_an_owner_must_have_a_role_in_the_actions_scope(users, org, measure, national_user):
    u = Actor(users.kir_manager)
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=u)
    # A sibling unit's manager, a nation-level user and another region's user are refused.
    for owner in (users.med_manager, national_user, _user("chef-sthlm", org.stockholm, "manager")):
        with pytest.raises(ValidationError) as exc:
            services.add_action(analysis, "Åtgärd", "Chef", TODAY, owner=owner, actor=u)
        assert exc.value.message_dict == {"owner": [services.OWNER_ERROR]}
    assert not Action.objects.exists()
    # Someone on the unit, below it, or above it from the region down may own it.
    below = _user("avd-chef", org.avd, "manager")
    for owner in (users.kir_manager, below, users.f1_strategist, users.strategist):
        assert services.add_action(analysis, "Åtgärd", "Chef", TODAY, owner=owner, actor=u).owner == owner
    action = Action.objects.first()
    with pytest.raises(ValidationError):
        services.update_action(action, owner=users.med_manager, actor=u)
    assert Action.objects.get(pk=action.pk).owner == users.kir_manager


def test_an_inactive_user_cannot_own_an_action(users, org, measure):
    u = Actor(users.kir_manager)
    analysis = services.record_analysis(measure, org.kir, Q1, "Analys.", actor=u)
    users.kir_manager.is_active = False
    users.kir_manager.save()
    with pytest.raises(ValidationError):
        services.add_action(analysis, "Åtgärd", "Chef", TODAY + timedelta(days=1), owner=users.kir_manager,
                            actor=Actor.system())


def test_the_dashboard_annotation_is_registered_with_measurements():
    from lagesbild.improvement.selectors import summaries_for
    from lagesbild.measurements import annotations

    assert summaries_for in annotations._providers
