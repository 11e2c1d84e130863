"""Dashboards and measure pages. Thin: presenters assemble, templates and exports show."""

from __future__ import annotations

from functools import wraps
from typing import Optional

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from lagesbild.calc import fmt, periods
from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import FocusArea
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.org import audit, permissions, scope
from lagesbild.org.models import OrgUnit

from . import exports, presenters, rendered, selectors, services
from .models import Rebase

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(request, code: str) -> OrgUnit:
    return scope.visible_unit(request.user, code)


class _BadPeriod(Exception):
    """A ?period= the page cannot show: answered with 400 and the reason."""


def _answers_bad_period(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _BadPeriod as exc:
            return render(request, "measurements/bad_period.html", {"message": str(exc)}, status=400)

    return wrapped


def _period(request, unit: OrgUnit) -> Period:
    """The period asked for (?period=), in the granularity asked for (?periodtyp=): a period of
    another granularity gives the latest period with data inside it (the form sends both when
    the reader changes the granularity). No period: the latest year with data."""
    text = request.GET.get("period", "")
    gran = request.GET.get("periodtyp") or None
    if gran is not None and gran not in periods.GRANULARITIES:
        raise _BadPeriod("okänd periodtyp (använd month, quarter, tertial eller year)")
    try:
        asked = Period.parse(text) if text else None
    except ValueError as exc:
        raise _BadPeriod(str(exc)) from None
    if asked is not None and gran in (None, asked.granularity):
        return asked
    gran = gran or periods.YEAR
    with_data = _periods_with_data(request, unit, gran)
    inside = [p for p in with_data if asked is None or p.start < asked.end]
    return (inside or with_data or [Period.containing(timezone.localdate(), gran)])[0]


def _periods_with_data(request, unit: OrgUnit, granularity: str) -> list[Period]:
    """selectors.periods_with_data, read once per request (the default period and the selector share it)."""
    memo = request.__dict__.setdefault("_periods_with_data", {})
    key = (unit.pk, granularity)
    if key not in memo:
        memo[key] = selectors.periods_with_data(unit, granularity)
    return memo[key]


def _period_form(request, unit: OrgUnit, period: Period) -> dict:
    """The period selector's choices: the granularities and the periods with data (newest first;
    the shown period too when it has none)."""
    choices = _periods_with_data(request, unit, period.granularity)
    if period not in choices:
        choices = sorted([*choices, period], reverse=True)
    return {"granularities": [(g, periods.LABELS[g]) for g in periods.GRANULARITIES], "period_choices": choices}


def _as_of_today(request) -> bool:
    return request.GET.get("organisation") == "idag"


@login_required
def home(request):
    roots = scope.roots(request.user)
    if not roots:
        raise PermissionDenied("Du har ingen behörighet till någon del av organisationen.")
    return redirect("measurements:dashboard", code=roots[0].code)


def _focus(request) -> Optional[int]:
    focus = request.GET.get("fokus")
    return int(focus) if focus and focus.isdigit() else None


def _url_for_measures(name: str, *before: str, after: tuple = ()):
    """reverse(name, [*before, code, *after]) for many measure codes at the price of one reverse():
    the codes are slugs, which reverse() leaves as they are."""
    marker = "measure-code-here"
    prefix, suffix = reverse(name, args=[*before, marker, *after]).split(marker)
    return lambda code: f"{prefix}{code}{suffix}"


def _render_rows(d: presenters.Dashboard) -> None:
    """Each row's links (one reverse() per link for all rows) and its markup (measurements.rendered)."""
    unit, period = d.unit, d.period
    rows = d.rows
    measure = _url_for_measures("measurements:measure", unit.code)
    cycle = _url_for_measures("improvement:cycle", after=(unit.code, period.key))
    query = f"?period={period.key}" + ("&organisation=idag" if d.as_of_today else "")
    show_previous, with_reference = d.show_previous, d.reference_unit is not None
    for r in rows:
        r.link = measure(r.s.measure.code) + query
        r.spc_link = r.link + "&granularitet=month#styrdiagram" if r.spc is not None else ""
        r.cycle_link = cycle(r.s.measure.code)
        r.html = rendered.dashboard_row(r, show_previous, with_reference)


def _dashboard_context(request, unit: OrgUnit) -> dict:
    d = presenters.dashboard(unit, _period(request, unit), _focus(request), _as_of_today(request),
                             spc=settings.LAGESBILD_DASHBOARD_SPC)
    _render_rows(d)
    return {
        "d": d, "unit": unit, "period": d.period, "rows": d.rows, "reference_unit": d.reference_unit,
        "reference_label": d.reference_label, "reference_note": d.reference_note, "coverage": d.coverage,
        "focus": d.focus, "focus_areas": FocusArea.objects.all(), "as_of_today": d.as_of_today,
        "grid": d.heatmap, "summary": d.summary, "ancestors": _ancestors(request, unit), **_period_form(request, unit, d.period),
    }


def _ancestors(request, unit: OrgUnit) -> list[OrgUnit]:
    return [u for u in OrgUnit.objects.filter(path__in=selectors.ancestor_paths(unit)).order_by("depth")
            if scope.can_see(request.user, u)]


@login_required
@_answers_bad_period
def dashboard(request, code):
    unit = _unit(request, code)
    context = _dashboard_context(request, unit)
    audit.record(request, "dashboard.view", unit, period=context["period"].key)
    return render(request, "measurements/dashboard.html", context)


@login_required
@_answers_bad_period
def heatmap(request, code):
    """The unit's children × measures: value, n and status per cell, sorted by any column."""
    unit = _unit(request, code)
    period = _period(request, unit)
    grid = presenters.heatmap(unit, period, _focus(request), _as_of_today(request),
                              sort=request.GET.get("sort", presenters.NAME_SORT), descending=request.GET.get("dir") == "desc")
    audit.record(request, "heatmap.view", unit, period=period.key)
    return render(request, "measurements/heatmap.html", {
        "unit": unit, "period": period, "grid": grid, "focus": _focus(request), "focus_areas": FocusArea.objects.all(),
        "as_of_today": _as_of_today(request), "ancestors": _ancestors(request, unit), **_period_form(request, unit, period),
        "query": _query_without(request, "sort", "dir"),
    })


def _query_without(request, *names: str) -> str:
    """The page's query string without ``names`` (a sort link adds its own)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@_answers_bad_period
def dashboard_xlsx(request, code):
    unit = _unit(request, code)
    d = presenters.dashboard(unit, _period(request, unit), _focus(request), _as_of_today(request),
                             spc=settings.LAGESBILD_DASHBOARD_SPC)
    audit.record(request, "dashboard.export", unit, period=d.period.key)
    return _xlsx_response(exports.dashboard_workbook(d), f"lagesbild-{unit.code}-{d.period.key}.xlsx")


def _xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@_answers_bad_period
def measure_detail(request, code, measure):
    unit = _unit(request, code)
    period = _period(request, unit)
    m = presenters.measure_version(measure, period)
    if m is None:
        raise Http404("Okänt mått.")
    gran = request.GET.get("granularitet") or None
    if gran is not None and gran not in periods.GRANULARITIES:
        raise Http404("Okänd granularitet.")
    page = presenters.measure_page(unit, m, period, gran, _as_of_today(request))
    if request.GET.get("format") == "xlsx":
        audit.record(request, "measure.export", unit, measure=m.code, period=period.key)
        return _xlsx_response(exports.measure_workbook(page), f"lagesbild-{unit.code}-{m.code}.xlsx")
    audit.record(request, "measure.view", unit, measure=m.code, period=period.key)
    context = {
        "page": page, "unit": unit, "m": m, "period": period, "status": page.status, "value": page.value,
        "target": page.target, "series": page.series, "ranked": page.ranked, "chart": page.chart,
        "behind": page.behind, "behind_count": page.behind_count, "granularity": page.granularity,
        "granularity_label": page.granularity_label, "sex": page.sex, "as_of_today": page.as_of_today,
        "series_granularities": [(g, periods.LABELS[g]) for g in periods.GRANULARITIES], "improvement": page.improvement,
        **_period_form(request, unit, period), **_spc_context(request, unit, page),
    }
    return render(request, "measurements/measure.html", context)


def _spc_context(request, unit: OrgUnit, page) -> dict:
    """Who may change the control chart's settings and rebases here, and which rebase each may delete."""
    if page.spc_rules is None:
        return {}
    user = request.user
    return {
        "may_set_spc": scope.has_role(user, permissions.CATALOGUE_ROLES),
        "may_rebase": scope.has_role(user, permissions.TARGET_ROLES, unit),
        "spc_rebases": [(r, scope.has_role(user, permissions.TARGET_ROLES, r.rebase.org_unit)) for r in page.spc_rebases],
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_data(request):
    if not services.may_import(request.user):
        raise PermissionDenied("Endast administratörer och strateger får importera mätdata.")
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "observations")
        if upload is None:
            problems = [InputError.one("(ingen fil)", "välj en fil att importera").problems[0]]
        else:
            actor = Actor.from_request(request)
            try:
                if kind == "targets":
                    result = services.import_targets(upload.read(), upload.name, actor=actor)
                else:
                    result = services.import_observations(upload.read(), upload.name, actor=actor,
                                                          reference=kind == "reference")
            except InputError as exc:
                problems = exc.problems
            else:
                messages.success(request, f"{upload.name}: {fmt.number(result.created)} nya, {fmt.number(result.updated)} "
                                          f"ändrade, {fmt.number(result.unchanged)} oförändrade rader.")
                target = reverse("measurements:import")
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
    template = "measurements/_import_form.html" if request.headers.get("HX-Request") else "measurements/import.html"
    return render(request, template, {"problems": problems}, status=422 if problems else 200)


# --- the control chart's settings and rebases (services.set_spc_settings, record_rebase, delete_rebase)


def _spc_back(request, unit: OrgUnit, measure: str) -> str:
    """Back to the measure page's control chart, in the period the form was sent from."""
    query = "?granularitet=month"
    try:
        query += f"&period={Period.parse(request.POST.get('period', '')).key}"
    except ValueError:
        pass
    return reverse("measurements:measure", args=[unit.code, measure]) + query + "#styrdiagram"


def _problems(request, exc: InputError, what: str) -> None:
    for p in exc.problems:
        messages.error(request, f"{what}: {p.message}" + (f" ({p.value})" if p.value else "") + ".")


@login_required
@require_POST
def spc_settings(request, code, measure):
    unit = _unit(request, code)
    fix, run = request.POST.get("fix_after", "").strip(), request.POST.get("run_length", "7").strip()
    if not (fix.isdigit() or not fix) or not run.isdigit():
        messages.error(request, "Inställningarna sparades inte: fixera efter och serielängd ska vara heltal.")
        return redirect(_spc_back(request, unit, measure))
    try:
        services.set_spc_settings(measure, actor=Actor.from_request(request), fix_after=int(fix) if fix else None,
                                  run_length=int(run))
    except InputError as exc:
        _problems(request, exc, "Inställningarna sparades inte")
    else:
        messages.success(request, "Styrdiagrammets inställningar är sparade; de gäller måttet på alla enheter.")
    return redirect(_spc_back(request, unit, measure))


@login_required
@require_POST
def rebase_add(request, code, measure):
    unit = _unit(request, code)
    text = request.POST.get("month", "").strip()
    try:
        month = Period.parse(text)
        if month.granularity != periods.MONTH:
            raise ValueError
    except ValueError:
        messages.error(request, f"Den nya baslinjen sparades inte: ange månaden som ÅÅÅÅ-MM ({text[:20]!r}).")
        return redirect(_spc_back(request, unit, measure))
    try:
        services.record_rebase(measure, unit, month.start, request.POST.get("reason", ""), actor=Actor.from_request(request))
    except InputError as exc:
        _problems(request, exc, "Den nya baslinjen sparades inte")
    else:
        messages.success(request, f"Ny baslinje från {month.label} sparad för {unit.name} och enheterna under.")
    return redirect(_spc_back(request, unit, measure))


@login_required
@require_POST
def rebase_delete(request, code, measure, pk):
    unit = _unit(request, code)
    rebase = get_object_or_404(Rebase.objects.select_related("org_unit"), pk=pk, measure_code=measure)
    permissions.require_visible(request.user, rebase.org_unit)
    services.delete_rebase(rebase, actor=Actor.from_request(request))
    messages.success(request, f"Den nya baslinjen från {rebase.month:%Y-%m} är borttagen.")
    return redirect(_spc_back(request, unit, measure))
