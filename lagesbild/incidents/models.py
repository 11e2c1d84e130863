"""Incidents as the incident system exports them, read through a saved mapping per source.

The description is personal data: it is stored, shown only within the user's scope, never logged
or echoed in an error, and blanked after the retention (``services.purge``).
"""

from __future__ import annotations

from django.db import models

from lagesbild.calc import complaint_stats
from lagesbild.calc import incident_stats as stats
from lagesbild.ingest.models import Import
from lagesbild.org.models import OrgUnit


class Source(models.Model):
    """An export layout: the mapping (YAML, the contract's form) the next export is read with."""

    class Kind(models.TextChoices):
        INCIDENTS = "incidents", "Avvikelser"
        COMPLAINTS = "complaints", "Klagomål och skadeanmälningar"

    name = models.CharField("källa", max_length=120, unique=True)
    kind = models.CharField("slag", max_length=20, choices=Kind.choices, default=Kind.INCIDENTS)
    # The unit whose exports these are (a region, a förvaltning): who sees, edits and imports
    # through the source. None: the whole installation (the system and superusers only).
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="ägare")
    mapping = models.TextField("mappning (YAML)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "avvikelsekälla"
        verbose_name_plural = "avvikelsekällor"

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="incidents")
    case = models.CharField("ärendenummer", max_length=64)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    reported = models.DateField("registrerad")
    occurred = models.DateField("inträffad", null=True, blank=True)
    closed = models.DateField("avslutad", null=True, blank=True)
    type = models.CharField("händelsetyp", max_length=200)
    cause = models.CharField("orsak", max_length=200, blank=True)
    severity = models.CharField("allvarlighetsgrad", max_length=100, blank=True)
    lex_maria = models.BooleanField("lex Maria", default=False)
    description = models.TextField("beskrivning", blank=True)  # personal data
    source_import = models.ForeignKey(Import, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "avvikelse"
        verbose_name_plural = "avvikelser"
        constraints = [models.UniqueConstraint(fields=["source", "case"], name="incidents_incident_case")]
        indexes = [models.Index(fields=["unit", "reported"], name="incidents_unit_reported"),
                   # the open cases of a subtree, without reading the closed ones
                   models.Index(fields=["unit", "reported"], condition=models.Q(closed__isnull=True),
                                name="incidents_open")]

    def __str__(self) -> str:
        return f"{self.source} {self.case}"

    # The fields the arithmetic reads (calc.incident_stats); the description is never among them.
    RECORD_FIELDS = ("case", "reported", "unit_id", "type", "closed", "cause", "lex_maria")

    def as_record(self) -> stats.Incident:
        return stats.Incident(self.case, self.reported, str(self.unit_id), self.type, self.closed, self.cause,
                              self.lex_maria)


class IncidentMonth(models.Model):
    """How many incidents a unit registered in a month: kept by the import (services.count_months)
    for every unit and month it touches, so a page's monthly counts over years read a few
    thousand rows instead of every incident."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day
    incidents = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="incidents_month_cell")]


class Complaint(models.Model):
    """A complaint or claim as one channel's export gives it (calc.complaint_stats.Complaint)."""

    Channel = models.TextChoices("Channel", {k.upper(): (k, label) for k, label in complaint_stats.CHANNELS.items()})

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="complaints")
    case = models.CharField("ärendenummer", max_length=64)
    channel = models.CharField("kanal", max_length=20, choices=Channel.choices)
    received = models.DateField("inkom")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    category = models.CharField("kategori", max_length=200, blank=True)
    sex = models.CharField("kön", max_length=1, blank=True)  # "K", "M" or "" (not given)
    forwarded = models.BooleanField("skickat till vårdgivaren", null=True)
    action_taken = models.BooleanField("åtgärd vidtagen", null=True)
    description = models.TextField("beskrivning", blank=True)  # personal data
    source_import = models.ForeignKey(Import, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "klagomål"
        verbose_name_plural = "klagomål"
        constraints = [models.UniqueConstraint(fields=["source", "case"], name="incidents_complaint_case")]
        indexes = [models.Index(fields=["unit", "received"], name="incidents_complaint_unit")]

    def __str__(self) -> str:
        return f"{self.source} {self.case}"

    RECORD_FIELDS = ("case", "received", "unit_id", "channel", "category", "sex", "forwarded", "action_taken")

    def as_record(self) -> complaint_stats.Complaint:
        return complaint_stats.Complaint(self.case, self.received, str(self.unit_id), self.channel, self.category,
                                         self.sex, self.forwarded, self.action_taken)


from .topic_models import Topic, TopicAssignment, TopicModel  # noqa: E402,F401  (text clustering, docs/clusters.md)
