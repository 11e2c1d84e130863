"""POST /api/v1/patients/fhir/: a FHIR R4 Bundle or NDJSON of patient records, imported all or
nothing as the CSV import is (pseudonymised, incremental, the measures recomputed)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import status as http
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.measurements import services as measurements

from . import services


class RawFhir(BaseParser):
    """The body as bytes, for fhir.py to parse and validate (JSON Bundle or NDJSON)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


class FhirImportViewSet(viewsets.ViewSet):
    """Patient records as FHIR R4 (Patient, Encounter, RiskAssessment, Procedure)."""

    parser_classes = [RawFhir]

    @extend_schema(request={"application/fhir+json": OpenApiTypes.OBJECT, "application/fhir+ndjson": OpenApiTypes.STR},
                   responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
                   summary="Importera patientdata som FHIR R4 (Bundle eller NDJSON)")
    def create(self, request):
        if not measurements.may_import(request.user):
            raise PermissionDenied("Endast administratörer och strateger får importera patientdata.")
        name = request.headers.get("X-Filnamn") or "fhir-api"
        body = request.data if isinstance(request.data, (bytes, bytearray)) else b""  # no body: DRF gives {}
        if not body.strip():
            return Response({"problems": [{"file": name, "message": "begäran saknar innehåll: skicka en Bundle eller NDJSON"}]},
                            status=http.HTTP_400_BAD_REQUEST)
        try:
            result = services.import_fhir(bytes(body), name[:100], actor=Actor.from_request(request))
        except InputError as exc:
            return Response({"problems": [p.as_dict() for p in exc.problems]}, status=http.HTTP_400_BAD_REQUEST)
        return Response({"outcome": result.outcome, "episodes": result.episodes, "assessments": result.assessments,
                         "actions": result.actions, "observations": result.observations},
                        status=http.HTTP_201_CREATED)


def register(router) -> None:
    router.register("patients/fhir", FhirImportViewSet, basename="patients-fhir")
