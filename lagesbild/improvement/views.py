"""Improvement pages: the cycle Mät → Analysera → Åtgärda → Följ upp, overdue actions, action
plans and the gap view. Views are thin: selectors read, services change, forms validate.

Every form works as a plain POST with a redirect; with htmx (HX-Request) the changed part of
the page is returned instead, and an invalid form answers 422 with the form and its errors.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lagesbild.calc import status as calc_status
from lagesbild.calc.periods import Period
from lagesbild.catalogue.selectors import version_on
from lagesbild.core.actor import Actor
from lagesbild.measurements.presenters import format_with_unit
from lagesbild.org import audit, scope
from lagesbild.org.models import OrgUnit
from lagesbild.org.permissions import IMPROVEMENT_ROLES, PLAN_ROLES
from lagesbild.reports import tables

from . import measured, presenters, selectors, services
from .forms import (
    ActionForm,
    ActivityForm,
    AnalysisForm,
    FollowUpForm,
    GapFilterForm,
    InheritForm,
    PlanForm,
    StatusForm,
    apply_errors,
)
from .models import Action, ActionPlan


def _htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _period(key: str) -> Period:
    try:
        return Period.parse(key)
    except ValueError:
        raise Http404("Okänd period.") from None


def _visible_unit(user, code: str) -> OrgUnit:
    unit = get_object_or_404(OrgUnit, code=code)
    if not scope.can_see(user, unit):
        raise PermissionDenied("Enheten ligger utanför din behörighet.")
    return unit


def _target(request, measure_code, unit_code, period_key):
    period = _period(period_key)
    unit = _visible_unit(request.user, unit_code)
    measure = version_on(measure_code, period.start)
    if measure is None:
        raise Http404("Måttet finns inte.")
    return measure, unit, period


@login_required
def index(request):
    today = timezone.localdate()
    return render(request, "improvement/index.html", {
        "recent": selectors.analyses_for(request.user).order_by("-updated_at")[:10],
        "overdue_count": selectors.overdue_actions(request.user, today).count(),
        "plans": selectors.plans_for(request.user)[:20],
    })


# --- the cycle ------------------------------------------------------------------------------


def _action_rows(analysis, measure, unit, today, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    rows = []
    if analysis is None:
        return rows
    after = presenters.default_after_period(analysis.period, today)
    initial = {"date": today, "period_before": analysis.period.key, "period_after": after.key}
    placeholders = {
        "value_before": measured.value_for(measure, unit, analysis.period),
        "value_after": measured.value_for(measure, unit, after),
    }
    for action in analysis.actions.all():
        form = bound.get(("follow_up", action.pk)) or FollowUpForm(initial=initial, prefix=f"f{action.pk}")
        for name, value in placeholders.items():
            if value is not None:
                form.fields[name].widget.attrs["placeholder"] = f"{format_with_unit(measure, value)} (uppmätt)"
        rows.append({
            "action": action,
            "overdue": action.is_overdue(today),
            "status_form": bound.get(("status", action.pk))
            or StatusForm(initial={"status": action.status, "completed_on": action.completed_on}, prefix=f"s{action.pk}"),
            "follow_up_form": form,
            "follow_ups": [presenters.follow_up_view(f, measure) for f in action.follow_ups.all()],
        })
    return rows


def _cycle_context(request, measure, unit, period, **forms) -> dict:
    today = timezone.localdate()
    analysis = selectors.cycle_for(measure, unit, period)
    value = measured.value_for(measure, unit, period)
    previous = measured.value_for(measure, unit, period.previous)
    return {
        "measure": measure,
        "unit": unit,
        "period": period,
        "analysis": analysis,
        "today": today,
        "may_edit": scope.has_role(request.user, IMPROVEMENT_ROLES, unit),
        "value_text": format_with_unit(measure, value) if value is not None else "",
        "previous_text": format_with_unit(measure, previous) if previous is not None else "",
        "trend_text": presenters.TREND_TEXT.get(calc_status.trend(value, previous, measure.direction) or "", ""),
        "analysis_form": forms.get("analysis_form") or AnalysisForm(initial={"text": analysis.text if analysis else ""}),
        "action_form": forms.get("action_form") or ActionForm(unit=unit, prefix="a"),
        "action_rows": _action_rows(analysis, measure, unit, today, forms.get("bound")),
        "previous_period": period.previous,
        "next_period": period.shift(1),
    }


@login_required
def cycle(request, measure_code, unit_code, period_key):
    measure, unit, period = _target(request, measure_code, unit_code, period_key)
    return render(request, "improvement/cycle.html", _cycle_context(request, measure, unit, period))


def _notice(saved) -> str:
    """What to tell the user about the saved text (identity numbers removed), or ""."""
    return services.IDENTITY_NUMBER_NOTICE if getattr(saved, "identity_numbers_removed", 0) else ""


def _respond(request, measure, unit, period, partial: str, anchor: str, ok: bool, notice: str = "", **forms):
    """Redirect after a plain POST (the notice as a message), or render the changed part (htmx)
    or the whole page with the form's errors (422)."""
    if ok and not _htmx(request):
        if notice:
            messages.warning(request, notice)
        return redirect(selectors.cycle_url(measure, unit, period) + f"#{anchor}")
    context = _cycle_context(request, measure, unit, period, **forms)
    context["notice"] = notice
    template = partial if _htmx(request) else "improvement/cycle.html"
    return render(request, template, context, status=200 if ok else 422)


