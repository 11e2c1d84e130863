"""API: a year's incident and complaint figures for a unit's subtree, the cases behind them (free
text included, so every read is audited), the sources with their mappings, and the import of an
export through a saved source, all scoped like the pages."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import mixins, serializers as drf, status as http, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from lagesbild.calc import complaint_stats
from lagesbild.calc.ratio import round_half_up
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.measurements import services as measurements
from lagesbild.org import audit, scope
from lagesbild.org.api_support import query_params

from . import selectors, services
from .models import Complaint, Incident, Source


class YearFilter(drf.Serializer):
    unit = drf.CharField(max_length=80, help_text="Enhetskod: enheten och enheterna under den.")
    year = drf.IntegerField(min_value=1900, max_value=2999, help_text="Året (avvikelser räknas på registreringsdatum, "
                                                                       "klagomål på inkomstdatum).")


class IncidentFilter(YearFilter):
    type = drf.CharField(required=False, max_length=200, help_text="Händelsetyp.")
    cause = drf.CharField(required=False, max_length=200, help_text="Orsak ('Ej angiven' för tom).")
    lex_maria = drf.BooleanField(required=False, default=None, allow_null=True, help_text="Bara lex Maria-ärenden.")
    open = drf.BooleanField(required=False, default=None, allow_null=True, help_text="Bara öppna ärenden.")


class ComplaintFilter(YearFilter):
    channel = drf.ChoiceField(list(complaint_stats.CHANNELS), required=False, help_text="Kanal.")
    category = drf.CharField(required=False, max_length=200, help_text="Kategori ('Ej angiven' för tom).")


class IncidentSerializer(drf.ModelSerializer):
    unit = drf.CharField(source="unit.code")
    source = drf.CharField(source="source.name")

    class Meta:
        model = Incident
        fields = ["case", "source", "unit", "reported", "occurred", "closed", "type", "cause", "severity", "lex_maria",
                  "description"]


class ComplaintSerializer(drf.ModelSerializer):
    unit = drf.CharField(source="unit.code")
    source = drf.CharField(source="source.name")

    class Meta:
        model = Complaint
        fields = ["case", "source", "channel", "received", "unit", "category", "sex", "forwarded", "action_taken",
                  "description"]


class SourceSerializer(drf.ModelSerializer):
    owner = drf.CharField(source="org_unit.code", default=None, read_only=True)

    class Meta:
        model = Source
        fields = ["id", "name", "kind", "owner", "mapping", "updated_at"]
        read_only_fields = ["id", "kind", "updated_at"]


class SourceWriteSerializer(drf.Serializer):
    name = drf.CharField(max_length=120, help_text="Källans namn (mappningens source: går före).")
    mapping = drf.CharField(help_text="Mappningen i YAML.")
    owner = drf.CharField(required=False, max_length=80, help_text="Enhetskoden för ägaren (förval: din översta enhet).")


def _problems(exc: InputError) -> Response:
    return Response({"problems": [p.as_dict() for p in exc.problems]}, status=http.HTTP_400_BAD_REQUEST)


class IncidentSummaryViewSet(viewsets.ViewSet):
    """A year's incident figures for a unit and everything below it (DESIGN.md, "Incident
    statistics"), with the open cases, the rate per 1 000 care days and the counts per child unit."""

    @extend_schema(parameters=[YearFilter], responses=OpenApiTypes.OBJECT, summary="Avvikelsestatistik för ett år")
    def list(self, request):
        p = query_params(YearFilter, request)
        unit = scope.visible_unit(request.user, p["unit"])
        as_of = timezone.localdate()
        data = selectors.summary(unit, p["year"], as_of)
        opened = selectors.open_cases(unit, as_of)
        rate = selectors.care_day_rate(unit, p["year"])
        data.update({
            "unit": unit.code, "as_of": as_of.isoformat(),
            "open_cases": {"count": opened.count, "median_age_days": opened.median_age_days,
                           "oldest_days": opened.oldest_days},
            "per_1000_care_days": None if rate is None else {
                "incidents": rate.incidents, "care_days": rate.care_days, "units": rate.units,
                "rate": str(round_half_up(rate.per_1000, 1))},
            "by_unit": [{"unit": c.unit.code, "name": c.unit.name, "count": c.count, "previous_year": c.previous_year,
                         "change_percent": c.change_percent} for c in selectors.by_child(unit, p["year"])],
        })
        audit.record(request, "api.incidents.summary", unit, year=p["year"])
        return Response(data)


class ComplaintSummaryViewSet(viewsets.ViewSet):
    """A year's complaints and claims per channel for a unit and everything below it."""

    @extend_schema(parameters=[YearFilter], responses=OpenApiTypes.OBJECT, summary="Klagomål per kanal för ett år")
    def list(self, request):
        p = query_params(YearFilter, request)
        unit = scope.visible_unit(request.user, p["unit"])
        data = selectors.complaint_summary(unit, p["year"])
        data["unit"] = unit.code
        audit.record(request, "api.complaints.summary", unit, year=p["year"])
        return Response(data)


