"""Incident pages: a year's statistics for a unit's subtree, every figure a link to its cases.

Any role that may see the unit sees the figures; the case list shows the descriptions (personal
data) and is written to the audit log (who saw which unit's cases, with which filter)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from lagesbild.calc import fmt
from lagesbild.org import audit, scope
from lagesbild.org.models import OrgUnit

from . import selectors

CASES_VIEW = "incidents.cases.view"


def _unit(request, code: str) -> OrgUnit:
    return scope.visible_unit(request.user, code)


def _year(request, unit: OrgUnit) -> tuple[int, list[int]]:
    years = selectors.years(unit)
    text = request.GET.get("ar", "")
    if text.isdigit() and 1900 < int(text) < 3000:
        return int(text), years
    return (years[0] if years else timezone.localdate().year), years


def _pct(text: str | None) -> str:
    return fmt.percent(Decimal(text)) if text is not None else fmt.DASH


def _days(value) -> str:
    """26 -> '26 dagar', 26.5 -> '26,5 dagar'; None -> '–'."""
    if value is None:
        return fmt.DASH
    return f"{fmt.number(Decimal(str(value)), 0 if value == int(value) else 1)} dagar"


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
    change = figures["change_percent"]
    context = {
        "unit": unit, "year": year, "years": years, "as_of": as_of, "f": figures,
        "change": (fmt.number(Decimal(change), 2) + "\u00a0%") if change is not None else fmt.DASH,
        "handled": _pct(figures["closed_within_28_days"]["percent"]),
        "causes": [{**c, "shown": _pct(c["percent"])} for c in figures["causes"]],
        "open": selectors.open_cases(unit, as_of),
        "lead_median": _days(figures["lead_time_days"]["median"]),
    }
    return render(request, "incidents/summary.html", context)


@login_required
@require_GET
def cases(request, code: str):
    unit = _unit(request, code)
    year, _ = _year(request, unit)
    given = {k: request.GET.get(k, "")[:200] for k in selectors.FILTERS if request.GET.get(k)}
    found = selectors.cases(unit, year, timezone.localdate(), **given)
    audit.record(request, CASES_VIEW, unit, year=year, cases=len(found), **given)
    return render(request, "incidents/cases.html", {"unit": unit, "year": year, "cases": found, "given": given})
