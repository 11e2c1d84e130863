"""The patterns page: recurring patterns in a unit's incident descriptions (docs/clusters.md).

Any role that may see the unit sees the patterns; the examples and the case list are free text
(personal data), so every view of them is audited like the cases page. Only an administrator or a
strategist sees and may press "Räkna om mönstren" (``clusters.refit``, audited by the service).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from lagesbild.calc import fmt
from lagesbild.calc import text_clusters as tc
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.org import audit, permissions, scope
from lagesbild.reports.sparkline import sparkline

from . import clusters, selectors
from .topic_models import TopicAssignment

CLUSTERS_VIEW = "incidents.topics.view"
CLUSTER_CASES_VIEW = "incidents.topics.cases.view"
PAGE_SIZE = 100
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _year(request, unit) -> tuple[int, list[int]]:
    years = selectors.years(unit)
    text = request.GET.get("ar", "")
    if text.isdigit() and 1900 < int(text) < 3000:
        return int(text), years
    return (years[0] if years else timezone.localdate().year), years


def _may_refit(user) -> bool:
    return scope.has_role(user, clusters.REFIT_ROLES)


@login_required
@require_GET
def page(request, code: str):
    unit = scope.visible_unit(request.user, code)
    year, years = _year(request, unit)
    found = clusters.clusters_for(unit, date(year, 1, 1), date(year, 12, 31))
    shown = []
    for c in found.clusters:
        name = f"{c.number}. {c.label}" if c.number else c.label.capitalize()
        shown.append({
            "c": c, "name": name,
            "share": fmt.percent(Decimal(c.size) * 100 / found.total, 1) if found.total else fmt.DASH,
            "spark": sparkline([Decimal(n) for n in c.months], f"{name}: antal per månad {year}"),
            "months": list(zip((MONTHS[m.month - 1] for m in found.months), c.months)),
        })
    audit.record(request, CLUSTERS_VIEW, unit, year=year, model=found.model.pk if found.model else None,
                 examples=sum(len(c.examples) for c in found.clusters))
    return render(request, "incidents/clusters.html", {
        "unit": unit, "year": year, "years": years, "found": found, "clusters": shown,
        "may_refit": _may_refit(request.user), "default_k": tc.DEFAULT_K,
        "min_k": clusters.MIN_K, "max_k": clusters.MAX_K,
    })


@login_required
@require_GET
def cases(request, code: str):
    """The cases of one pattern (``monster`` = its number, ``0`` = övrigt) in the subtree and year."""
    unit = scope.visible_unit(request.user, code)
    year, _ = _year(request, unit)
    number = request.GET.get("monster", "")
    if not number.isdigit():
        raise Http404("Ange ett mönster.")
    row = clusters.TopicModel.current()
    if row is None:
        raise Http404("Inga mönster är beräknade.")
    query = TopicAssignment.objects.filter(
        model=row, incident__unit__path__startswith=unit.path, incident__reported__year=year)
    if int(number) == 0:
        query, label = query.filter(topic__isnull=True), tc.OTHER_LABEL.capitalize()
    else:
        topic = row.topics.filter(number=int(number)).first()
        if topic is None:
            raise Http404("Mönstret finns inte.")
        query, label = query.filter(topic=topic), f"{topic.number}. {topic.label}"
    query = query.select_related("incident__unit", "incident__source").order_by("-incident__reported", "-incident__pk")
    found = Paginator(query, PAGE_SIZE).get_page(request.GET.get("sida"))
    audit.record(request, CLUSTER_CASES_VIEW, unit, year=year, topic=int(number), model=row.pk,
                 cases=found.paginator.count, page=found.number)
    params = request.GET.copy()
    params.pop("sida", None)
    return render(request, "incidents/cluster_cases.html", {
        "unit": unit, "year": year, "label": label, "page": found, "query": params.urlencode()})


@login_required
@require_POST
def refit(request, code: str):
    unit = scope.visible_unit(request.user, code)
    year = request.POST.get("ar", "")
    permissions.require_role(request.user, clusters.REFIT_ROLES)
    text = request.POST.get("k", "") or str(tc.DEFAULT_K)
    target = reverse("incidents:clusters", args=[unit.code]) + (f"?ar={year}" if year.isdigit() else "")
    try:
        k = int(text)
    except ValueError:
        messages.error(request, "Antalet mönster ska vara ett heltal.")
        return redirect(target)
    try:
        row = clusters.refit(actor=Actor.from_request(request), k=k)
    except InputError as exc:
        messages.error(request, "; ".join(p.message for p in exc.problems) or "Mönstren kunde inte räknas om.")
        return redirect(target)
    messages.success(request, f"Mönstren är omräknade: {row.k} mönster ur {fmt.number(row.texts)} beskrivningar.")
    return redirect(target)
