"""Issue 9: the improvement forms through Django's test client, without JavaScript.

A follow-up's effect has no preselected answer; a due date before today needs a confirmation;
an action's status form opens on request; "(valfritt)" is said once."""

import inspect
import re
from datetime import timedelta

import pytest
from django import forms as django_forms
from django.urls import reverse
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.core.actor import Actor
from lagesbild.improvement import forms, services
from lagesbild.improvement.models import Action, FollowUp

from .test_cycle_pages import HX, cycle_url, text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def action(users, org, measure):
    analysis = services.record_analysis(measure, org.kir, Period.parse("2025-Q1"), "Analys.",
                                        actor=Actor(users.kir_manager))
    return services.add_action(analysis, "Checklista vid inskrivning", "Chef", TODAY + timedelta(days=30),
                               actor=Actor(users.kir_manager))


def _block(page: str, start: str, end: str) -> str:
    return re.search(re.escape(start) + r".*?" + re.escape(end), page, re.S).group(0)


def test_the_effect_of_a_follow_up_has_no_preselected_answer(client, users, measure, action):
    client.force_login(users.kir_manager)
    page = client.get(cycle_url(measure)).content.decode()
    name = f"f{action.pk}-effect"
    radios = re.findall(rf'<input type="radio" name="{name}"[^>]*>', page)
    assert len(radios) == 4 and not any("checked" in r for r in radios)
    assert f'<select name="{name}"' not in page
    assert "<legend>Fick åtgärden avsedd effekt?</legend>" in page

    r = client.post(reverse("improvement:follow_up_add", args=[action.pk]), {f"f{action.pk}-date": "2025-10-01"})
    assert r.status_code == 422 and not FollowUp.objects.exists()
    fieldset = _block(r.content.decode(), '<fieldset class="field choices">', "</fieldset>")
    assert "Välj om åtgärden fick avsedd effekt." in fieldset
    # The follow-up form is open again with the error; nothing was chosen for the user.
    assert re.search(rf'<details class="form" open>\s*<summary>Följ upp åtgärden', r.content.decode())
    assert "checked" not in fieldset


def test_a_due_date_before_today_needs_a_confirmation(client, users, measure, action):
    client.force_login(users.kir_manager)
    page = client.get(cycle_url(measure)).content.decode()
    assert 'name="a-confirm_past_due"' in page and 'type="checkbox" name="a-confirm_past_due"' not in page
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    body = {"a-title": "Rond", "a-owner_name": "Chef", "a-due_date": yesterday}

    r = client.post(cycle_url(measure, suffix="atgarder/"), body)
    assert r.status_code == 422 and Action.objects.count() == 1
    page = text(r)
    assert forms.PAST_DUE_ERROR in page
    assert re.search(r'<input type="checkbox" name="a-confirm_past_due" id="id_a-confirm_past_due"> '
                     r'<label for="id_a-confirm_past_due">Jag bekräftar att slutdatumet redan har passerat</label>', page)
    assert f'value="{yesterday}"' in page  # the typed date is kept

    r = client.post(cycle_url(measure, suffix="atgarder/"), {**body, "a-confirm_past_due": "on"})
    assert r.status_code == 302
    assert Action.objects.get(title="Rond").due_date == TODAY - timedelta(days=1)
    # Today itself, and with htmx, needs no confirmation.
    r = client.post(cycle_url(measure, suffix="atgarder/"), {**body, "a-title": "Idag", "a-due_date": TODAY.isoformat()},
                    **HX)
    assert r.status_code == 200 and Action.objects.filter(title="Idag").exists()
    r = client.post(cycle_url(measure, suffix="atgarder/"), {**body, "a-title": "Sent"}, **HX)
    assert r.status_code == 422 and forms.PAST_DUE_ERROR in text(r) and not Action.objects.filter(title="Sent").exists()


def test_the_status_form_opens_on_request(client, users, measure, action):
    client.force_login(users.kir_manager)
    page = text(client.get(cycle_url(measure)))
    status = _block(page, f'<div class="action" id="atgard-{action.pk}">', "</details>")
    assert re.search(r'<details class="form status">\s*<summary>Ändra status<span class="visually-hidden"> för '
                     r'Checklista vid inskrivning</span></summary>\s*<form', status)
    assert f'name="s{action.pk}-status"' in status

    r = client.post(reverse("improvement:action_status", args=[action.pk]), {f"s{action.pk}-status": "okand"})
    assert r.status_code == 422
    assert '<details class="form status" open>' in text(r)
    r = client.post(reverse("improvement:action_status", args=[action.pk]), {f"s{action.pk}-status": "pagar"})
    assert r.status_code == 302 and Action.objects.get().status == "pagar"


def test_optional_is_said_once(client, users, org):
    # The template adds "(valfritt)" to every optional field; no form's label says it too.
    for name, cls in inspect.getmembers(forms, inspect.isclass):
        if issubclass(cls, django_forms.Form) and cls.__module__ == forms.__name__:
            for field in cls.base_fields.values():
                assert "valfritt" not in str(field.label).lower(), name
    plan = services.create_plan(org.region, 2025, 2027, "Regionens plan", actor=Actor(users.strategist))
    client.force_login(users.strategist)
    page = text(client.get(reverse("improvement:plan", args=[plan.pk])))
    label = _block(page, '<label for="id_arv-title">', "</label>")
    assert label == '<label for="id_arv-title">Namn <span class="note">(valfritt)</span></label>'
