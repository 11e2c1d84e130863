"""API: observations (read and bulk write), targets, and computed values for any unit × period."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers as drf_serializers, status as http, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.org import audit, scope
from lagesbild.org.api_support import PeriodField, query_params
from lagesbild.org.models import OrgUnit
from lagesbild.org.permissions import TARGET_ROLES, ScopedWrite

from . import funnel_api, presenters, selectors, services
from .models import Observation, Target
from .serializers import (BulkResultSerializer, ObservationSerializer, ObservationWriteSerializer, TargetSerializer,
                          ValueSerializer)


def _scoped_unit(request, code: str) -> OrgUnit:
    return scope.visible_unit(request.user, code)


def _code(help_text: str, required: bool = False) -> drf_serializers.CharField:
    return drf_serializers.CharField(required=required, max_length=80, help_text=help_text)


# "from" is a Python keyword, hence the serializer is built with type().
ObservationFilter = type("ObservationFilter", (drf_serializers.Serializer,), {
    "__doc__": "The query parameters of the observation list.",
    "unit": _code("Enhetskod: enheten och enheterna under den."),
    "measure": _code("Måttets kod."),
    "from": PeriodField(required=False, help_text="Från och med perioden (2025-03, 2025-Q1, 2025-T1 eller 2025)."),
    "to": PeriodField(required=False, help_text="Till och med perioden."),
})


class ValueFilter(drf_serializers.Serializer):
    unit = _code("Enhetskod.", required=True)
    period = PeriodField()
    measure = _code("Ett mått; utelämnat: alla.")
    organisation = drf_serializers.ChoiceField(["idag"], required=False, help_text="'idag' för dagens struktur.")


@extend_schema_view(list=extend_schema(parameters=[ObservationFilter]))
class ObservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leaf observations in the user's subtree. Filter with ?unit=CODE (its subtree), ?measure=, ?from=, ?to=."""

    serializer_class = ObservationSerializer
    permission_classes = [ScopedWrite]
    write_roles = services.DATA_ROLES
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        qs = Observation.objects.filter(scope.unit_q(self.request.user, "org_unit")).select_related(
            "measure", "org_unit", "source_import").order_by("org_unit__path", "measure__code", "period_start")
        if self.action != "list":
            return qs
        p = query_params(ObservationFilter, self.request)
        if p.get("unit"):
            qs = qs.filter(selectors.subtree_q(_scoped_unit(self.request, p["unit"])))
        if p.get("measure"):
            qs = qs.filter(measure__code=p["measure"])
        if p.get("from"):
            qs = qs.filter(period_start__gte=p["from"].start)
        if p.get("to"):
            qs = qs.filter(period_start__lt=p["to"].end)
        return qs

    @extend_schema(request=ObservationWriteSerializer(many=True), responses={201: BulkResultSerializer})
    def create(self, request):
        """Bulk write: a list of rows, validated like a file, all or nothing; upsert on the key."""
        rows = ObservationWriteSerializer(data=request.data, many=True)
        rows.is_valid(raise_exception=True)
        try:
            result = services.import_observation_rows(rows.validated_data, actor=Actor.from_request(request))
        except InputError as exc:
            return _problems(exc)
        return Response(BulkResultSerializer(result).data, status=http.HTTP_201_CREATED)


class TargetViewSet(viewsets.ModelViewSet):
    """Targets in the user's subtree; writes need administrator or strategist on the unit."""

    serializer_class = TargetSerializer
    permission_classes = [ScopedWrite]
    write_roles = TARGET_ROLES
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Target.objects.filter(scope.unit_q(self.request.user, "org_unit")).select_related("measure", "org_unit")

    def perform_create(self, serializer):
        serializer.instance = _target_write(services.create_target, actor=Actor.from_request(self.request),
                                            **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = _target_write(services.update_target, serializer.instance,
                                            actor=Actor.from_request(self.request), **serializer.validated_data)

    def perform_destroy(self, instance):
        _target_write(services.delete_target, instance, actor=Actor.from_request(self.request))


def _problems(exc: InputError) -> Response:
    return Response({"problems": [p.as_dict() for p in exc.problems]}, status=http.HTTP_400_BAD_REQUEST)


def _target_write(service, *args, **kwargs):
    """Call a target service: a located input problem (a duplicate key) is a 400; DRF answers a
    refused permission with 403."""
    try:
        return service(*args, **kwargs)
    except InputError as exc:
        raise ValidationError({"problems": [p.as_dict() for p in exc.problems]}) from None


class ValueViewSet(viewsets.ViewSet):
    """Computed values: Σnumerator / Σdenominator below ?unit= for ?period= (2025, 2025-Q1, 2025-T1, 2025-03)."""

    permission_classes = [ScopedWrite]

    @extend_schema(parameters=[ValueFilter], responses=ValueSerializer(many=True))
    def list(self, request):
        p = query_params(ValueFilter, request)
        unit = _scoped_unit(request, p["unit"])
        period = p["period"]
        measures = selectors.measures_for(period)
        if p.get("measure"):
            measures = [m for m in measures if m.code == p["measure"]]
            if not measures:
                raise drf_serializers.ValidationError("Okänt mått.")
        rows = presenters.rows_for(unit, measures, period, p.get("organisation") == "idag", annotate=False)
        data = [{
            "measure": r.measure.code, "unit": unit.code, "period": period.key,
            "numerator": r.s.sums.numerator if r.s.sums.rows else None, "denominator": r.s.sums.denominator,
            "observations": r.s.sums.rows, "value": presenters.plain(r.value.value, exact=True),
            "target": presenters.target_plain(r.s.target), "status": r.s.status,
        } for r in rows]
        audit.record(request, "api.values", unit, period=period.key)
        return Response(ValueSerializer(data, many=True).data)


def register(router) -> None:
    router.register("observations", ObservationViewSet, basename="observation")
    router.register("targets", TargetViewSet, basename="target")
    router.register("values", ValueViewSet, basename="value")
    funnel_api.register(router)
