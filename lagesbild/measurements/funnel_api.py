"""API: the funnel plot of a share measure at a unit (the page's presenter, ``funnel_view``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from lagesbild.org import audit, scope
from lagesbild.org.api_support import PeriodField, query_params
from lagesbild.org.permissions import ScopedWrite

from . import funnel_view, presenters


class FunnelFilter(serializers.Serializer):
    unit = serializers.CharField(max_length=80, help_text="Enhetskod: enheterna under den jämförs (vid riket regionerna).")
    measure = serializers.CharField(max_length=80, help_text="Ett mått som är en andel (måttenhet procent).")
    period = PeriodField()
    organisation = serializers.ChoiceField(["idag"], required=False, help_text="'idag' för dagens struktur.")
    compare = serializers.ChoiceField(list(funnel_view.COMPARE), required=False,
                                      help_text="Vid riket: regioner (standard) eller kommuner.")


class PairSerializer(serializers.Serializer):
    lower = serializers.FloatField()
    upper = serializers.FloatField()


class _Levels(serializers.Serializer):
    """An object keyed by the level, "95" and "99.8" (a dot in a field name would be read as a
    path, so the values pass through as they are)."""

    def to_representation(self, instance):
        return {"95": instance["95"], "99.8": instance["99.8"]}


class LevelsSerializer(_Levels):
    def get_fields(self):
        return {"95": PairSerializer(), "99.8": PairSerializer()}


class OutsideSerializer(_Levels):
    def get_fields(self):
        side = dict(allow_null=True, help_text="high: över gränsen, low: under den, null: inom gränserna.")
        return {"95": serializers.CharField(**side), "99.8": serializers.CharField(**side)}


class FunnelUnitSerializer(serializers.Serializer):
    unit = serializers.CharField()
    name = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    share = serializers.FloatField(help_text="Andelen som bråktal 0–1.")
    z = serializers.FloatField(help_text="z-värdet på arcsin-kvadratrotsskalan.")
    limits = LevelsSerializer(help_text="Gränserna vid enhetens nämnare, utan justering.")
    adjusted_limits = LevelsSerializer(help_text="Gränserna vid enhetens nämnare, justerade för överspridning (τ²).")
    outside = OutsideSerializer()
    outside_adjusted = OutsideSerializer()


class WithoutDataSerializer(serializers.Serializer):
    unit = serializers.CharField()
    name = serializers.CharField()
    reason = serializers.CharField()


class FunnelSerializer(serializers.Serializer):
    unit = serializers.CharField()
    measure = serializers.CharField()
    period = serializers.CharField()
    compared = serializers.CharField(help_text="children, regioner eller kommuner.")
    numerator = serializers.IntegerField(help_text="Summan av täljarna för enheterna med data.")
    denominator = serializers.IntegerField(help_text="Summan av nämnarna för enheterna med data.")
    mean = serializers.FloatField(allow_null=True, help_text="Medelvärdet Σ täljare / Σ nämnare, som bråktal 0–1.")
    phi = serializers.FloatField(allow_null=True, help_text="Överspridningskvoten φ (null med färre än två enheter).")
    tau2 = serializers.FloatField(allow_null=True, help_text="Variansen mellan enheterna τ² (DerSimonian–Laird).")
    overdispersed = serializers.BooleanField(allow_null=True, help_text="φ > 1.")
    adjustment_applies = serializers.BooleanField(help_text="De justerade gränserna gäller (φ > 1).")
    units = FunnelUnitSerializer(many=True)
    without_data = WithoutDataSerializer(many=True)


class FunnelViewSet(viewsets.ViewSet):
    """Trattdiagram: enheterna under ?unit= jämförda för ett andelsmått ?measure= i ?period=, med
    FunnelPlotR:s metod för andelar (95 %- och 99,8 %-gränser, med och utan justering för överspridning)."""

    permission_classes = [ScopedWrite]

    @extend_schema(parameters=[FunnelFilter], responses=FunnelSerializer)
    def list(self, request):
        p = query_params(FunnelFilter, request)
        unit = scope.visible_unit(request.user, p["unit"])
        period = p["period"]
        m = presenters.measure_version(p["measure"], period)
        if m is None:
            raise NotFound("Okänt mått.")
        if not m.is_share:
            raise NotFound("Trattdiagram finns bara för mått som är andelar.")
        page = funnel_view.funnel_page(unit, m, period, p.get("organisation") == "idag",
                                       p.get("compare") or funnel_view.DEFAULT_COMPARE)
        audit.record(request, "api.funnel", unit, measure=m.code, period=period.key)
        return Response(FunnelSerializer(funnel_view.as_json(page)).data)


def register(router) -> None:
    router.register("funnels", FunnelViewSet, basename="funnel")
