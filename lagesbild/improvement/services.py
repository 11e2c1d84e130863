"""Changing the improvement cycle and the action plans.

Every function checks the user's role on the unit (org.permissions) and writes the audit log.
Analyses, actions and follow-ups need IMPROVEMENT_ROLES on the unit the analysis is about;
plans and their activities need PLAN_ROLES on the plan's unit. Domain errors are raised as
django.core.exceptions.ValidationError with Swedish messages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.org import audit
from lagesbild.org.models import OrgUnit
from lagesbild.org.permissions import IMPROVEMENT_ROLES, PLAN_ROLES, require_role

from . import measured
from .models import Action, ActionPlan, Analysis, FollowUp, PlanActivity

def _audit(request, user, event: str, obj, /, **detail) -> None:
    if request is not None:
        audit.record(request, event, obj, **detail)
    else:
        audit.record_as(user, event, type(obj).__name__, str(obj.pk), **detail)


def _require_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"{label} måste fyllas i."})
    return value


# --- the cycle ------------------------------------------------------------------------------


@transaction.atomic
def record_analysis(user, measure, unit: OrgUnit, period: Period, text: str, request=None) -> Analysis:
    """Create or replace the analysis of ``measure`` for ``unit`` and ``period``."""
    require_role(user, IMPROVEMENT_ROLES, unit)
    text = _require_text(text, "text", "Analysen")
    analysis, created = Analysis.objects.select_for_update().get_or_create(
        measure=measure, org_unit=unit, period_start=period.start, granularity=period.granularity,
        defaults={"text": text, "created_by": user},
    )
    if not created:
        analysis.text = text
        analysis.save(update_fields=["text", "updated_at"])
    _audit(request, user, "improvement.analysis.create" if created else "improvement.analysis.update", analysis,
           measure=measure.code, unit=unit.code, period=period.key)
    return analysis


def _check_action_fields(title: str, owner_name: str, due_date) -> tuple[str, str]:
    title = _require_text(title, "title", "Åtgärden")
    owner_name = _require_text(owner_name, "owner_name", "Ansvarig")
    if due_date is None:
        raise ValidationError({"due_date": "Ange när åtgärden ska vara klar."})
    return title, owner_name


@transaction.atomic
def add_action(
    user, analysis: Analysis, title: str, owner_name: str, due_date: date, description: str = "",
    owner=None, status: str = Action.Status.PLANNED, request=None,
) -> Action:
    """Add an action to an analysis."""
    require_role(user, IMPROVEMENT_ROLES, analysis.org_unit)
    title, owner_name = _check_action_fields(title, owner_name, due_date)
    if status not in Action.Status.values:
        raise ValidationError({"status": f"Okänd status: {status!r}."})
    action = Action.objects.create(
        analysis=analysis, title=title, description=description or "", owner_name=owner_name, owner=owner,
        due_date=due_date, status=status, completed_on=timezone.localdate() if status == Action.Status.DONE else None,
        created_by=user,
    )
    _audit(request, user, "improvement.action.create", action, analysis=analysis.pk, status=status)
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
def set_action_status(user, action: Action, status: str, completed_on: Optional[date] = None, request=None) -> Action:
    """Change an action's status; 'klar' records the day it was completed (today unless given)."""
    require_role(user, IMPROVEMENT_ROLES, action.analysis.org_unit)
    before = action.status
    _apply_status(action, status, completed_on)
    action.save(update_fields=["status", "completed_on", "updated_at"])
    _audit(request, user, "improvement.action.status", action, before=before, after=status)
    return action


ACTION_FIELDS = ("title", "description", "owner_name", "owner", "due_date", "status", "completed_on")


@transaction.atomic
def update_action(user, action: Action, request=None, **fields) -> Action:
    """Change an action's text, owner, due date or status."""
    require_role(user, IMPROVEMENT_ROLES, action.analysis.org_unit)
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError(f"Kan inte ändra {', '.join(sorted(unknown))}.")
    status = fields.pop("status", action.status)
    completed_on = fields.pop("completed_on", None)
    for name, value in fields.items():
        setattr(action, name, "" if value is None and name == "description" else value)
    action.title, action.owner_name = _check_action_fields(action.title, action.owner_name, action.due_date)
    _apply_status(action, status, completed_on)
    action.save()
    _audit(request, user, "improvement.action.update", action, fields=sorted(fields) + ["status"])
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
    user, action: Action, effect: str, on: Optional[date] = None, comment: str = "",
    period_before: str = "", value_before: Optional[Decimal] = None,
    period_after: str = "", value_after: Optional[Decimal] = None, request=None,
) -> FollowUp:
    """Record whether an action had the intended effect.

    A value left empty is taken from the measured values of the analysis's measure and unit
    for the given period (period keys like 2025-03, 2025-Q1, 2025-T1, 2025), when the
    measurements app can tell it; its source is stored as 'matt' (measured) or 'manuell'.
    """
    require_role(user, IMPROVEMENT_ROLES, action.analysis.org_unit)
    if effect not in FollowUp.Effect.values:
        raise ValidationError({"effect": "Ange om åtgärden fick avsedd effekt."})
    follow_up = FollowUp(action=action, date=on or timezone.localdate(), effect=effect, comment=comment or "", created_by=user)
    _set_values(follow_up, period_before, value_before, period_after, value_after)
    follow_up.save()
    _audit(request, user, "improvement.followup.create", follow_up, action_id=action.pk, effect=effect)
    return follow_up


