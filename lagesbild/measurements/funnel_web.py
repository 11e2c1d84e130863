"""The funnel page of a share measure at a unit: thin, the presenter is ``funnel_view``. The period
is read as on the other measurement pages (``views._period``: ?period= and ?periodtyp=, by default
the latest year with data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from lagesbild.org import audit
from lagesbild.org.models import OrgUnit

from . import funnel_view, presenters
from .views import _answers_bad_period, _as_of_today, _period, _period_form, _unit


def share_measure(code: str, period):
    """The version of a share measure valid in ``period``; Http404 for an unknown measure or one
    that is not a share (a funnel of proportions needs a numerator within its denominator)."""
    m = presenters.measure_version(code, period)
    if m is None:
        raise Http404("Okänt mått.")
    if not m.is_share:
        raise Http404("Trattdiagram finns bara för mått som är andelar.")
    return m


@login_required
@_answers_bad_period
def funnel(request, code, measure):
    unit = _unit(request, code)
    period = _period(request, unit)
    m = share_measure(measure, period)
    compare = request.GET.get("jamfor") or funnel_view.DEFAULT_COMPARE
    if compare not in funnel_view.COMPARE:
        raise Http404("Okänd jämförelse.")
    page = funnel_view.funnel_page(unit, m, period, _as_of_today(request), compare)
    audit.record(request, "measure.funnel", unit, measure=m.code, period=period.key)
    return render(request, "measurements/funnel.html", {
        "page": page, "unit": unit, "m": m, "period": period, "as_of_today": page.as_of_today,
        "is_nation": unit.kind == OrgUnit.Kind.NATION, "compare_choices": list(funnel_view.COMPARE),
        **_period_form(request, unit, period),
    })
