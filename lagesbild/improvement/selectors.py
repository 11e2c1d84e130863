"""Reading the improvement cycle and the action plans, always scoped to the user's subtree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Optional

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.org import scope
from lagesbild.org.models import OrgUnit

from . import measured
from .models import Action, ActionPlan, Analysis, FollowUp, PlanActivity

# --- scoped querysets -----------------------------------------------------------------------


def analyses_for(user) -> QuerySet[Analysis]:
    return Analysis.objects.filter(scope.unit_q(user, "org_unit")).select_related("measure", "org_unit")


def actions_for(user) -> QuerySet[Action]:
    return Action.objects.filter(scope.unit_q(user, "analysis__org_unit")).select_related(
        "analysis__measure", "analysis__org_unit", "owner"
    )


def follow_ups_for(user) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(scope.unit_q(user, "action__analysis__org_unit")).select_related(
        "action__analysis__measure", "action__analysis__org_unit"
    )


def _ancestor_paths(user) -> list[str]:
    """Paths of the units above the user's own (their region, their förvaltning ...)."""
    out = set()
    for root in scope.roots(user):
        parts = [p for p in root.path.split("/") if p]
        out.update("/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    return sorted(out)


def plans_for(user) -> QuerySet[ActionPlan]:
    """Plans in the user's subtree, and the plans that govern it from above (read-only there):
    a clinic's manager reads their förvaltning's plan and the region's plan it inherits."""
    q = scope.unit_q(user, "org_unit") | Q(org_unit__path__in=_ancestor_paths(user))
    return ActionPlan.objects.filter(q).select_related("org_unit", "parent__org_unit")


def activities_for(user) -> QuerySet[PlanActivity]:
    """Activities of the plans in ``plans_for``."""
    q = scope.unit_q(user, "plan__org_unit") | Q(plan__org_unit__path__in=_ancestor_paths(user))
    return PlanActivity.objects.filter(q).select_related("plan__org_unit", "focus_area", "foundation", "indicator")


def possible_owners(unit: OrgUnit) -> QuerySet:
    """Active users who may own an action on ``unit``: a role on the unit, on a unit below it,
    or on a unit above it from the region down (a nation-level role is not a local owner)."""
    parts = [p for p in unit.path.split("/") if p]
    above = ["/".join(parts[:i]) + "/" for i in range(2, len(parts) + 1)]
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(memberships__org_unit__path__in=above) | Q(memberships__org_unit__path__startswith=unit.path))
        .distinct()
        .order_by("username")
    )


# --- the cycle ------------------------------------------------------------------------------


def _period_filter(period: Period) -> dict:
    return {"period_start": period.start, "granularity": period.granularity}


def cycle_for(measure: Measure, unit: OrgUnit, period: Period) -> Optional[Analysis]:
    """The analysis of a measure × unit × period with its actions and their follow-ups, or None."""
    return (
        Analysis.objects.filter(measure=measure, org_unit=unit, **_period_filter(period))
        .select_related("measure", "org_unit", "created_by")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.select_related("owner").prefetch_related("follow_ups")))
        .first()
    )


def cycle_url(measure: Measure, unit: OrgUnit, period: Period) -> str:
    return reverse("improvement:cycle", args=[measure.code, unit.code, period.key])


@dataclass
class CycleSummary:
    """What a dashboard shows about the improvement work on one measure × unit × period."""

    measure: Measure
    unit: OrgUnit
    period: Period
    analysis: Optional[Analysis] = None
    open_actions: int = 0
    overdue_actions: int = 0
    done_actions: int = 0

    @property
    def excerpt(self) -> str:
        if self.analysis is None:
            return ""
        text = " ".join(self.analysis.text.split())
        return text if len(text) <= 160 else text[:159].rstrip() + "…"

    @property
    def url(self) -> str:
        return cycle_url(self.measure, self.unit, self.period)