@extend_schema_view(list=extend_schema(parameters=[IncidentFilter], summary="Avvikelseärenden (med fritext)"))
class IncidentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The cases behind a figure, descriptions included (personal data: every read is audited)."""

    serializer_class = IncidentSerializer

    def get_queryset(self):
        p = query_params(IncidentFilter, self.request)
        unit = scope.visible_unit(self.request.user, p["unit"])
        given = {"typ": p.get("type", ""), "orsak": p.get("cause", ""), "lex_maria": "1" if p.get("lex_maria") else "",
                 "oppna": "1" if p.get("open") else ""}
        audit.record(self.request, "api.incidents.cases", unit, year=p["year"], **{k: v for k, v in given.items() if v})
        return selectors.cases(unit, p["year"], timezone.localdate(), **given)


@extend_schema_view(list=extend_schema(parameters=[ComplaintFilter], summary="Klagomålsärenden (med fritext)"))
class ComplaintViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The complaints behind a figure, descriptions included (every read is audited)."""

    serializer_class = ComplaintSerializer

    def get_queryset(self):
        p = query_params(ComplaintFilter, self.request)
        unit = scope.visible_unit(self.request.user, p["unit"])
        given = {"kanal": p.get("channel", ""), "kategori": p.get("category", "")}
        audit.record(self.request, "api.complaints.cases", unit, year=p["year"], **{k: v for k, v in given.items() if v})
        return selectors.complaint_cases(unit, p["year"], **given)


class RawExport(BaseParser):
    """The body as bytes: an export (CSV or XLSX) for the source's mapping to read."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


class SourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The export layouts: a source's mapping (YAML, DESIGN.md "Incident statistics"; with
    ``kind: complaints`` for a complaints channel). Saving one needs the administrator's or the
    strategist's role; importing an export through it needs a role that may import data."""

    serializer_class = SourceSerializer

    def get_queryset(self):
        return services.visible_sources(self.request.user).select_related("org_unit").order_by("name")

    @extend_schema(request=SourceWriteSerializer, responses={201: SourceSerializer, 400: OpenApiTypes.OBJECT},
                   summary="Spara en källas mappning (ny eller ändrad)")
    def create(self, request):
        if not scope.has_role(request.user, services.MAPPING_ROLES):
            raise PermissionDenied("Endast administratörer och strateger får ändra mappningar.")
        data = request.data if isinstance(request.data, dict) else {}
        name, text = str(data.get("name", ""))[:120].strip(), data.get("mapping")
        if not name or not isinstance(text, str):
            return Response({"problems": [{"file": "mappning", "message": "ange name och mapping (YAML)"}]},
                            status=http.HTTP_400_BAD_REQUEST)
        owner = scope.visible_unit(request.user, str(data["owner"])[:80]) if data.get("owner") else None
        try:
            source = services.save_source(name, text, actor=Actor.from_request(request), owner=owner)
        except InputError as exc:
            return _problems(exc)
        return Response(SourceSerializer(source).data, status=http.HTTP_201_CREATED)

    @extend_schema(request={"text/csv": OpenApiTypes.STR, "application/octet-stream": OpenApiTypes.BINARY},
                   responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
                   summary="Importera en export genom källans mappning (allt eller inget)")
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[RawExport])
    def import_export(self, request, pk=None):
        if not measurements.may_import(request.user):
            raise PermissionDenied("Endast administratörer och strateger får importera.")
        source = self.get_object()
        name = (request.headers.get("X-Filnamn") or "export.csv")[:100]
        body = request.data if isinstance(request.data, (bytes, bytearray)) else b""
        if not body.strip():
            return Response({"problems": [{"file": name, "message": "begäran saknar innehåll: skicka exporten"}]},
                            status=http.HTTP_400_BAD_REQUEST)
        try:
            result = services.import_export(bytes(body), name, source=source, actor=Actor.from_request(request))
        except InputError as exc:
            return _problems(exc)
        return Response({"outcome": result.outcome, "created": result.created, "updated": result.updated,
                         "unchanged": result.unchanged}, status=http.HTTP_201_CREATED)


def register(router) -> None:
    router.register("incidents/summary", IncidentSummaryViewSet, basename="incident-summary")
    router.register("incidents", IncidentViewSet, basename="incident")
    router.register("complaints/summary", ComplaintSummaryViewSet, basename="complaint-summary")
    router.register("complaints", ComplaintViewSet, basename="complaint")
    router.register("incident-sources", SourceViewSet, basename="incident-source")
