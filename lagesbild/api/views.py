from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lagesbild.org import audit
from lagesbild.surveys import presenters, selectors
from lagesbild.surveys.models import Survey

from .serializers import IndicatorResultSerializer, SurveySerializer


class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    """Surveys and their development indicators at national level.

    National aggregates are readable by every signed-in user; respondent-level answers are
    not exposed here.
    """

    serializer_class = SurveySerializer
    lookup_field = "key"
    lookup_value_regex = r"[^/\x00]+"  # no NUL: PostgreSQL cannot compare it

    def get_queryset(self):
        return (
            selectors.surveys_for(self.request.user)
            .annotate(respondent_count=Count("respondents", filter=Q(respondents__in_population=True)))
            .order_by("-year", "key")
        )

    @extend_schema(responses=IndicatorResultSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def indicators(self, request, key=None):
        survey = get_object_or_404(Survey.objects.select_related("spec_import", "responses_import"), key=key)
        stored = selectors.compute_stored(survey)
        prev_survey = selectors.previous_comparable(survey)
        previous = selectors.compute_stored(prev_survey).result if prev_survey else None
        data = []
        for row in presenters.indicator_rows(stored.result, previous):
            r = row.result
            ci = r.wilson
            data.append(
                {
                    **r.as_json(),
                    "focus_area": r.spec.focus_area,
                    "ci_low": str(ci[0]) if ci else None,
                    "ci_high": str(ci[1]) if ci else None,
                    "statement": row.statement,
                    "change_points": None if row.change is None else str(row.change),
                    "comparable_with": prev_survey.key if prev_survey else None,
                }
            )
        audit.record(request, "api.survey.indicators", survey)
        return Response(IndicatorResultSerializer(data, many=True).data)
