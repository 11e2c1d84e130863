"""This app's API endpoints; `register` is called by lagesbild/api/urls.py.

``/api/v1/org-units/``: the units in the caller's scope (read-only), and
``/api/v1/org-units/import/``: the all-or-nothing file import for administrators.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError

from . import selectors, services
from .api_support import query_params
from .importers import CODE_MAX, parse_kind
from .models import OrgUnit


class OrgUnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text="Typ på svenska.")
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                          help_text="Överordnad enhets kod; null för riket.")
    successors = serializers.SerializerMethodField(help_text="Koder för enheter som tog över när enheten lades ned.")

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "kind_label", "parent", "path", "current_path", "depth",
                  "valid_from", "valid_to", "successors"]

    def get_successors(self, obj) -> list[str]:
        return [s.successor.code for s in obj.succeeded_by.all()]


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV eller XLSX med kolumnerna code, name, kind, parent_code, "
                                           "valid_from, valid_to och valfritt successor_code.")


class ProblemSerializer(serializers.Serializer):
    file = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportRefusedSerializer(serializers.Serializer):
    problems = ProblemSerializer(many=True)


class ImportResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["ok", "unchanged"])
    import_id = serializers.IntegerField()
    rows = serializers.IntegerField(help_text="Rader i filen (utom rubrikraden).")
    created = serializers.ListField(child=serializers.CharField(), help_text="Koder för nya enheter.")
    updated = serializers.ListField(child=serializers.CharField(), help_text="Koder för ändrade enheter.")
    moved = serializers.ListField(child=serializers.CharField(), help_text="Koder för enheter som flyttades.")
    unchanged = serializers.IntegerField()
    successions = serializers.IntegerField(help_text="Nya eller ändrade efterträdarkopplingar.")


class OrgUnitFilter(serializers.Serializer):
    parent = serializers.CharField(required=False, allow_blank=True, max_length=CODE_MAX,
                                   help_text="Endast direkta underenheter till enheten med denna kod.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=selectors.SEARCH_MAX_LENGTH,
                              help_text="Sök i namn och kod (skiftlägesokänsligt).")
    kind = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                 help_text="Typ: region, kommun, forvaltning, verksamhet, enhet.")

    def validate_kind(self, value: str) -> str:
        if not value.strip():
            return ""
        kind = parse_kind(value) or value.strip().casefold()
        if kind not in OrgUnit.Kind.values:
            raise serializers.ValidationError(f"okänd typ (använd en av {', '.join(OrgUnit.Kind.values)})")
        return kind


@extend_schema_view(
    list=extend_schema(summary="Organisationsenheter i din behörighet", parameters=[OrgUnitFilter]),
    retrieve=extend_schema(summary="En organisationsenhet, efter kod"),
)
class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisational units (nation, regions, municipalities and their förvaltningar, verksamheter
    and enheter) within the caller's scope. ``path`` is the unit's place as it is recorded;
    ``current_path`` is where its history counts in today's organisation (a closed unit's
    current path is its successor's)."""

    serializer_class = OrgUnitSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/\x00]+"  # no NUL: PostgreSQL cannot compare it

    def get_queryset(self):
        user = self.request.user
        p = query_params(OrgUnitFilter, self.request) if self.action == "list" else {}
        q = p.get("q", "").strip()
        qs = selectors.search(user, q) if q else selectors.visible_units(user)
        parent = p.get("parent", "").strip()
        if parent:
            qs = qs.filter(parent__code=parent)
        if p.get("kind"):
            qs = qs.filter(kind=p["kind"])
        return qs.select_related("parent").prefetch_related("succeeded_by__successor").order_by("path")

    @extend_schema(
        summary="Importera enheter från fil (administratörer)",
        request={"multipart/form-data": ImportSerializer},
        responses={
            200: OpenApiResponse(ImportResultSerializer, description="Importerad, eller oförändrad (samma innehåll)."),
            400: OpenApiResponse(ImportRefusedSerializer, description="Avvisad: inget sparades; problemen anger fil, rad, kolumn och värde."),
            403: OpenApiResponse(description="Administratörsroll saknas."),
        },
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser],
            serializer_class=ImportSerializer, pagination_class=None)
    def import_file(self, request):
        if not selectors.may_import(request.user):
            raise PermissionDenied("Endast administratörer får importera enheter.")
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"problems": [{"file": "", "row": None, "column": None, "value": None,
                               "message": "ingen fil: skicka filen i fältet 'file' (multipart/form-data)"}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = services.import_units(upload.read(), upload.name or "upload",
                                            actor=Actor.from_request(request))
        except InputError as exc:
            return Response({"problems": [p.as_dict() for p in exc.problems]}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(result.as_dict(), status=status.HTTP_200_OK)


def register(router) -> None:
    router.register("org-units", OrgUnitViewSet, basename="org-unit")

