"""The sources' pages: every export layout with its mapping (YAML, editable by an administrator or
a strategist, validated before it is saved) and the import of an export through it (by those who
may import data), the refused import's problems located by file, row and column."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from lagesbild.calc import fmt
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.measurements import services as measurements
from lagesbild.org import scope

from . import services
from .models import Source

EXAMPLE = """\
source: Avvikelsesystemet
columns:
  case: Ärendenr
  reported: Registreringsdatum
  unit: Enhet (HSA-id)
  type: Händelsetyp
  closed: Avslutsdatum
  cause: Orsak
  lex_maria: Lex Maria
  description: Beskrivning
"""


def _may_edit(user) -> bool:
    return scope.has_role(user, services.MAPPING_ROLES)


def _source(request, pk: int, roles) -> Source:
    """A source the user may use with ``roles``: another part of the organisation's is a 404."""
    source = get_object_or_404(services.visible_sources(request.user), pk=pk)
    if not services.may_manage(request.user, source, roles):
        raise PermissionDenied("Din roll får inte använda den här källan.")
    return source


@login_required
def sources(request):
    if not measurements.may_import(request.user) and not _may_edit(request.user):
        raise PermissionDenied("Endast administratörer och strateger hanterar avvikelsekällor.")
    listed = services.visible_sources(request.user).select_related("org_unit").annotate(
        incident_count=Count("incidents", distinct=True), complaint_count=Count("complaints", distinct=True),
    ).order_by("kind", "name")
    return render(request, "incidents/sources.html", {"sources": listed, "may_edit": _may_edit(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def edit_source(request, pk: int | None = None):
    if not _may_edit(request.user):
        raise PermissionDenied("Endast administratörer och strateger får ändra mappningar.")
    source = _source(request, pk, services.MAPPING_ROLES) if pk is not None else None
    text = source.mapping if source else EXAMPLE
    problems = []
    if request.method == "POST":
        text = request.POST.get("mapping", "")
        name = (request.POST.get("name") or (source.name if source else "")).strip()[:120]
        try:
            saved = services.save_source(name or "källa", text, actor=Actor.from_request(request))
        except InputError as exc:
            problems = exc.problems
        else:
            messages.success(request, f"Mappningen för {saved.name} är sparad.")
            return redirect("incidents:sources")
    return render(request, "incidents/source_edit.html", {"source": source, "mapping": text, "problems": problems},
                  status=422 if problems else 200)


@login_required
@require_http_methods(["GET", "POST"])
def import_source(request, pk: int):
    if not measurements.may_import(request.user):
        raise PermissionDenied("Endast administratörer och strateger får importera.")
    source = _source(request, pk, measurements.DATA_ROLES)
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [InputError.one("(ingen fil)", "välj en fil att importera").problems[0]]
        else:
            try:
                result = services.import_export(upload.read(), upload.name, source=source,
                                                actor=Actor.from_request(request))
            except InputError as exc:
                problems = exc.problems
            else:
                messages.success(request, f"{upload.name}: {fmt.number(result.created)} nya, "
                                          f"{fmt.number(result.updated)} ändrade, {fmt.number(result.unchanged)} "
                                          "oförändrade ärenden.")
                return redirect("incidents:sources")
    return render(request, "incidents/source_import.html", {"source": source, "problems": problems},
                  status=422 if problems else 200)