def _call(form, fn, *args, **kwargs):
    """Call a service; its ValidationError lands on the form. Returns the result or None."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


@login_required
@require_POST
def save_analysis(request, measure_code, unit_code, period_key):
    measure, unit, period = _target(request, measure_code, unit_code, period_key)
    form = AnalysisForm(request.POST)
    saved = form.is_valid() and _call(form, services.record_analysis, measure, unit, period, form.cleaned_data["text"],
                                      actor=Actor.from_request(request))
    forms = {} if saved else {"analysis_form": form}
    return _respond(request, measure, unit, period, "improvement/_steps.html", "analysera", bool(saved),
                    _notice(saved), **forms)


@login_required
@require_POST
def add_action(request, measure_code, unit_code, period_key):
    measure, unit, period = _target(request, measure_code, unit_code, period_key)
    analysis = selectors.cycle_for(measure, unit, period)
    if analysis is None:
        raise Http404("Skriv analysen innan du lägger till åtgärder.")
    form = ActionForm(request.POST, unit=unit, prefix="a")
    saved = form.is_valid() and _call(form, services.add_action, analysis, actor=Actor.from_request(request),
                                      **form.cleaned_data)
    forms = {} if saved else {"action_form": form}
    return _respond(request, measure, unit, period, "improvement/_work.html", "atgarda", bool(saved), _notice(saved),
                    **forms)


def _scoped_action(request, pk) -> Action:
    return get_object_or_404(selectors.actions_for(request.user), pk=pk)


@login_required
@require_POST
def action_status(request, pk):
    action = _scoped_action(request, pk)
    a = action.analysis
    form = StatusForm(request.POST, prefix=f"s{action.pk}")
    saved = form.is_valid() and _call(form, services.set_action_status, action, form.cleaned_data["status"],
                                      form.cleaned_data.get("completed_on"), actor=Actor.from_request(request))
    forms = {} if saved else {"bound": {("status", action.pk): form}}
    return _respond(request, a.measure, a.org_unit, a.period, "improvement/_work.html", f"atgard-{action.pk}",
                    bool(saved), **forms)


@login_required
@require_POST
def add_follow_up(request, pk):
    action = _scoped_action(request, pk)
    a = action.analysis
    form = FollowUpForm(request.POST, prefix=f"f{action.pk}")
    saved = None
    if form.is_valid():
        data = form.cleaned_data
        saved = _call(
            form, services.add_follow_up, action, data["effect"], on=data["date"], comment=data["comment"],
            period_before=data["period_before"], value_before=data["value_before"],
            period_after=data["period_after"], value_after=data["value_after"], actor=Actor.from_request(request),
        )
    forms = {} if saved else {"bound": {("follow_up", action.pk): form}}
    return _respond(request, a.measure, a.org_unit, a.period, "improvement/_work.html", f"foljupp-{action.pk}",
                    bool(saved), _notice(saved), **forms)


@login_required
def overdue(request):
    today = timezone.localdate()
    unit = None
    if request.GET.get("enhet"):
        unit = _visible_unit(request.user, request.GET["enhet"])
    exact = unit is not None and request.GET.get("endast") == "1"
    report = presenters.overdue_report(request.user, today, unit, exact=exact)
    if request.GET.get("format") == "xlsx":
        return _xlsx(presenters.overdue_sheet(report), report.file_name, request)
    return render(request, "improvement/overdue.html", {"report": report})


def _xlsx(sheet: tables.Sheet, file_name: str, request) -> HttpResponse:
    """A page's table as an Excel file (the same rows the page shows); the export is audited."""
    audit.record(request, "improvement.export", object_type="Table", object_id=sheet.name, rows=len(sheet.rows))
    response = HttpResponse(tables.write_workbook([sheet]),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


# --- action plans ---------------------------------------------------------------------------


def _plan_regions(user):
    """Regions in the user's scope where the user may create a plan."""
    regions = OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION).filter(scope.unit_q(user))
    return OrgUnit.objects.filter(pk__in=[r.pk for r in regions if scope.has_role(user, PLAN_ROLES, r)])


