"""This app's API endpoints; `register` is called by lagesbild/api/urls.py.

``/api/v1/measures/`` lists the latest version of every measure; ``/api/v1/measures/<code>/``
is the latest version of one (``?version=`` for another). Every signed-in user may read;
creating and updating need a catalogue role (administrator or strategist). Writes are checked
by the same validation as a file import (lagesbild/catalogue/io.py).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.org.api_support import query_params
from lagesbild.org.permissions import CATALOGUE_ROLES, ScopedWrite

from . import io, selectors, services
from .models import Measure

_TEXT = dict(required=False, allow_blank=True, default="")


class MeasureSerializer(serializers.Serializer):
    """One version of a measure with the fields of Socialstyrelsen's indicator handbook."""

    code = serializers.SlugField(max_length=80, help_text="Måttets kod, t.ex. riskbedomning-70-24h (gemener).")
    version = serializers.IntegerField(min_value=1, default=1, help_text="(code, version) är unik.")
    title = serializers.CharField(max_length=300)
    measure_type = serializers.ChoiceField(choices=Measure.Type.choices, help_text="struktur, process eller resultat.")
    focus_area = serializers.IntegerField(
        min_value=1, max_value=5, allow_null=True, required=False, default=None,
        help_text="Fokusområde 1–5 i den nationella handlingsplanen; null utanför fokusområdena.",
    )
    foundation = serializers.IntegerField(
        min_value=1, max_value=4, allow_null=True, required=False, default=None,
        help_text="Grundförutsättning 1–4 för mått som hör till en grundförutsättning.",
    )
    unit = serializers.ChoiceField(choices=Measure.Unit.choices)
    decimals = serializers.IntegerField(min_value=0, max_value=6, default=1)
    direction = serializers.ChoiceField(choices=Measure.Direction.choices, help_text="Vilket håll som är bättre.")
    frequency = serializers.ChoiceField(choices=Measure.Frequency.choices, default=Measure.Frequency.MONTH)
    definition = serializers.CharField(**_TEXT)
    numerator_definition = serializers.CharField(**_TEXT, help_text="Täljare.")
    denominator_definition = serializers.CharField(**_TEXT, help_text="Nämnare.")
    exclusions = serializers.CharField(**_TEXT, help_text="Exkluderingar, en per rad.")
    data_source = serializers.CharField(max_length=300, **_TEXT, help_text="Datakälla.")
    purpose = serializers.CharField(**_TEXT, help_text="Syfte.")
    interpretation = serializers.CharField(**_TEXT, help_text="Tolkning.")
    limitations = serializers.CharField(**_TEXT, help_text="Felkällor och begränsningar.")
    comparable_with = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list,
        help_text="Tidigare versioner vars resultat kan jämföras med denna.",
    )
    valid_from = serializers.DateField(allow_null=True, required=False, default=None)
    valid_to = serializers.DateField(allow_null=True, required=False, default=None)
    focus_area_name = serializers.CharField(read_only=True, allow_null=True)
    foundation_name = serializers.CharField(read_only=True, allow_null=True)
    plan = serializers.CharField(read_only=True, allow_null=True, help_text="Handlingsplanen som fokusområdet hör till.")
    versions = serializers.ListField(child=serializers.IntegerField(), read_only=True, help_text="Alla versioner av koden.")
    handbook_url = serializers.CharField(read_only=True, help_text="Måttets sida i handboken.")

    def to_representation(self, m: Measure) -> dict:
        spec = io.spec_from_measure(m)
        data = spec.values()
        data["comparable_with"] = list(spec.comparable_with)
        for key in ("valid_from", "valid_to"):
            data[key] = data[key].isoformat() if data[key] else None
        plan = m.focus_area.plan if m.focus_area else (m.foundation.plan if m.foundation else None)
        request = self.context.get("request")
        url = reverse("catalogue:detail", args=[m.code]) + f"?version={m.version}"
        data.update(
            focus_area_name=m.focus_area.name if m.focus_area else None,
            foundation_name=m.foundation.name if m.foundation else None,
            plan=plan.title if plan else None,
            versions=self._versions().get(m.code, [m.version]),
            handbook_url=request.build_absolute_uri(url) if request else url,
        )
        return data

    def _versions(self) -> dict[str, list[int]]:
        """Every code's versions, read once per request (the catalogue is small)."""
        cached = self.context.get("_versions") if isinstance(self.context, dict) else None
        if cached is None:
            cached = {}
            for code, version in Measure.objects.order_by("code", "version").values_list("code", "version"):
                cached.setdefault(code, []).append(version)
            if isinstance(self.context, dict):
                self.context["_versions"] = cached
        return cached

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            for key in ("code", "version"):
                if key in attrs and attrs[key] != getattr(self.instance, key):
                    raise ValidationError({key: ["Kod och version kan inte ändras; skapa en ny version med POST."]})
            raw = {**io.spec_from_measure(self.instance).values(), **attrs}
        else:
            raw = dict(attrs)
        try:
            spec = io.spec_from_mapping(raw, file="API")
        except InputError as exc:
            raise _validation_error(exc) from None
        return {"spec": spec}

    def _save(self, create: bool) -> Measure:
        request = self.context.get("request")
        try:
            return services.save_measure(self.validated_data["spec"], actor=Actor.from_request(request),
                                         create=create)
        except InputError as exc:
            raise _validation_error(exc) from None

    def create(self, validated_data) -> Measure:
        return self._save(create=True)

    def update(self, instance, validated_data) -> Measure:
        return self._save(create=False)


