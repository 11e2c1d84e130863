"""The application shell: the start page that says what is in the system."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lagesbild.catalogue.models import ActionPlan
from lagesbild.ingest.models import Import
from lagesbild.org import scope
from lagesbild.org.models import OrgUnit
from lagesbild.surveys.models import Survey, SurveyIndicator


@login_required
def start(request):
    kinds = {k: OrgUnit.objects.filter(kind=k).count() for k, _ in OrgUnit.Kind.choices}
    context = {
        "units_by_kind": [(label, kinds[k]) for k, label in OrgUnit.Kind.choices if kinds[k]],
        "surveys": Survey.objects.all()[:10],
        "survey_count": Survey.objects.count(),
        "indicator_count": SurveyIndicator.objects.count(),
        "plan": ActionPlan.objects.prefetch_related("foundations", "focus_areas").first(),
        "recent_imports": Import.objects.select_related("uploaded_by")[:5] if scope.is_national(request.user) else [],
    }
    return render(request, "start.html", context)
