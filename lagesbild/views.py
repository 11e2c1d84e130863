"""The application shell: the personal start page and the glossary.

The start page answers "what needs me?" for the signed-in user, within their scope: the measures
of their units that are off target, their overdue actions, their refused imports that still wait
for a corrected file, and what changed since their previous visit. The page itself is the frame;
each of those four sections is its own request (``start_section``), loaded as the page opens.
This module is the top layer and reads the apps' selectors and presenters; it changes nothing
but the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from lagesbild.calc import status as st
from lagesbild.catalogue import services as catalogue_services
from lagesbild.catalogue.models import ActionPlan
from lagesbild.improvement import selectors as improvement
from lagesbild.improvement.models import Action, Analysis
from lagesbild.ingest.models import Import
from lagesbild.measurements import presenters, selectors as measured
from lagesbild.measurements import services as measurement_services
from lagesbild.org import audit, scope
from lagesbild.org import services as org_services
from lagesbild.org.models import AuditEvent, Membership
from lagesbild.surveys import services as survey_services

START_VIEW = "start.view"
OFF_TARGET = (st.NOT_ACHIEVED, st.NEAR)
MAX_UNITS = 5  # units with the most memberships are few; a superuser sees the tops only
MAX_ROWS = 20  # per list; each list links to its full page

# Where a refused import is done again, by kind.
IMPORT_PAGES = {
    measurement_services.KIND_OBSERVATIONS: "measurements:import",
    measurement_services.KIND_TARGETS: "measurements:import",
    measurement_services.KIND_REFERENCE: "measurements:import",
    org_services.KIND_IMPORT: "org:import",
    catalogue_services.KIND: "catalogue:import",
    survey_services.KIND_SPEC: "surveys:list",
    survey_services.KIND_RESPONSES: "surveys:list",
}
IMPORT_KIND_LABELS = {
    measurement_services.KIND_OBSERVATIONS: "Mätvärden",
    measurement_services.KIND_TARGETS: "Målvärden",
    measurement_services.KIND_REFERENCE: "Jämförelsevärden (riket)",
    org_services.KIND_IMPORT: "Enheter",
    catalogue_services.KIND: "Måttkatalog",
    survey_services.KIND_SPEC: "Enkätspecifikation",
    survey_services.KIND_RESPONSES: "Enkätsvar",
}


@dataclass
class OffTarget:
    status: object  # measurements.selectors.MeasureStatus
    value: str
    target: str
    url: str

    @property
    def badge_class(self) -> str:
        """The agreed badge class: status-ej-uppnatt, status-nara."""
        return "status-" + self.status.status.replace("_", "-")


@dataclass
class UnitOffTarget:
    unit: object
    period: object
    rows: list[OffTarget]


@dataclass
class Change:
    at: datetime
    what: str
    text: str
    url: str


def off_target(user) -> list[UnitOffTarget]:
    """The measures off target (Ej uppnått first, then Nära) at each of the user's units, in the
    latest year with data at that unit (the dashboard's default period). Only a measure with a
    target can be off it, so the targets are read first and only their measures are summed."""
    out = []
    for unit in scope.roots(user)[:MAX_UNITS]:
        period = measured.latest_period_with_data(unit)
        if period is None:
            continue
        measures = measured.measures_for(period)
        targets = measured.effective_targets(unit, measures, period.start)
        with_target = [m for m in measures if m.id in targets]
        rows = [
            OffTarget(s, presenters.format_with_unit(s.measure, s.value), presenters.target_figure(s.target).text,
                      reverse("measurements:measure", args=[unit.code, s.measure.code]) + f"?period={period.key}")
            # the period's statuses only: no sparkline, previous period or last year to sum
            for s in measured.period_statuses(unit, with_target, period, targets=list(targets.values()))
            if s.status in OFF_TARGET
        ] if with_target else []
        rows.sort(key=lambda r: r.status.status != st.NOT_ACHIEVED)  # stable: catalogue order within
        out.append(UnitOffTarget(unit, period, rows))
    return out


def waiting_imports(user) -> list[Import]:
    """Imports waiting for the user: their latest refused import of each kind that no import of
    the same kind by them has followed with outcome "Importerad" or "Oförändrad" (a corrected
    file that went through, or the same data already in place)."""
    went_through = Import.objects.filter(
        kind=OuterRef("kind"), uploaded_by=user, uploaded_at__gt=OuterRef("uploaded_at"),
        outcome__in=[Import.Outcome.OK, Import.Outcome.UNCHANGED],
    )
    refused = Import.objects.filter(uploaded_by=user, outcome=Import.Outcome.FAILED).exclude(Exists(went_through))
    latest = {}
    for imp in refused.order_by("-uploaded_at", "-id")[:100]:
        latest.setdefault(imp.kind, imp)
    for imp in latest.values():
        imp.kind_label = IMPORT_KIND_LABELS.get(imp.kind, imp.kind)
        imp.retry_url = reverse(IMPORT_PAGES[imp.kind]) if imp.kind in IMPORT_PAGES else ""
    return list(latest.values())


def previous_visit(user) -> Optional[datetime]:
    """When the user last opened the start page (their previous "start.view" audit event)."""
    return AuditEvent.objects.filter(user=user, action=START_VIEW).order_by("-at").values_list("at", flat=True).first()


def _visible_imports(user, since: datetime):
    """Imports that went through since ``since`` and concern the user: all for a national user;
    otherwise the measure catalogue (everyone reads it) and imports by people who hold a role
    within the user's part of the organisation."""
    qs = Import.objects.filter(uploaded_at__gt=since, outcome=Import.Outcome.OK)
    if not scope.is_national(user):
        colleagues = Membership.objects.filter(scope.unit_q(user, "org_unit"), user=OuterRef("uploaded_by"))
        qs = qs.filter(Q(kind=catalogue_services.KIND) | Q(Exists(colleagues)))
    return qs.select_related("uploaded_by")[:MAX_ROWS]


def _anything_since(since: datetime) -> bool:
    """Whether any analysis, action or import at all was written since ``since``: three unscoped
    checks that spare the scoped queries on the usual visit, when nothing has."""
    return (Analysis.objects.filter(updated_at__gt=since).exists() or Action.objects.filter(updated_at__gt=since).exists()
            or Import.objects.filter(uploaded_at__gt=since, outcome=Import.Outcome.OK).exists())


def changes_since(user, since: Optional[datetime]) -> list[Change]:
    """Analyses and actions in the user's scope written since ``since``, and the imports that
    concern them (``_visible_imports``), newest first."""
    if since is None or not _anything_since(since):
        return []
    out = []
    for a in improvement.analyses_for(user).filter(updated_at__gt=since).order_by("-updated_at")[:MAX_ROWS]:
        out.append(Change(a.updated_at, "Analys", f"{a.measure.title} – {a.org_unit.name}, {a.period.label}",
                          improvement.cycle_url(a.measure, a.org_unit, a.period)))
    for act in improvement.actions_for(user).filter(updated_at__gt=since).order_by("-updated_at")[:MAX_ROWS]:
        an = act.analysis
        out.append(Change(act.updated_at, "Åtgärd", f"{act.title} ({act.get_status_display().lower()}) – {an.org_unit.name}",
                          improvement.cycle_url(an.measure, an.org_unit, an.period) + f"#atgard-{act.pk}"))
    for imp in _visible_imports(user, since):
        kind = IMPORT_KIND_LABELS.get(imp.kind, imp.kind)
        out.append(Change(imp.uploaded_at, "Import", f"{kind}: {imp.file_name} ({imp.rows} rader)",
                          reverse(IMPORT_PAGES[imp.kind]) if imp.kind in IMPORT_PAGES else ""))
    out.sort(key=lambda c: c.at, reverse=True)
    return out[:MAX_ROWS]


# The start page's sections, each loaded by its own request after the page (htmx, hx-trigger
# "load"), so the page answers at once and a slow or failing section holds up no other. Without
# a script each is a link to the same address, which then answers as a page of its own.
SECTIONS = {
    "utanfor-malet": "Mått som inte når målet",
    "forsenade": "Försenade åtgärder",
    "importer": "Importer som väntar på dig",
    "andringar": "Ändrat sedan ditt förra besök",
}


@login_required
def start(request):
    since = previous_visit(request.user)
    audit.record(request, START_VIEW)
    urls = {key: reverse("start_section", args=[key]) for key in SECTIONS}
    # the changes section is told the previous visit, read before this one was recorded
    urls["andringar"] += "?" + urlencode({"sedan": since.isoformat() if since else ""})
    context = {
        "units": scope.roots(request.user)[:MAX_UNITS],
        "sections": [(key, title, urls[key]) for key, title in SECTIONS.items()],
    }
    return render(request, "start.html", context)


def _since_asked(request) -> Optional[datetime]:
    """The previous visit the start page passed (?sedan=, empty for a first visit); when the section
    is opened on its own, the user's latest visit to the start page."""
    text = request.GET.get("sedan")
    if text == "":
        return None
    try:
        asked = parse_datetime(text) if text else None
    except ValueError:
        asked = None
    return asked or previous_visit(request.user)


@login_required
def start_section(request, section: str):
    if section not in SECTIONS:
        raise Http404
    user = request.user
    context = {"section": section, "title": SECTIONS[section]}
    if section == "utanfor-malet":
        context["off_target"] = off_target(user)
    elif section == "forsenade":
        overdue = list(improvement.overdue_actions(user)[: MAX_ROWS + 1])
        context.update(overdue=overdue[:MAX_ROWS], overdue_more=len(overdue) > MAX_ROWS)
    elif section == "importer":
        context["waiting"] = waiting_imports(user)
    else:
        since = _since_asked(request)
        context.update(since=since, changes=changes_since(user, since))
    fragment = f"start/{section}.html"
    if request.headers.get("HX-Request"):
        return render(request, fragment, context)
    return render(request, "start/section_page.html", {**context, "fragment": fragment})


@login_required
def glossary(request):
    plan = ActionPlan.objects.prefetch_related("foundations", "focus_areas").first()
    return render(request, "glossary.html", {"plan": plan})
