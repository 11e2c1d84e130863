"""Survey pages. Views are thin: they call selectors and services and render."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from lagesbild.calc import fmt
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.org import audit, scope
from lagesbild.org.models import OrgUnit
from lagesbild.reports import charts

from . import presenters, selectors, services
from .forms import SurveyUploadForm
from .models import Survey

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _may_upload(user) -> bool:
    return scope.is_national(user) and scope.has_role(user, services.UPLOAD_ROLES)


def _survey(key: str) -> Survey:
    return get_object_or_404(Survey.objects.select_related("spec_import", "responses_import"), key=key)


@login_required
def survey_list(request):
    surveys = selectors.surveys_for(request.user)
    return render(
        request,
        "surveys/list.html",
        {"surveys": surveys, "may_upload": _may_upload(request.user), "form": SurveyUploadForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_upload(request):
    if not _may_upload(request.user):
        raise PermissionDenied("Endast nationella administratörer och strateger får importera enkäter.")
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        spec_f, resp_f = form.cleaned_data["spec"], form.cleaned_data["responses"]
        try:
            outcome = services.import_survey(
                spec_f.read(), spec_f.name, resp_f.read(), resp_f.name, actor=Actor.from_request(request)
            )
        except InputError as exc:
            problems = exc.problems
        else:
            if outcome.outcome == Import.Outcome.UNCHANGED:
                messages.info(request, "Filerna är redan importerade; inget ändrades.")
            else:
                messages.success(
                    request, f"Importerade {outcome.survey.title}: {fmt.number(outcome.respondents)} svarande."
                )
            target = reverse("surveys:results", args=[outcome.survey.key])
            if request.headers.get("HX-Request"):
                # htmx follows redirects inside the request; ask it to navigate instead.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    template = "surveys/_upload_form.html" if request.headers.get("HX-Request") else "surveys/upload.html"
    return render(request, template, {"form": form, "problems": problems}, status=422 if problems else 200)


@login_required
def survey_results(request, key):
    survey = _survey(key)
    report, stored, prev_survey = selectors.report(survey)
    chart = charts.svg(charts.indicator_bar_spec(presenters.chart_rows(report)))
    units = selectors.units_of(stored).values()
    regions = sorted((u for u in units if scope.can_see(request.user, u)), key=lambda u: u.code)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "report": report,
            "rows": report.rows,
            "chart": chart,
            "previous_survey": prev_survey,
            "earlier_survey": None if prev_survey else selectors.previous_survey(survey),
            "not_comparable": presenters.NOT_COMPARABLE,
            "regions": regions,
            "respondent_count": report.respondents,
            "plural": report.population_plural,
        },
    )


@login_required
def indicator_detail(request, key, indicator):
    survey = _survey(key)
    report, stored, _ = selectors.report(survey)
    try:
        row = report.row(indicator)
    except KeyError:
        raise Http404("Indikatorn finns inte i enkäten.") from None
    outcomes = selectors.visible_outcomes(request.user, stored, row.outcomes)
    questions = [q for q, _ in row.questions]
    audit.record(request, "survey.indicator.view", survey, indicator=indicator, rows=len(outcomes))
    return render(
        request,
        "surveys/indicator.html",
        {
            "survey": survey,
            "row": row,
            "questions": row.questions,
            "outcomes": [(o, [o.respondent.answers.get(q, "") for q in questions]) for o in outcomes],
            "hidden": len(row.outcomes) - len(outcomes),
            "plural": report.population_plural,
        },
    )


@login_required
def region_detail(request, key, code):
    survey = _survey(key)
    unit = get_object_or_404(OrgUnit, code=code)
    if not scope.can_see(request.user, unit):
        raise PermissionDenied("Regionen ligger utanför din behörighet.")
    report, stored, _ = selectors.report(survey)
    keys = [k for k, pk in stored.unit_ids.items() if pk == unit.pk]
    if not keys:
        raise Http404("Regionen har inte besvarat enkäten.")
    lines = []
    for row in report.rows:
        o = stored.result.indicator(row.id).outcome_for(keys[0])
        if o is None:
            continue
        lines.append(
            {
                "row": row,
                "outcome": o,
                "answers": [(q, o.respondent.answers.get(q, "")) for q, _ in row.questions],
                "national": row.percent_text,
            }
        )
    audit.record(request, "survey.region.view", survey, region=unit.code)
    return render(request, "surveys/region.html", {"survey": survey, "unit": unit, "lines": lines})


def _download(request, survey, kind: str, content_type: str, writer) -> HttpResponse:
    report, _, _ = selectors.report(survey)
    buf = io.BytesIO()
    writer(report, buf)
    audit.record(request, f"survey.export.{kind}", survey)
    response = HttpResponse(buf.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{slugify(survey.key)}.{kind}"'
    return response


@login_required
def survey_xlsx(request, key):
    from lagesbild.reports.survey_xlsx import write_survey_xlsx

    survey = _survey(key)
    if not scope.is_national(request.user):
        raise PermissionDenied("Excelfilen innehåller alla regioners svar och kräver nationell behörighet.")
    return _download(request, survey, "xlsx", XLSX_TYPE, write_survey_xlsx)


@login_required
def survey_pptx(request, key):
    from lagesbild.reports.survey_pptx import write_survey_pptx

    return _download(request, _survey(key), "pptx", PPTX_TYPE, write_survey_pptx)