@transaction.atomic
def update_follow_up(
    user, follow_up: FollowUp, effect: str, on: date, comment: str = "",
    period_before: str = "", value_before: Optional[Decimal] = None,
    period_after: str = "", value_after: Optional[Decimal] = None, request=None,
) -> FollowUp:
    """Replace a follow-up's content (same rules as add_follow_up)."""
    require_role(user, IMPROVEMENT_ROLES, follow_up.action.analysis.org_unit)
    if effect not in FollowUp.Effect.values:
        raise ValidationError({"effect": "Ange om åtgärden fick avsedd effekt."})
    follow_up.effect, follow_up.date, follow_up.comment = effect, on, comment or ""
    _set_values(follow_up, period_before, value_before, period_after, value_after)
    follow_up.save()
    _audit(request, user, "improvement.followup.update", follow_up, effect=effect)
    return follow_up


# --- action plans ---------------------------------------------------------------------------


def division_of(unit: OrgUnit) -> Optional[OrgUnit]:
    """The division a unit belongs to: its ancestor (or itself) directly below a region."""
    node, chain = unit, []
    while node is not None:
        chain.append(node)
        node = node.parent
    for i, u in enumerate(chain):
        if u.kind == OrgUnit.Kind.REGION:
            return chain[i - 1] if i > 0 else None
    return None


def _check_years(year_from: int, year_to: int) -> None:
    if year_from is None or year_to is None:
        raise ValidationError({"year_from": "Ange planens år."})
    if year_to < year_from:
        raise ValidationError({"year_to": "Slutåret ligger före startåret."})


@transaction.atomic
def create_plan(user, unit: OrgUnit, year_from: int, year_to: int, title: str, request=None) -> ActionPlan:
    """Create a region's action plan (divisions get theirs through inherit_plan)."""
    require_role(user, PLAN_ROLES, unit)
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
    plan = ActionPlan.objects.create(org_unit=unit, year_from=year_from, year_to=year_to, title=title, created_by=user)
    _audit(request, user, "improvement.plan.create", plan, unit=unit.code, years=plan.years_label)
    return plan


@transaction.atomic
def inherit_plan(user, division_unit: OrgUnit, region_plan: ActionPlan, title: str = "", request=None) -> ActionPlan:
    """The division's own plan, inheriting ``region_plan``'s activities; returns an existing one."""
    require_role(user, PLAN_ROLES, division_unit)
    if region_plan.parent_id is not None or region_plan.org_unit.kind != OrgUnit.Kind.REGION:
        raise ValidationError({"parent": "Bara en regions plan kan ärvas."})
    if division_unit.parent_id != region_plan.org_unit_id:
        raise ValidationError({"org_unit": f"{division_unit.name} ligger inte direkt under {region_plan.org_unit.name}."})
    existing = ActionPlan.objects.filter(org_unit=division_unit, parent=region_plan).first()
    if existing is not None:
        return existing
    plan = ActionPlan.objects.create(
        org_unit=division_unit, parent=region_plan, year_from=region_plan.year_from, year_to=region_plan.year_to,
        title=(title or "").strip() or f"{region_plan.title} – {division_unit.name}", created_by=user,
    )
    _audit(request, user, "improvement.plan.inherit", plan, unit=division_unit.code, parent=region_plan.pk)
    return plan


@transaction.atomic
def update_plan(user, plan: ActionPlan, title: str, year_from: int, year_to: int, request=None) -> ActionPlan:
    require_role(user, PLAN_ROLES, plan.org_unit)
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
    _audit(request, user, "improvement.plan.update", plan, years=plan.years_label)
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
def add_activity(user, plan: ActionPlan, kind: str, title: str, request=None, **fields) -> PlanActivity:
    """Add an activity (Aktivitet, Indikator, Mål, Datakälla ...) to a plan."""
    require_role(user, PLAN_ROLES, plan.org_unit)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(f"Okända fält: {', '.join(sorted(unknown))}.")
    fields = {k: ("" if v is None and k not in ("focus_area", "foundation", "indicator", "due_date") else v)
              for k, v in fields.items()}
    activity = PlanActivity(plan=plan, kind=kind, title=title, created_by=user, **fields)
    _check_activity(activity)
    activity.save()
    _audit(request, user, "improvement.activity.create", activity, plan=plan.pk, kind=kind)
    return activity


@transaction.atomic
def update_activity(user, activity: PlanActivity, request=None, **fields) -> PlanActivity:
    """Change an activity in its own plan (inherited activities are changed in the region's plan)."""
    require_role(user, PLAN_ROLES, activity.plan.org_unit)
    unknown = set(fields) - set(ACTIVITY_FIELDS) - {"kind", "title"}
    if unknown:
        raise ValidationError(f"Okända fält: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        if value is None and name not in ("focus_area", "foundation", "indicator", "due_date"):
            value = ""
        setattr(activity, name, value)
    _check_activity(activity)
    activity.save()
    _audit(request, user, "improvement.activity.update", activity, fields=sorted(fields))
    return activity
