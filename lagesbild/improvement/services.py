"""Changing the improvement cycle and the action plans: the only place that writes them.

Every function takes ``actor=`` (lagesbild.core.actor.Actor), checks the actor's role on the
unit (org.permissions.require), changes state in one transaction and writes the audit event.
Analyses, actions and follow-ups need IMPROVEMENT_ROLES on the unit the analysis is about;
plans and their activities need PLAN_ROLES on the plan's unit. Domain errors are raised as
django.core.exceptions.ValidationError with Swedish messages.

Free text (an analysis, an action's title, owner and description, a follow-up's comment) is
stored without personal identity numbers: they are replaced on save (core.personal), and the
returned object's ``identity_numbers_removed`` tells the caller how many, so it can say so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.core import personal
from lagesbild.core.actor import Actor
from lagesbild.org import audit
from lagesbild.org.models import OrgUnit
from lagesbild.org.permissions import IMPROVEMENT_ROLES, PLAN_ROLES, require

from . import measured, selectors
from .models import Action, ActionPlan, Analysis, FollowUp, PlanActivity

IDENTITY_NUMBER_NOTICE = (
    "Texten innehöll något som liknade ett personnummer. Det togs bort innan texten sparades; "
    "skriv aldrig personnummer i analyser, åtgärder eller uppföljningar."
)
OWNER_ERROR = "Ansvarig användare måste ha en roll i enheten, under den eller i regionen ovanför den."


def _scrub(obj, *names: str) -> int:
    """Replace identity numbers in ``obj``'s text fields ``names``; count them on the object."""
    removed = 0
    for name in names:
        result = personal.scrub(getattr(obj, name) or "")
        setattr(obj, name, result.text)
        removed += result.removed
    obj.identity_numbers_removed = removed
    return removed


def _require_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"{label} måste fyllas i."})
    return value


# --- the cycle ------------------------------------------------------------------------------


@transaction.atomic
def record_analysis(measure, unit: OrgUnit, period: Period, text: str, *, actor: Actor) -> Analysis:
    """Create or replace the analysis of ``measure`` for ``unit`` and ``period``."""
    require(actor, IMPROVEMENT_ROLES, unit)
    result = personal.scrub(_require_text(text, "text", "Analysen"))
    text = result.text
    analysis, created = Analysis.objects.select_for_update().get_or_create(
        measure=measure, org_unit=unit, period_start=period.start, granularity=period.granularity,
        defaults={"text": text, "created_by": actor.authenticated_user},
    )
    if not created:
        analysis.text = text
        analysis.save(update_fields=["text", "updated_at"])
    analysis.identity_numbers_removed = result.removed
    audit.record(actor, "improvement.analysis.create" if created else "improvement.analysis.update", analysis,
                 measure=measure.code, unit=unit.code, period=period.key, identity_numbers_removed=result.removed)
    return analysis


def _check_action(action: Action) -> None:
    """Scrub the action's text, then check it is complete and that its owner may own it."""
    _scrub(action, "title", "description", "owner_name")
    action.title = _require_text(action.title, "title", "Åtgärden")
    action.owner_name = _require_text(action.owner_name, "owner_name", "Ansvarig")
    if action.due_date is None:
        raise ValidationError({"due_date": "Ange när åtgärden ska vara klar."})
    if action.owner_id is not None and not selectors.possible_owners(action.analysis.org_unit).filter(
            pk=action.owner_id).exists():
        raise ValidationError({"owner": OWNER_ERROR})


@transaction.atomic
def add_action(
    analysis: Analysis, title: str, owner_name: str, due_date: date, description: str = "",
    owner=None, status: str = Action.Status.PLANNED, *, actor: Actor,
) -> Action:
    """Add an action to an analysis. An owner (a user) must have a role where the analysis is."""
    require(actor, IMPROVEMENT_ROLES, analysis.org_unit)
    if status not in Action.Status.values:
        raise ValidationError({"status": f"Okänd status: {status!r}."})
    action = Action(
        analysis=analysis, title=title or "", description=description or "", owner_name=owner_name or "",
        owner=owner, due_date=due_date, status=status,
        completed_on=timezone.localdate() if status == Action.Status.DONE else None,
        created_by=actor.authenticated_user,
    )
    _check_action(action)
    action.save()
    audit.record(actor, "improvement.action.create", action, analysis=analysis.pk, status=status,
                 identity_numbers_removed=action.identity_numbers_removed)
    return action


