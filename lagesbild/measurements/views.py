"""Dashboards and measure pages. Thin: presenters assemble, templates and exports show."""

from __future__ import annotations

from functools import wraps
from typing import Optional

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lagesbild.calc import fmt, periods
from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import FocusArea
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.org import audit, scope
from lagesbild.org.models import OrgUnit

from . import exports, presenters, selectors, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(request, code: str) -> OrgUnit:
    unit = get_object_or_404(OrgUnit, code=code)
    if not scope.can_see(request.user, unit):
        raise PermissionDenied("Enheten ligger utanför din behörighet.")
    return unit


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
    text = request.GET.get("period", "")
    if text:
        try:
            return Period.parse(text)
        except ValueError as exc:
            raise _BadPeriod(str(exc)) from None
    return selectors.latest_period_with_data(unit, periods.YEAR) or Period.containing(timezone.localdate(), periods.YEAR)


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


def _dashboard_context(request, unit: OrgUnit) -> dict:
    d = presenters.dashboard(unit, _period(request, unit), _focus(request), _as_of_today(request))
    return {
        "d": d, "unit": unit, "period": d.period, "rows": d.rows, "reference_unit": d.reference_unit,
        "reference_label": d.reference_label, "reference_note": d.reference_note, "coverage": d.coverage,
        "focus": d.focus, "focus_areas": FocusArea.objects.all(), "as_of_today": d.as_of_today,
        "children": d.children, "summary": d.summary,
        "ancestors": [u for u in OrgUnit.objects.filter(path__in=selectors.ancestor_paths(unit)).order_by("depth")
                      if scope.can_see(request.user, u)],
        "granularities": [(g, periods.LABELS[g]) for g in periods.GRANULARITIES],
        "period_choices": [d.period.shift(-i) for i in range(0, 6)],
    }


@login_required
@_answers_bad_period
def dashboard(request, code):
    unit = _unit(request, code)
    context = _dashboard_context(request, unit)
    audit.record(request, "dashboard.view", unit, period=context["period"].key)
    template = "measurements/_dashboard_table.html" if request.headers.get("HX-Request") else "measurements/dashboard.html"
    return render(request, template, context)


@login_required
@_answers_bad_period
def dashboard_xlsx(request, code):
    unit = _unit(request, code)
    d = presenters.dashboard(unit, _period(request, unit), _focus(request), _as_of_today(request))
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
        "granularities": [(g, periods.LABELS[g]) for g in periods.GRANULARITIES], "improvement": page.improvement,
    }
    return render(request, "measurements/measure.html", context)


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