def _validation_error(exc: InputError) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for p in exc.problems:
        errors.setdefault(p.column or "non_field_errors", []).append(p.message)
    return ValidationError(errors)


class MeasureFilter(serializers.Serializer):
    focus_area = serializers.ChoiceField(
        ["1", "2", "3", "4", "5", selectors.NO_FOCUS_AREA, "none"], required=False,
        help_text="Fokusområde 1–5, eller 'ingen' för mått utanför fokusområdena.",
    )
    type = serializers.ChoiceField(Measure.Type.values, required=False, help_text="Måttets typ.")


class VersionFilter(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                       help_text="En viss version; utan parametern den senaste.")


@extend_schema_view(
    list=extend_schema(summary="Måtten i katalogen (senaste versionen av varje)", parameters=[MeasureFilter]),
    retrieve=extend_schema(summary="Ett mått (senaste versionen, eller ?version=)", parameters=[VersionFilter]),
    create=extend_schema(summary="Lägg till ett mått eller en ny version (administratör eller strateg)"),
    update=extend_schema(summary="Ersätt en version av ett mått (administratör eller strateg)",
                         parameters=[VersionFilter]),
    partial_update=extend_schema(summary="Ändra fält i en version av ett mått", parameters=[VersionFilter]),
)
class MeasureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The measure catalogue. Measures have no org unit: readable by every signed-in user,
    writable with a catalogue role anywhere. Retire a measure with ``valid_to``; there is no delete."""

    serializer_class = MeasureSerializer
    permission_classes = [ScopedWrite]
    write_roles = CATALOGUE_ROLES
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9_-]+"
    queryset = Measure.objects.none()  # for the schema; get_queryset answers requests

    def unit_of(self, obj):
        return None  # national reference data

    def get_queryset(self):
        params = query_params(MeasureFilter, self.request)
        focus_area = params.get("focus_area")
        if focus_area == "none":
            focus_area = selectors.NO_FOCUS_AREA
        return selectors.latest_measures(focus_area, params.get("type"))

    def get_object(self) -> Measure:
        version = query_params(VersionFilter, self.request).get("version")
        try:
            measure = selectors.measure(self.kwargs["code"], version)
        except Measure.DoesNotExist:
            raise Http404("Måttet finns inte.") from None
        self.check_object_permissions(self.request, measure)
        return measure


def register(router) -> None:
    router.register("measures", MeasureViewSet, basename="measure")