def _apply_status(action: Action, status: str, completed_on: Optional[date]) -> None:
    if status not in Action.Status.values:
        raise ValidationError({"status": f"Okänd status: {status!r}."})
    action.status = status
    if status == Action.Status.DONE:
        action.completed_on = completed_on or action.completed_on or timezone.localdate()
    else:
        action.completed_on = None


@transaction.atomic
def set_action_status(action: Action, status: str, completed_on: Optional[date] = None, *, actor: Actor) -> Action:
    """Change an action's status; 'klar' records the day it was completed (today unless given)."""
    require(actor, IMPROVEMENT_ROLES, action.analysis.org_unit)
    before = action.status
    _apply_status(action, status, completed_on)
    action.save(update_fields=["status", "completed_on", "updated_at"])
    audit.record(actor, "improvement.action.status", action, before=before, after=status)
    return action


ACTION_FIELDS = ("title", "description", "owner_name", "owner", "due_date", "status", "completed_on")


@transaction.atomic
def update_action(action: Action, *, actor: Actor, **fields) -> Action:
    """Change an action's text, owner, due date or status."""
    require(actor, IMPROVEMENT_ROLES, action.analysis.org_unit)
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError(f"Kan inte ändra {', '.join(sorted(unknown))}.")
    status = fields.pop("status", action.status)
    completed_on = fields.pop("completed_on", None)
    for name, value in fields.items():
        setattr(action, name, "" if value is None and name == "description" else value)
    _check_action(action)
    _apply_status(action, status, completed_on)
    action.save()
    audit.record(actor, "improvement.action.update", action, fields=sorted(fields) + ["status"],
                 identity_numbers_removed=action.identity_numbers_removed)
    return action


def _fill(measure, unit, key: str, value: Optional[Decimal]) -> tuple[str, Optional[Decimal], str]:
    """Normalise a period key and take the measured value for it when none was typed."""
    key = (key or "").strip()
    if key:
        try:
            key = Period.parse(key).key
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    if value is not None:
        return key, value, FollowUp.Source.MANUAL
    if key:
        found = measured.value_for(measure, unit, Period.parse(key))
        if found is not None:
            return key, Decimal(found), FollowUp.Source.MEASURED
    return key, None, FollowUp.Source.NONE


def _set_values(follow_up: FollowUp, period_before, value_before, period_after, value_after) -> None:
    analysis = follow_up.action.analysis
    try:
        follow_up.period_before, follow_up.value_before, follow_up.value_before_source = _fill(
            analysis.measure, analysis.org_unit, period_before, value_before)
    except ValidationError as exc:
        raise ValidationError({"period_before": exc.messages}) from None
    try:
        follow_up.period_after, follow_up.value_after, follow_up.value_after_source = _fill(
            analysis.measure, analysis.org_unit, period_after, value_after)
    except ValidationError as exc:
        raise ValidationError({"period_after": exc.messages}) from None


@transaction.atomic
def add_follow_up(
    action: Action, effect: str, on: Optional[date] = None, comment: str = "",
    period_before: str = "", value_before: Optional[Decimal] = None,
    period_after: str = "", value_after: Optional[Decimal] = None, *, actor: Actor,
) -> FollowUp:
    """Record whether an action had the intended effect.

    A value left empty is taken from the measured values of the analysis's measure and unit
    for the given period (period keys like 2025-03, 2025-Q1, 2025-T1, 2025), when the
    measurements app can tell it; its source is stored as 'matt' (measured) or 'manuell'.
    """
    require(actor, IMPROVEMENT_ROLES, action.analysis.org_unit)
    if effect not in FollowUp.Effect.values:
        raise ValidationError({"effect": "Ange om åtgärden fick avsedd effekt."})
    follow_up = FollowUp(action=action, date=on or timezone.localdate(), effect=effect, comment=comment or "",
                         created_by=actor.authenticated_user)
    _scrub(follow_up, "comment")
    _set_values(follow_up, period_before, value_before, period_after, value_after)
    follow_up.save()
    audit.record(actor, "improvement.followup.create", follow_up, action_id=action.pk, effect=effect,
                 identity_numbers_removed=follow_up.identity_numbers_removed)
    return follow_up


