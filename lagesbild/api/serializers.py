from rest_framework import serializers

from lagesbild.surveys.models import Survey


class SurveySerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="key", help_text="Enkätens id ur specifikationen, t.ex. sos-2025.")
    respondents = serializers.IntegerField(source="respondent_count", read_only=True, help_text="Antal svarande i populationen.")
    indicators_url = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["id", "title", "year", "population", "comparable_with", "respondents", "updated_at", "indicators_url"]

    def get_indicators_url(self, obj) -> str:
        request = self.context.get("request")
        url = f"/api/v1/surveys/{obj.key}/indicators/"
        return request.build_absolute_uri(url) if request else url


class IndicatorResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    focus_area = serializers.IntegerField(allow_null=True)
    numerator = serializers.IntegerField()
    n = serializers.IntegerField()
    excluded = serializers.IntegerField()
    percent = serializers.CharField(allow_null=True, help_text='Andel med en decimal och punkt, t.ex. "81.3"; null när n = 0.')
    ci_low = serializers.CharField(allow_null=True, help_text="Nedre gräns, 95 % Wilson-intervall (procent).")
    ci_high = serializers.CharField(allow_null=True, help_text="Övre gräns, 95 % Wilson-intervall (procent).")
    statement = serializers.CharField()
    change_points = serializers.CharField(
        allow_null=True, help_text="Förändring i procentenheter mot jämförbar föregående enkät; null när ej jämförbar."
    )
    comparable_with = serializers.CharField(allow_null=True)