def summaries_for(measures: Iterable[Measure], unit: OrgUnit, period: Period, today: Optional[date] = None) -> dict[int, CycleSummary]:
    """Summaries for many measures of one unit and period in two queries, keyed by measure id."""
    today = today or timezone.localdate()
    measures = list(measures)
    out = {m.pk: CycleSummary(m, unit, period) for m in measures}
    analyses = Analysis.objects.filter(measure__in=measures, org_unit=unit, **_period_filter(period)).annotate(
        n_open=Count("actions", filter=Q(actions__status__in=Action.OPEN)),
        n_overdue=Count("actions", filter=Q(actions__status__in=Action.OPEN, actions__due_date__lt=today)),
        n_done=Count("actions", filter=Q(actions__status=Action.Status.DONE)),
    )
    for a in analyses:
        s = out[a.measure_id]
        s.analysis, s.open_actions, s.overdue_actions, s.done_actions = a, a.n_open, a.n_overdue, a.n_done
    return out


def summary_for(measure: Measure, unit: OrgUnit, period: Period, today: Optional[date] = None) -> CycleSummary:
    """Analysis excerpt and action counts for the dashboard (template improvement/_cycle_summary.html)."""
    return summaries_for([measure], unit, period, today)[measure.pk]


def overdue_actions(
    user, today: Optional[date] = None, unit: Optional[OrgUnit] = None, exact: bool = False
) -> QuerySet[Action]:
    """Open actions (planerad, pågår) past their due date in the user's scope; with ``unit``,
    only those in its subtree (or, with ``exact``, of the unit itself)."""
    qs = actions_for(user).filter(status__in=Action.OPEN, due_date__lt=today or timezone.localdate())
    if unit is not None:
        qs = qs.filter(analysis__org_unit=unit) if exact else qs.filter(analysis__org_unit__path__startswith=unit.path)
    return qs.order_by("due_date", "analysis__org_unit__path", "id")


# --- action plans ---------------------------------------------------------------------------


@dataclass
class EffectiveActivity:
    activity: PlanActivity
    inherited: bool
    source: ActionPlan


def effective_activities(plan: ActionPlan) -> list[EffectiveActivity]:
    """A plan's activities: those inherited from the plans above it (read-only here), then its own.

    Sorted by focus area, then obligatorisk, rekommenderad, lokal.
    """
    chain, node = [], plan
    while node is not None:
        chain.append(node)
        node = node.parent
    ids = [p.pk for p in chain]
    by_id = {p.pk: p for p in chain}
    rows = [
        EffectiveActivity(a, a.plan_id != plan.pk, by_id[a.plan_id])
        for a in PlanActivity.objects.filter(plan_id__in=ids).select_related("focus_area", "foundation", "indicator")
    ]
    return sorted(
        rows,
        key=lambda r: (
            r.activity.focus_area.number if r.activity.focus_area_id else 99,
            PlanActivity.KIND_ORDER.get(r.activity.kind, 9),
            r.activity.pk,
        ),
    )


@dataclass
class FocusGroup:
    focus_area: object  # FocusArea or None
    activities: list[EffectiveActivity] = field(default_factory=list)


def activities_by_focus_area(plan: ActionPlan) -> list[FocusGroup]:
    groups: dict[object, FocusGroup] = {}
    for row in effective_activities(plan):
        key = row.activity.focus_area_id
        groups.setdefault(key, FocusGroup(row.activity.focus_area)).activities.append(row)
    return list(groups.values())


def region_plan_for(region: OrgUnit, year: int) -> Optional[ActionPlan]:
    return ActionPlan.objects.filter(org_unit=region, parent__isnull=True, year_from__lte=year, year_to__gte=year).first()


def division_plans(region_plan: ActionPlan) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.filter(parent=region_plan).select_related("org_unit")


# --- gaps -----------------------------------------------------------------------------------

GAP_KINDS = (OrgUnit.Kind.FORVALTNING, OrgUnit.Kind.VERKSAMHET)


@dataclass
class GapRow:
    """One unit of the region (the region itself first) and what is missing there.

    Plan rule: the region has a plan covering the year; every division (unit directly below the
    region, usually a förvaltning) has its own plan covering the year that inherits that region
    plan; units further down are covered by their division's plan.
    """

    unit: OrgUnit
    division: Optional[OrgUnit]
    plan: Optional[ActionPlan]
    lacks_plan: bool
    plan_note: str
    off_target: Optional[list] = None  # None: statuses not available
    missing_analysis: list = field(default_factory=list)
    overdue: int = 0

    @property
    def has_gap(self) -> bool:
        return self.lacks_plan or bool(self.missing_analysis) or self.overdue > 0


