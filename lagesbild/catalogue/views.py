"""The measure handbook: the catalogue by focus area, one page per measure, downloads, import.

Views are thin: queries in selectors.py, changes in services.py. The catalogue is national
reference data without an org unit, so every signed-in user may read it; importing needs a
catalogue role (org.permissions.CATALOGUE_ROLES).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from lagesbild.calc import fmt
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.org import audit, scope
from lagesbild.org.permissions import CATALOGUE_ROLES

from . import io, selectors, services
from .forms import FilterForm, ImportForm
from .models import Measure

DIRECTION_TEXT = {"higher": "Högre värde är bättre", "lower": "Lägre värde är bättre"}
TYPE_TEXT = {
    "struktur": "Strukturmått – förutsättningarna för vården: resurser, rutiner och organisation.",
    "process": "Processmått – hur vården utförs.",
    "resultat": "Resultatmått – vårdens utfall för patienter, medarbetare eller verksamhet.",
}
FREQUENCY_TEXT = {
    "month": "Varje månad", "quarter": "Varje kvartal", "tertial": "Varje tertial", "year": "Varje år",
    "biennial": "Vartannat år", "continuous": "Löpande",
}


def may_import(user) -> bool:
    return scope.has_role(user, CATALOGUE_ROLES)


def _calculation(m: Measure) -> str:
    """How the value is computed from the counts, in words."""
    info = m.unit_info
    if not info.has_denominator:
        formula = "summan av täljarna (ingen nämnare)"
    elif info.factor != 1:
        formula = f"summan av täljarna delad med summan av nämnarna × {info.factor_text}"
    else:
        formula = "summan av täljarna delad med summan av nämnarna (ett medelvärde)"
    places = "utan decimaler" if m.decimals == 0 else f"med {m.decimals} decimal{'er' if m.decimals > 1 else ''}"
    return (
        f"{m.get_unit_display()}: {formula}, över alla enheter och perioder som ingår. "
        f"Redovisas {places}, avrundat först vid presentationen."
    )


def _validity(m: Measure) -> str:
    if m.valid_from and m.valid_to:
        return f"Giltig {m.valid_from.isoformat()} – {m.valid_to.isoformat()}"
    if m.valid_from:
        return f"Giltig från {m.valid_from.isoformat()}, tills vidare"
    if m.valid_to:
        return f"Giltig till {m.valid_to.isoformat()}"
    return "Gäller tills vidare"


def _status(m: Measure, today: date) -> str:
    if m.valid_to and m.valid_to < today:
        return "upphört"
    if m.valid_from and m.valid_from > today:
        return "kommande"
    return "gällande"


@login_required
@require_GET
def measure_list(request):
    form = FilterForm(request.GET or None)
    filters = form.filters()
    measures = list(selectors.latest_measures(**filters))
    for m in measures:
        m.direction_text = DIRECTION_TEXT[m.direction]
        m.frequency_text = FREQUENCY_TEXT.get(m.frequency, m.get_frequency_display())
    context = {
        "form": form,
        "filtered": any(filters.values()),
        "groups": selectors.handbook_groups(measures),
        "count": len(measures),
        "may_import": may_import(request.user),
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "catalogue/_measures.html" if partial else "catalogue/list.html"
    return render(request, template, context)


@login_required
@require_GET
def measure_detail(request, code):
    version = request.GET.get("version")
    if version is not None and not version.isdigit():
        raise Http404("Ogiltig version.")
    try:
        m = selectors.measure(code, int(version) if version else None)
    except Measure.DoesNotExist:
        raise Http404("Måttet finns inte i katalogen.") from None
    others = [v for v in selectors.versions(code) if v.pk != m.pk]
    latest = max([m.version, *[v.version for v in others]])
    context = {
        "m": m,
        "others": [(v, _validity(v)) for v in others],
        "is_latest": m.version == latest,
        "direction": DIRECTION_TEXT[m.direction],
        "type_text": TYPE_TEXT[m.measure_type],
        "frequency": FREQUENCY_TEXT.get(m.frequency, m.get_frequency_display()),
        "calculation": _calculation(m),
        "validity": _validity(m),
        "status": _status(m, timezone.localdate()),
        "exclusions": [line for line in m.exclusions.splitlines() if line.strip()],
        "comparable": ", ".join(f"version {v}" for v in m.comparable_with or []),
    }
    return render(request, "catalogue/detail.html", context)


def _download(request, content: bytes, content_type: str, ext: str, count: int) -> HttpResponse:
    audit.record(request, f"catalogue.export.{ext}", object_type="Measure", measures=count)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="matt-katalog.{ext}"'
    return response


@login_required
@require_GET
def export_yaml(request):
    measures = list(selectors.all_versions())
    return _download(request, io.dump_yaml(measures).encode("utf-8"), "application/yaml; charset=utf-8", "yaml",
                     len(measures))


@login_required
@require_GET
def export_csv(request):
    measures = list(selectors.all_versions())
    return _download(request, io.dump_csv(measures), "text/csv; charset=utf-8", "csv", len(measures))


def _summary(result: services.ImportResult) -> str:
    r = result.result
    parts = [f"{fmt.number(len(r.created))} nya", f"{fmt.number(len(r.updated))} ändrade",
             f"{fmt.number(len(r.unchanged))} oförändrade"]
    return f"Importerade {result.record.file_name}: {', '.join(parts)} mått."


@login_required
@require_http_methods(["GET", "POST"])
def measure_import(request):
    if not may_import(request.user):
        raise PermissionDenied("Endast administratörer och strateger får importera mått till katalogen.")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_measures(upload.read(), upload.name, actor=Actor.from_request(request))
        except InputError as exc:
            problems = exc.problems
        else:
            if result.outcome == Import.Outcome.UNCHANGED:
                messages.info(request, f"Filen ändrade ingenting: alla {fmt.number(len(result.result.unchanged))} "
                                       "mått fanns redan med samma innehåll.")
            else:
                messages.success(request, _summary(result))
            target = reverse("catalogue:list")
            if request.headers.get("HX-Request"):
                # htmx follows redirects inside the request; ask it to navigate instead.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    refused = bool(problems) or (request.method == "POST" and not form.is_valid())
    template = "catalogue/_import_form.html" if request.headers.get("HX-Request") else "catalogue/import.html"
    return render(request, template, {"form": form, "problems": problems}, status=422 if refused else 200)