@transaction.atomic
def update_follow_up(
    follow_up: FollowUp, effect: str, on: date, comment: str = "",
    period_before: str = "", value_before: Optional[Decimal] = None,
    period_after: str = "", value_after: Optional[Decimal] = None, *, actor: Actor,
) -> FollowUp:
    """Replace a follow-up's content (same rules as add_follow_up)."""
    require(actor, IMPROVEMENT_ROLES, follow_up.action.analysis.org_unit)
    if effect not in FollowUp.Effect.values:
        raise ValidationError({"effect": "Ange om åtgärden fick avsedd effekt."})
    follow_up.effect, follow_up.date, follow_up.comment = effect, on, comment or ""
    _scrub(follow_up, "comment")
    _set_values(follow_up, period_before, value_before, period_after, value_after)
    follow_up.save()
    audit.record(actor, "improvement.followup.update", follow_up, effect=effect,
                 identity_numbers_removed=follow_up.identity_numbers_removed)
    return follow_up


# --- action plans ---------------------------------------------------------------------------


def _check_years(year_from: int, year_to: int) -> None:
    if year_from is None or year_to is None:
        raise ValidationError({"year_from": "Ange planens år."})
    if year_to < year_from:
        raise ValidationError({"year_to": "Slutåret ligger före startåret."})


@transaction.atomic
def create_plan(unit: OrgUnit, year_from: int, year_to: int, title: str, *, actor: Actor) -> ActionPlan:
    """Create a region's action plan (divisions get theirs through inherit_plan)."""
    require(actor, PLAN_ROLES, unit)
    if unit.kind != OrgUnit.Kind.REGION:
        raise ValidationError({"org_unit": "En egen handlingsplan utan arv skapas för en region; "
                                           "en förvaltning ärver regionens plan."})
    _check_years(year_from, year_to)
    title = _require_text(title, "title", "Planens namn")
    overlapping = ActionPlan.objects.filter(
        org_unit=unit, parent__isnull=True, year_from__lte=year_to, year_to__gte=year_from
    ).first()
    if overlapping is not None:
        raise ValidationError({"year_from": f"{unit.name} har redan en plan för {overlapping.years_label}: "
                                            f"{overlapping.title}."})
    plan = ActionPlan.objects.create(org_unit=unit, year_from=year_from, year_to=year_to, title=title,
                                     created_by=actor.authenticated_user)
    audit.record(actor, "improvement.plan.create", plan, unit=unit.code, years=plan.years_label)
    return plan


@transaction.atomic
def inherit_plan(division_unit: OrgUnit, region_plan: ActionPlan, title: str = "", *, actor: Actor) -> ActionPlan:
    """The division's own plan, inheriting ``region_plan``'s activities; returns an existing one."""
    require(actor, PLAN_ROLES, division_unit)
    if region_plan.parent_id is not None or region_plan.org_unit.kind != OrgUnit.Kind.REGION:
        raise ValidationError({"parent": "Bara en regions plan kan ärvas."})
    if division_unit.parent_id != region_plan.org_unit_id:
        raise ValidationError({"org_unit": f"{division_unit.name} ligger inte direkt under {region_plan.org_unit.name}."})
    existing = ActionPlan.objects.filter(org_unit=division_unit, parent=region_plan).first()
    if existing is not None:
        return existing
    plan = ActionPlan.objects.create(
        org_unit=division_unit, parent=region_plan, year_from=region_plan.year_from, year_to=region_plan.year_to,
        title=(title or "").strip() or f"{region_plan.title} – {division_unit.name}", created_by=actor.authenticated_user,
    )
    audit.record(actor, "improvement.plan.inherit", plan, unit=division_unit.code, parent=region_plan.pk)
    return plan