@login_required
def plans(request, form: PlanForm | None = None, status: int = 200):
    regions = _plan_regions(request.user)
    return render(request, "improvement/plans.html", {
        "plans": selectors.plans_for(request.user).annotate(n_activities=Count("activities")),
        "may_create": regions.exists(),
        "form": form or PlanForm(units=regions, initial={"year_from": timezone.localdate().year, "year_to": timezone.localdate().year}),
    }, status=status)


@login_required
@require_POST
def plan_create(request):
    regions = _plan_regions(request.user)
    form = PlanForm(request.POST, units=regions)
    if form.is_valid():
        d = form.cleaned_data
        plan = _call(form, services.create_plan, d["org_unit"], d["year_from"], d["year_to"], d["title"],
                     actor=Actor.from_request(request))
        if plan is not None:
            return redirect("improvement:plan", pk=plan.pk)
    if not regions.exists():
        raise PermissionDenied("Din roll får inte skapa handlingsplaner.")
    return plans(request, form=form, status=422)


def _divisions_without_plan(user, plan: ActionPlan):
    """Divisions below a region plan's region that the user may give a plan and that lack one."""
    if plan.parent_id is not None:
        return OrgUnit.objects.none()
    taken = ActionPlan.objects.filter(parent=plan).values_list("org_unit_id", flat=True)
    candidates = OrgUnit.objects.filter(parent=plan.org_unit).filter(scope.unit_q(user)).exclude(pk__in=taken)
    return OrgUnit.objects.filter(pk__in=[u.pk for u in candidates if scope.has_role(user, PLAN_ROLES, u)])


# The inherit form shares the plan page with the activity form: a prefix keeps their ids apart.
INHERIT_PREFIX = "arv"


def _plan_context(request, plan, **forms) -> dict:
    may_edit = scope.has_role(request.user, PLAN_ROLES, plan.org_unit)
    divisions = _divisions_without_plan(request.user, plan)
    children = selectors.division_plans(plan).filter(scope.unit_q(request.user, "org_unit")) if plan.parent_id is None else []
    return {
        "plan": plan,
        "groups": selectors.activities_by_focus_area(plan),
        "may_edit": may_edit,
        "activity_form": forms.get("activity_form") or ActivityForm(plan=plan),
        "inherit_form": forms.get("inherit_form") or InheritForm(units=divisions, prefix=INHERIT_PREFIX),
        "may_inherit": divisions.exists(),
        "children": children,
    }


