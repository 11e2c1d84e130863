"""Incident pages: a year's statistics for a unit's subtree, every figure a link to its cases.

Any role that may see the unit sees the figures; the case list shows the descriptions (personal
data) and is written to the audit log (who saw which unit's cases, with which filter)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from lagesbild.calc import complaint_stats, fmt
from lagesbild.org import audit, scope
from lagesbild.org.models import OrgUnit

from . import exports, presenters, selectors

CASES_VIEW = "incidents.cases.view"
COMPLAINT_CASES_VIEW = "complaints.cases.view"
PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(request, code: str) -> OrgUnit:
    return scope.visible_unit(request.user, code)


def _year(request, unit: OrgUnit, years=None) -> tuple[int, list[int]]:
    years = selectors.years(unit) if years is None else years
    text = request.GET.get("ar", "")
    if text.isdigit() and 1900 < int(text) < 3000:
        return int(text), years
    return (years[0] if years else timezone.localdate().year), years


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _page(request, query):
    return Paginator(query, PAGE_SIZE).get_page(request.GET.get("sida"))


@login_required
@require_GET
def start(request):
    roots = scope.roots(request.user)
    if not roots:
        raise PermissionDenied("Du har ingen enhet att se.")
    return redirect("incidents:summary", roots[0].code)


@login_required
@require_GET
def summary(request, code: str):
    unit = _unit(request, code)
    year, years = _year(request, unit)
    as_of = timezone.localdate()
    figures = selectors.summary(unit, year, as_of)
    if request.GET.get("format") == "xlsx":
        sheets = exports.incident_sheets(unit, year, figures, selectors.by_child(unit, year))
        return _xlsx(exports.workbook(sheets), f"avvikelser-{unit.code}-{year}.xlsx")
    rate = selectors.care_day_rate(unit, year)
    complaints = selectors.complaint_summary(unit, year)
    cells = selectors.unit_months(unit, *presenters.chart_window(year))  # one read for the chart and the table
    context = {
        "unit": unit, "year": year, "years": years, "as_of": as_of, "f": figures,
        "change": presenters.change(figures["change_percent"]),
        "handled": presenters.pct(figures["closed_within_28_days"]["percent"]),
        "causes": [{**c, "shown": presenters.pct(c["percent"])} for c in figures["causes"]],
        "open": selectors.open_cases(unit, as_of),
        "lead_median": presenters.days(figures["lead_time_days"]["median"]),
        "rate": rate, "rate_text": fmt.number(rate.per_1000, 1) if rate else fmt.DASH,
        "children": [(c, presenters.change(c.change_percent)) for c in selectors.by_child(unit, year, cells=cells)],
        "chart": presenters.count_chart(unit, year, f"Avvikelser per månad, {unit.name}", cells=cells),
        "channels": {c["channel"]: c for c in complaints["channels"]},
    }
    return render(request, "incidents/summary.html", context)


@login_required
@require_GET
def cases(request, code: str):
    unit = _unit(request, code)
    year, _ = _year(request, unit)
    given = {k: request.GET.get(k, "")[:200] for k in selectors.FILTERS if request.GET.get(k)}
    found = selectors.cases(unit, year, timezone.localdate(), **given)
    page = _page(request, found)
    audit.record(request, CASES_VIEW, unit, year=year, cases=page.paginator.count, page=page.number, **given)
    return render(request, "incidents/cases.html", {"unit": unit, "year": year, "page": page, "given": given,
                                                    "query": _query(request)})


def _query(request) -> str:
    """The request's filters without the page number, for the pager's links."""
    params = request.GET.copy()
    params.pop("sida", None)
    return params.urlencode()


@login_required
@require_GET
def complaints(request, code: str):
    unit = _unit(request, code)
    year, years = _year(request, unit, selectors.complaint_years(unit))
    figures = selectors.complaint_summary(unit, year)
    if request.GET.get("format") == "xlsx":
        return _xlsx(exports.workbook(exports.complaint_sheets(unit, year, figures)), f"klagomal-{unit.code}-{year}.xlsx")
    channels = []
    for c in figures["channels"]:
        channels.append({
            **c, "change_text": presenters.change(c["change_percent"]),
            "categories": [{**k, "shown": presenters.pct(k["percent"])} for k in c["categories"]],
            "forwarded_text": presenters.pct(c["forwarded"]["percent"]),
            "action_text": presenters.pct(c["action_taken"]["percent"]),
            "sex_text": {k: presenters.pct(v["percent"]) for k, v in c["sex"].items()},
        })
    shown = request.GET.get("kanal", "")
    if shown not in complaint_stats.CHANNELS:
        shown = next((c["channel"] for c in channels), "")
    cells = selectors.unit_months(unit, *presenters.chart_window(year), shown) if shown else {}
    context = {
        "unit": unit, "year": year, "years": years, "channels": channels, "shown": shown,
        "shown_label": complaint_stats.CHANNELS.get(shown, ""),
        "children": [(c, presenters.change(c.change_percent)) for c in selectors.by_child(unit, year, shown, cells)],
        "chart": presenters.count_chart(unit, year, f"{complaint_stats.CHANNELS[shown]} per månad, {unit.name}",
                                        channel=shown, cells=cells) if shown else None,
    }
    return render(request, "incidents/complaints.html", context)


@login_required
@require_GET
def complaint_cases(request, code: str):
    unit = _unit(request, code)
    year, _ = _year(request, unit, selectors.complaint_years(unit))
    given = {k: request.GET.get(k, "")[:200] for k in selectors.COMPLAINT_FILTERS if request.GET.get(k)}
    if given.get("kanal") and given["kanal"] not in complaint_stats.CHANNELS:
        raise Http404("Okänd kanal.")
    page = _page(request, selectors.complaint_cases(unit, year, **given))
    audit.record(request, COMPLAINT_CASES_VIEW, unit, year=year, cases=page.paginator.count, page=page.number, **given)
    return render(request, "incidents/complaint_cases.html", {
        "unit": unit, "year": year, "page": page, "given": given, "query": _query(request),
        "channel_names": complaint_stats.CHANNELS})
