"""Dashboards and measure pages. Thin: selectors compute, templates show."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lagesbild.calc import fmt, periods
from lagesbild.calc import status as st
from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import FocusArea, Measure
from lagesbild.ingest.errors import InputError
from lagesbild.org import audit, scope
from lagesbild.org.models import OrgUnit
from lagesbild.reports import charts, tables
from lagesbild.reports.sparkline import sparkline

from lagesbild.improvement.selectors import summaries_for, summary_for

from . import selectors, services
from .presenters import format_value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(request, code: str) -> OrgUnit:
    unit = get_object_or_404(OrgUnit, code=code)
    if not scope.can_see(request.user, unit):
        raise PermissionDenied("Enheten ligger utanför din behörighet.")
    return unit


def _period(request, unit: OrgUnit) -> Period:
    text = request.GET.get("period", "")
    if text:
        try:
            return Period.parse(text)
        except ValueError as exc:
            raise Http404(str(exc)) from None
    return selectors.latest_period_with_data(unit, periods.YEAR) or Period.containing(date.today(), periods.YEAR)


def _as_of_today(request) -> bool:
    return request.GET.get("organisation") == "idag"


@login_required
def home(request):
    roots = scope.roots(request.user)
    if not roots:
        raise PermissionDenied("Du har ingen behörighet till någon del av organisationen.")
    return redirect("measurements:dashboard", code=roots[0].code)


def _target_text(t) -> str:
    if t is None:
        return fmt.DASH
    text = f"{t.comparator.replace('>=', '≥').replace('<=', '≤')} {fmt.number(t.value, t.measure.decimals)}"
    return text


def _rows(statuses):
    rows = []
    for s in statuses:
        m = s.measure
        rows.append({
            "s": s,
            "value": format_value(m, s.value),
            "target": _target_text(s.target),
            "previous": format_value(m, s.previous),
            "last_year": format_value(m, s.last_year),
            "spark": sparkline([v for _, v in s.series], f"{m.title}, senaste 13 månaderna"),
            "status_class": s.status or "utan_mal",
        })
    return rows


def _dashboard_context(request, unit: OrgUnit):
    period = _period(request, unit)
    focus = request.GET.get("fokus")
    focus_number = int(focus) if focus and focus.isdigit() else None
    measures = selectors.current_measures(focus_number)
    as_of_today = _as_of_today(request)
    statuses = selectors.measure_statuses(unit, measures, period, as_of_today)
    ref = selectors.reference_unit(unit)
    ref_values = selectors.reference_values(measures, ref, period) if ref else {}
    rows = _rows(statuses)
    cycles = summaries_for(measures, unit, period)
    for r in rows:
        r["reference"] = format_value(r["s"].measure, ref_values.get(r["s"].measure.id))
        r["cycle"] = cycles.get(r["s"].measure.id)
    children = list(unit.children.order_by("name")) if not as_of_today else list(
        unit.children.filter(valid_to__isnull=True).order_by("name"))
    counts = selectors.children_status_counts(unit, measures, period, as_of_today)
    return {
        "unit": unit, "period": period, "rows": rows, "reference_unit": ref, "focus": focus_number,
        "focus_areas": FocusArea.objects.all(), "as_of_today": as_of_today,
        "children": [(c, counts.get(c.path, {})) for c in children],
        "ancestors": [u for u in OrgUnit.objects.filter(path__in=selectors.ancestor_paths(unit)).order_by("depth")
                      if scope.can_see(request.user, u)],
        "summary": {k: sum(1 for s in statuses if s.status == k) for k in (st.ACHIEVED, st.NEAR, st.NOT_ACHIEVED, st.NO_DATA)},
        "granularities": [(g, periods.LABELS[g]) for g in periods.GRANULARITIES],
        "period_choices": [period.shift(-i) for i in range(0, 6)],
    }


@login_required
def dashboard(request, code):
    unit = _unit(request, code)
    context = _dashboard_context(request, unit)
    audit.record(request, "dashboard.view", unit, period=context["period"].key)
    template = "measurements/_dashboard_table.html" if request.headers.get("HX-Request") else "measurements/dashboard.html"
    return render(request, template, context)


@login_required
def dashboard_xlsx(request, code):
    unit = _unit(request, code)
    c = _dashboard_context(request, unit)
    cols = [tables.Column("Mått", width=50), tables.Column("Fokusområde", "int", 12), tables.Column("Enhet", width=12),
            tables.Column("Täljare", "int"), tables.Column("Nämnare", "int"), tables.Column("Värde", "decimal"),
            tables.Column("Mål", width=10), tables.Column("Status"), tables.Column("Föregående period", "decimal"),
            tables.Column("Samma period i fjol", "decimal"), tables.Column(f"Jämförelse ({c['reference_unit'] or '–'})", "decimal")]
    rows = []
    for r in c["rows"]:
        s = r["s"]
        m = s.measure
        rows.append([m.title, m.focus_area.number if m.focus_area else None, m.get_unit_display(), s.sums.numerator if s.sums.rows else None,
                     s.sums.denominator, s.value, r["target"], s.status_label, s.previous, s.last_year, None])
    sheet = tables.Sheet("Lägesbild", f"{unit.name} – {c['period'].label}", cols, rows,
                         notes=["Värde = AVRUNDA(täljare / nämnare × multiplikator; decimaler), summerat över enheterna under."])
    data = _workbook_with_row_formulas(sheet, c["rows"])
    audit.record(request, "dashboard.export", unit, period=c["period"].key)
    return _xlsx_response(data, f"lagesbild-{unit.code}-{c['period'].key}.xlsx")


def _workbook_with_row_formulas(sheet, rows):
    """Rates get a live formula per row (each row has its own multiplier and decimals)."""
    from lagesbild.calc.ratio import MULTIPLIERS

    sheet.row_formulas = [
        (5, 3, 4, MULTIPLIERS[r["s"].measure.unit], r["s"].measure.decimals)
        if r["s"].measure.unit in MULTIPLIERS and r["s"].sums.denominator else None
        for r in rows
    ]
    return tables.write_workbook([sheet])


def _xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def measure_detail(request, code, measure):
    unit = _unit(request, code)
    m = get_object_or_404(Measure.objects.select_related("focus_area").order_by("-version"), code=measure,
                          version=Measure.objects.filter(code=measure).order_by("-version").values("version")[:1])
    period = _period(request, unit)
    as_of_today = _as_of_today(request)
    gran = request.GET.get("granularitet") or (periods.MONTH if m.frequency == "month" else period.granularity)
    if gran not in periods.GRANULARITIES:
        raise Http404("Okänd granularitet.")
    (status,) = selectors.measure_statuses(unit, [m], period, as_of_today)
    last = Period.containing(period.end, gran).previous
    first = last.shift(-(35 if gran == periods.MONTH else 11 if gran == periods.QUARTER else 8 if gran == periods.TERTIAL else 4))
    series_sums = selectors.sums_by_period(unit, [m], first, last, as_of_today)[m.id]
    series = [(p, series_sums[p]) for p in periods.periods_between(first, last)]
    ranked = []
    names = {u.path: u for u in OrgUnit.objects.filter(parent=unit)}
    for child_path, sums in selectors.child_values(unit, m, period, as_of_today):
        ranked.append((names.get(child_path), child_path, sums.value(m), sums))
    ranked.sort(key=lambda x: (x[2] is None, -(x[2] or 0) if m.direction == "higher" else (x[2] or 0)))
    behind = selectors.observations_behind(m, unit, period, as_of_today)
    behind_count = behind.count()
    chart_rows = [{"period": p.label, "order": i, "value": float(v) if (v := s.value(m)) is not None else None}
                  for i, (p, s) in enumerate(series)]
    chart = charts.svg(charts.time_series_spec(chart_rows, m.title, float(status.target.value) if status.target else None,
                                               "Andel (%)" if m.unit == "percent" else m.get_unit_display()))
    audit.record(request, "measure.view", unit, measure=m.code, period=period.key)
    context = {
        "unit": unit, "m": m, "period": period, "status": status, "value": format_value(m, status.value),
        "target": _target_text(status.target), "series": [(p, s, format_value(m, s.value(m))) for p, s in series],
        "ranked": [(u, path, format_value(m, v), s) for u, path, v, s in ranked], "chart": chart,
        "behind": behind[:500], "behind_count": behind_count, "granularity": gran,
        "granularity_label": periods.LABELS[gran],
        "sex": {k: format_value(m, v) for k, v in selectors.sex_split(m, unit, period, as_of_today).items()},
        "as_of_today": as_of_today, "granularities": [(g, periods.LABELS[g]) for g in periods.GRANULARITIES],
        "improvement": summary_for(m, unit, period),
    }
    if request.GET.get("format") == "xlsx":
        return _measure_xlsx(request, context)
    return render(request, "measurements/measure.html", context)


def _measure_xlsx(request, c):
    from lagesbild.calc.ratio import MULTIPLIERS

    m = c["m"]
    mult = MULTIPLIERS.get(m.unit)
    cols = [tables.Column("Period", width=12), tables.Column("Täljare", "int"), tables.Column("Nämnare", "int"),
            tables.Column("Värde", "decimal")]
    rows = [[p.label, s.numerator if s.rows else None, s.denominator, s.value(m)] for p, s, _ in c["series"]]
    series = tables.Sheet("Tidsserie", f"{m.title} – {c['unit'].name}", cols, rows)
    series.row_formulas = [(3, 1, 2, mult, m.decimals) if mult and s.denominator else None for _, s, _ in c["series"]]
    obs_cols = [tables.Column("Enhet", width=30), tables.Column("Enhetskod"), tables.Column("Period", "date"),
                tables.Column("Kön", width=6), tables.Column("Åldersgrupp"), tables.Column("Täljare", "int"),
                tables.Column("Nämnare", "int"), tables.Column("Import", width=30)]
    obs = tables.Sheet("Observationer", f"Observationer bakom {c['period'].label}", obs_cols,
                       [[o.org_unit.name, o.org_unit.code, o.period_start, o.sex, o.age_band, o.numerator, o.denominator,
                         o.source_import.file_name if o.source_import else ""] for o in c["behind"]])
    audit.record(request, "measure.export", c["unit"], measure=m.code, period=c["period"].key)
    return _xlsx_response(tables.write_workbook([series, obs]), f"lagesbild-{c['unit'].code}-{m.code}.xlsx")


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
            try:
                if kind == "targets":
                    result = services.import_targets(upload.read(), upload.name, request.user)
                else:
                    result = services.import_observations(upload.read(), upload.name, request.user,
                                                          reference=kind == "reference")
            except InputError as exc:
                problems = exc.problems
                audit.record(request, "measurements.import.refused", object_type="Import", kind=kind, problems=len(problems))
            else:
                audit.record(request, "measurements.import", result.record, kind=kind, created=result.created,
                             updated=result.updated, unchanged=result.unchanged)
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
