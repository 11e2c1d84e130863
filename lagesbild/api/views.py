from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lagesbild.org import audit
from lagesbild.org.api_support import query_params
from lagesbild.surveys import presenters, selectors
from lagesbild.surveys.models import Survey

from .serializers import IndicatorResultSerializer, SurveySerializer


class SurveyFilter(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2100,
                                    help_text="Bara enkäter från detta år.")


@extend_schema_view(
    retrieve=extend_schema(summary="Hämta en enkät"),
)
class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    """Enkäter och deras utvecklingsindikatorer på nationell nivå.

    De nationella resultaten kan läsas av alla inloggade; enskilda regioners svar lämnas inte ut här.
    """

    serializer_class = SurveySerializer
    lookup_field = "key"
    lookup_value_regex = r"[^/\x00]+"  # no NUL: PostgreSQL cannot compare it

    def get_queryset(self):
        qs = selectors.surveys_for(self.request.user)
        if self.action == "list":
            params = query_params(SurveyFilter, self.request)
            if "year" in params:
                qs = qs.filter(year=params["year"])
        return qs.annotate(
            respondent_count=Count("respondents", filter=Q(respondents__in_population=True))
        ).order_by("-year", "key")

    @extend_schema(summary="Lista enkäter", parameters=[SurveyFilter])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Enkätens utvecklingsindikatorer med nationella resultat",
                   responses=IndicatorResultSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def indicators(self, request, key=None):
        survey = get_object_or_404(Survey.objects.select_related("spec_import", "responses_import"), key=key)
        report, _, prev_survey = selectors.report(survey)
        comparable_with = prev_survey.key if prev_survey else None
        data = [presenters.as_json(row, comparable_with) for row in report.rows]
        audit.record(request, "api.survey.indicators", survey)
        return Response(IndicatorResultSerializer(data, many=True).data)
