from rest_framework import serializers

from lagesbild.catalogue.models import Measure
from lagesbild.ingest.numbers import MAX_MAGNITUDE
from lagesbild.org.models import OrgUnit

from .models import Observation, Target

MAX_COUNT = 10**MAX_MAGNITUDE - 1  # the bound every imported number has (ingest/numbers.py)


class ObservationSerializer(serializers.ModelSerializer):
    measure = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="org_unit.code", read_only=True)
    source_import = serializers.CharField(source="source_import.file_name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Observation
        fields = ["id", "measure", "unit", "period_start", "granularity", "sex", "age_band", "numerator",
                  "denominator", "status", "source_import", "updated_at"]


class ObservationWriteSerializer(serializers.Serializer):
    """One row of a bulk write; the same columns as a CSV file."""

    measure = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField(help_text="2025-03, 2025-Q1, 2025-T1 eller 2025")
    sex = serializers.CharField(required=False, allow_blank=True, default="")
    age_band = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    numerator = serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT)
    denominator = serializers.IntegerField(required=False, allow_null=True, default=None, max_value=MAX_COUNT,
                                           min_value=-MAX_COUNT)
    status = serializers.CharField(required=False, allow_blank=True, default="")


class BulkResultSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class TargetSerializer(serializers.ModelSerializer):
    measure = serializers.SlugRelatedField(slug_field="code", queryset=Measure.objects.all())
    unit = serializers.SlugRelatedField(source="org_unit", slug_field="code", queryset=OrgUnit.objects.all())

    class Meta:
        model = Target
        fields = ["id", "measure", "unit", "comparator", "value", "warning_band", "valid_from", "valid_to", "note"]


class ValueSerializer(serializers.Serializer):
    measure = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField()
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    observations = serializers.IntegerField()
    value = serializers.CharField(allow_null=True, help_text="Avrundat half-up till måttets decimaler, med punkt.")
    target = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
