from django.db import models

from lagesbild.catalogue.models import FocusArea
from lagesbild.ingest.models import Import
from lagesbild.org.models import OrgUnit


class Survey(models.Model):
    """A survey as specified (YAML kept verbatim) with its responses."""

    key = models.CharField("id", max_length=100, unique=True)
    title = models.CharField("titel", max_length=300)
    year = models.PositiveSmallIntegerField("år")
    population = models.CharField(max_length=50, blank=True)
    comparable_with = models.JSONField(default=list, blank=True)
    spec_yaml = models.TextField()
    spec_import = models.ForeignKey(Import, on_delete=models.PROTECT, related_name="+")
    responses_import = models.ForeignKey(Import, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "key"]
        verbose_name = "enkät"
        verbose_name_plural = "enkäter"

    def __str__(self) -> str:
        return self.title


class SurveyIndicator(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    focus_area = models.ForeignKey(FocusArea, null=True, blank=True, on_delete=models.PROTECT)
    statement = models.TextField(blank=True)
    missing_mode = models.CharField(max_length=10, default="kleene")
    rule = models.JSONField()

    class Meta:
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="surveyindicator_survey_key_uniq")]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"


class SurveyRespondent(models.Model):
    """One respondent's answers, linked to the org unit it speaks for when the name or code matches."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents")
    key = models.CharField(max_length=200)
    respondent_type = models.CharField(max_length=50, blank=True)
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    row = models.PositiveIntegerField()
    answers = models.JSONField(default=dict)
    in_population = models.BooleanField(default=True)

    class Meta:
        ordering = ["survey", "row"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="surveyrespondent_survey_key_uniq")]

    def __str__(self) -> str:
        return self.key