def _active_in(year: int) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=date(year, 12, 31))) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=date(year, 1, 1))
    )


def _plan_and_note(unit: OrgUnit, region_unit: OrgUnit, region_plan: Optional[ActionPlan], division,
                   div_code: str, plan: Optional[ActionPlan], year: int) -> tuple[Optional[ActionPlan], str]:
    """The plan covering ``unit`` and the sentence saying so (or what is missing)."""
    if region_plan is None:
        return None, f"Regionen saknar handlingsplan för {year}."
    if unit.pk == region_unit.pk:
        return region_plan, "Regionens egen plan."
    if plan is None and division is not None and division.pk == unit.pk:
        return None, f"Saknar egen handlingsplan för {year} som ärver regionens plan."
    if plan is None:
        return None, f"{division.name if division else div_code} saknar handlingsplan för {year}."
    if plan.org_unit_id == unit.pk:
        return plan, "Egen plan som ärver regionens."
    return plan, f"Omfattas av planen för {plan.org_unit.name}."


def gaps(
    user,
    region_unit: OrgUnit,
    year: int,
    period: Period,
    off_target: Optional[measured.OffTarget] = None,
    today: Optional[date] = None,
    include_enheter: bool = False,
) -> list[GapRow]:
    """Per unit of ``region_unit`` (the region itself, its divisions, förvaltningar, verksamheter;
    enheter on request) within the user's scope: lacks a plan for ``year``, off-target measures
    for ``period`` without an analysis, and the number of overdue actions on the unit itself.

    ``off_target(unit, period)`` names a unit's off-target measures; by default the measurements
    app's ``unit_statuses`` (status ej uppnått).
    """
    today = today or timezone.localdate()
    off_target = off_target or measured.default_off_target()
    kinds = GAP_KINDS + ((OrgUnit.Kind.ENHET,) if include_enheter else ())
    units = list(
        OrgUnit.objects.filter(path__startswith=region_unit.path)
        .filter(Q(kind__in=kinds) | Q(parent=region_unit) | Q(pk=region_unit.pk))
        .filter(_active_in(year))
        .filter(scope.unit_q(user))
        .order_by("path")
    )
    region_plan = region_plan_for(region_unit, year)
    division_plan = {
        p.org_unit.code: p
        for p in ActionPlan.objects.filter(
            org_unit__parent=region_unit, parent__isnull=False, parent__org_unit=region_unit,
            year_from__lte=year, year_to__gte=year,
        ).select_related("org_unit", "parent")
        if region_plan is not None and p.parent_id == region_plan.pk
    }
    analysed = set(
        Analysis.objects.filter(org_unit__in=units, **_period_filter(period)).values_list("org_unit_id", "measure_id")
    )
    overdue = dict(
        Action.objects.filter(analysis__org_unit__in=units, status__in=Action.OPEN, due_date__lt=today)
        .values_list("analysis__org_unit")
        .annotate(n=Count("id"))
    )
    by_code = {u.code: u for u in units}
    rows = []
    for unit in units:
        div_code = unit.path[len(region_unit.path):].split("/")[0]
        division = (by_code.get(div_code) or OrgUnit.objects.filter(code=div_code).first()) if div_code else None
        plan, note = _plan_and_note(unit, region_unit, region_plan, division, div_code, division_plan.get(div_code),
                                    year)
        row = GapRow(unit, division, plan, plan is None, note, overdue=overdue.get(unit.pk, 0))
        if off_target is not None:
            row.off_target = list(off_target(unit, period))
            row.missing_analysis = [m for m in row.off_target if (unit.pk, m.pk) not in analysed]
        rows.append(row)
    return rows


def gap_regions(user) -> list[OrgUnit]:
    """Regions the user may open the gap view for: visible ones and those above their units."""
    codes = set()
    for root in scope.roots(user):
        parts = [p for p in root.path.split("/") if p]
        codes.update(parts)
    return list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION).filter(Q(code__in=codes) | scope.unit_q(user)).order_by("code")
    )