@transaction.atomic
def update_plan(plan: ActionPlan, title: str, year_from: int, year_to: int, *, actor: Actor) -> ActionPlan:
    """Change a plan's name or years (a division's plan stays within its region plan's years)."""
    require(actor, PLAN_ROLES, plan.org_unit)
    _check_years(year_from, year_to)
    if plan.parent_id is not None and not (plan.parent.year_from <= year_from and year_to <= plan.parent.year_to):
        raise ValidationError({"year_from": f"Planen ärver regionens plan för {plan.parent.years_label} "
                                            "och kan inte gälla andra år."})
    if plan.parent_id is None and ActionPlan.objects.filter(
        org_unit=plan.org_unit, parent__isnull=True, year_from__lte=year_to, year_to__gte=year_from
    ).exclude(pk=plan.pk).exists():
        raise ValidationError({"year_from": f"{plan.org_unit.name} har redan en plan för de åren."})
    if plan.children.exclude(year_from__gte=year_from, year_to__lte=year_to).exists():
        raise ValidationError({"year_from": "Förvaltningarnas planer ärver den här planen för år utanför det nya "
                                            "intervallet; ändra dem först."})
    plan.title = _require_text(title, "title", "Planens namn")
    plan.year_from, plan.year_to = year_from, year_to
    plan.save()
    audit.record(actor, "improvement.plan.update", plan, years=plan.years_label)
    return plan


ACTIVITY_FIELDS = (
    "focus_area", "foundation", "description", "indicator", "indicator_text", "target_text", "data_source",
    "responsible", "due_date",
)


def allowed_kinds(plan: ActionPlan) -> tuple[str, ...]:
    """Region plans hold obligatory and recommended activities; division plans local ones."""
    return PlanActivity.REGION_KINDS if plan.parent_id is None else (PlanActivity.Kind.LOCAL,)


def _check_activity(activity: PlanActivity) -> None:
    if activity.kind not in allowed_kinds(activity.plan):
        if activity.plan.parent_id is None:
            raise ValidationError({"kind": "Regionens plan har obligatoriska och rekommenderade aktiviteter."})
        raise ValidationError({"kind": "En förvaltnings egna aktiviteter är lokala; obligatoriska och "
                                       "rekommenderade ärvs från regionens plan."})
    activity.title = _require_text(activity.title, "title", "Aktiviteten")


@transaction.atomic
def add_activity(plan: ActionPlan, kind: str, title: str, *, actor: Actor, **fields) -> PlanActivity:
    """Add an activity (Aktivitet, Indikator, Mål, Datakälla ...) to a plan."""
    require(actor, PLAN_ROLES, plan.org_unit)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(f"Okända fält: {', '.join(sorted(unknown))}.")
    fields = {k: ("" if v is None and k not in ("focus_area", "foundation", "indicator", "due_date") else v)
              for k, v in fields.items()}
    activity = PlanActivity(plan=plan, kind=kind, title=title, created_by=actor.authenticated_user, **fields)
    _check_activity(activity)
    activity.save()
    audit.record(actor, "improvement.activity.create", activity, plan=plan.pk, kind=kind)
    return activity


@transaction.atomic
def update_activity(activity: PlanActivity, *, actor: Actor, **fields) -> PlanActivity:
    """Change an activity in its own plan (inherited activities are changed in the region's plan)."""
    require(actor, PLAN_ROLES, activity.plan.org_unit)
    unknown = set(fields) - set(ACTIVITY_FIELDS) - {"kind", "title"}
    if unknown:
        raise ValidationError(f"Okända fält: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        if value is None and name not in ("focus_area", "foundation", "indicator", "due_date"):
            value = ""
        setattr(activity, name, value)
    _check_activity(activity)
    activity.save()
    audit.record(actor, "improvement.activity.update", activity, fields=sorted(fields))
    return activity