def _scoped_plan(request, pk) -> ActionPlan:
    return get_object_or_404(selectors.plans_for(request.user), pk=pk)


@login_required
def plan_detail(request, pk):
    plan = _scoped_plan(request, pk)
    return render(request, "improvement/plan.html", _plan_context(request, plan))


@login_required
@require_POST
def activity_add(request, pk):
    plan = _scoped_plan(request, pk)
    form = ActivityForm(request.POST, plan=plan)
    if form.is_valid():
        d = dict(form.cleaned_data)
        if _call(form, services.add_activity, plan, d.pop("kind"), d.pop("title"), actor=Actor.from_request(request),
                 **d) is not None:
            if _htmx(request):
                return render(request, "improvement/_plan_activities.html", _plan_context(request, plan))
            return redirect(reverse("improvement:plan", args=[plan.pk]) + "#aktiviteter")
    template = "improvement/_plan_activities.html" if _htmx(request) else "improvement/plan.html"
    return render(request, template, _plan_context(request, plan, activity_form=form), status=422)


@login_required
@require_POST
def plan_inherit(request, pk):
    plan = _scoped_plan(request, pk)
    divisions = _divisions_without_plan(request.user, plan)
    form = InheritForm(request.POST, units=divisions, prefix=INHERIT_PREFIX)
    if form.is_valid():
        child = _call(form, services.inherit_plan, form.cleaned_data["division"], plan, form.cleaned_data["title"],
                      actor=Actor.from_request(request))
        if child is not None:
            return redirect("improvement:plan", pk=child.pk)
    if not divisions.exists():
        raise PermissionDenied("Du kan inte skapa förvaltningsplaner här.")
    return render(request, "improvement/plan.html", _plan_context(request, plan, inherit_form=form), status=422)


# --- gaps -----------------------------------------------------------------------------------


def _gap_choice(form: GapFilterForm, regions: list[OrgUnit], today: date) -> tuple[OrgUnit | None, int, Period, bool]:
    """Region, plan year, period and whether to list enheter. Without a region the view opens on
    the first region with data; without a period or a year, on the region's latest year with data
    (else the current year)."""
    d = form.cleaned_data if form.is_bound else {}
    period = Period.parse(d["period"]) if d.get("period") else None
    year = d.get("ar") or (period.start.year if period else None)
    region = next((r for r in regions if r.code == d.get("enhet")), None)
    latest = None
    if region is None or (period is None and year is None):
        for candidate in [region] if region else regions:  # without a choice: the first region with data
            latest = measured.latest_year_with_data(candidate)
            if latest is not None:
                region = candidate
                break
        region = region or (regions[0] if regions else None)
    if period is None and year is None and latest is not None:
        period, year = latest, latest.start.year
    year = year or today.year
    return region, year, period or Period(date(year, 1, 1), "year"), bool(d.get("alla"))


@login_required
def gap_view(request):
    regions = selectors.gap_regions(request.user)
    if request.GET.get("enhet") and request.GET["enhet"] not in {r.code for r in regions}:
        raise PermissionDenied("Regionen ligger utanför din behörighet.")
    form = GapFilterForm(request.GET or None, regions=regions)
    if form.is_bound and not form.is_valid():
        return render(request, "improvement/gaps.html", {"form": form}, status=422)
    today = timezone.localdate()
    region, year, period, include_enheter = _gap_choice(form, regions, today)
    if region is None:
        raise PermissionDenied("Du har ingen region att visa.")
    report = presenters.gap_report(request.user, region, year, period, today, include_enheter=include_enheter)
    if request.GET.get("format") == "xlsx":
        return _xlsx(presenters.gap_sheet(report), report.file_name, request)
    if not form.is_bound:
        form = GapFilterForm(initial={"enhet": region.code, "ar": year, "period": period.key}, regions=regions)
    return render(request, "improvement/gaps.html", {"form": form, "report": report})
