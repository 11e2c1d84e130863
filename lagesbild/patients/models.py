"""Patient-level records: care episodes with their risk assessments, preventive actions and ward
movements, as imported from the patient record system.

No identity number is stored: an episode holds the keyed pseudonym made at import
(``calc.identity.pseudonym``) and the age and sex derived before the number was dropped. The
episode id is the record system's own vårdtillfälle id, so a ward can find the patient there.
"""

from __future__ import annotations

from django.db import models

from lagesbild.ingest.models import Import
from lagesbild.org.models import OrgUnit


class Kind(models.TextChoices):
    FALL = "fall", "Fallrisk"
    PRESSURE_ULCER = "trycksar", "Trycksår"
    MALNUTRITION = "undernaring", "Undernäring"


class Sex(models.TextChoices):
    WOMAN = "K", "Kvinna"
    MAN = "M", "Man"


class Episode(models.Model):
    """A care episode (vårdtillfälle) on its admitting ward; each readmission is an episode."""

    episode = models.CharField("vårdtillfälle", max_length=64, unique=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="inskrivande enhet")
    pseudonym = models.CharField(max_length=90, db_index=True)
    age = models.PositiveSmallIntegerField("ålder vid inskrivning")
    sex = models.CharField("kön", max_length=1, choices=Sex.choices)
    admitted_at = models.DateTimeField("inskriven")
    discharged_at = models.DateTimeField("utskriven", null=True, blank=True)
    bed = models.CharField("sal/säng", max_length=20, blank=True)
    source_import = models.ForeignKey(Import, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # the ward view: who is admitted now on a ward
            models.Index(fields=["unit", "discharged_at", "admitted_at"], name="patients_episode_ward"),
            # the monthly measures: a ward's admissions in a period
            models.Index(fields=["unit", "admitted_at"], name="patients_episode_month"),
        ]
        verbose_name = "vårdtillfälle"
        verbose_name_plural = "vårdtillfällen"

    def __str__(self) -> str:
        return self.episode


class Assessment(models.Model):
    """A risk assessment of one kind, with whether it found a risk."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    performed_at = models.DateTimeField("utförd")
    risk = models.BooleanField("risk")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "kind", "performed_at"], name="patients_assessment_key")]
        verbose_name = "riskbedömning"
        verbose_name_plural = "riskbedömningar"


class PreventiveAction(models.Model):
    """A preventive action of one kind started for the episode."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField("påbörjad")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "kind", "started_at"], name="patients_action_key")]
        verbose_name = "förebyggande åtgärd"
        verbose_name_plural = "förebyggande åtgärder"


class Movement(models.Model):
    """A move of the patient to another ward during the episode (the ward view shows the patient
    where they are now; the measures stay with the admitting ward)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="movements")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField("flyttad")
    bed = models.CharField("sal/säng", max_length=20, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "moved_at"], name="patients_movement_key")]
        verbose_name = "förflyttning"
        verbose_name_plural = "förflyttningar"
