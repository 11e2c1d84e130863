"""Stored topics of the incident descriptions (docs/clusters.md).

A ``TopicModel`` is one explicit fit (``clusters.refit``): the fitted model as bytes
(``calc.text_clusters.Model.to_bytes``: vocabulary of stems and character n-grams, idf, topic
vectors; no personal data), its topics with their labels, and every incident's assignment under it.
The newest model is the current one; new incidents are projected onto its stored topic vectors
(``clusters.assign_new``), so a topic's number means the same until the next refit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .models import Incident


class TopicModel(models.Model):
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_name = models.CharField("skapad av", max_length=150, blank=True)  # "" for the system
    k = models.PositiveSmallIntegerField("antal mönster")  # found (the fit is asked for at most so many)
    texts = models.PositiveIntegerField("antal texter")  # non-empty descriptions the fit saw
    data = models.BinaryField("modell")

    class Meta:
        verbose_name = "mönstermodell"
        verbose_name_plural = "mönstermodeller"
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Mönstermodell {self.pk} ({self.k} mönster)"

    @classmethod
    def current(cls) -> TopicModel | None:
        return cls.objects.order_by("-pk").first()


class Topic(models.Model):
    model = models.ForeignKey(TopicModel, on_delete=models.CASCADE, related_name="topics")
    number = models.PositiveSmallIntegerField("nummer")  # 1..k, the largest at the fit first
    label = models.CharField("etikett", max_length=200)
    top_words = models.JSONField("toppord", default=list)

    class Meta:
        verbose_name = "mönster"
        verbose_name_plural = "mönster"
        ordering = ["model", "number"]
        constraints = [models.UniqueConstraint(fields=["model", "number"], name="incidents_topic_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"


class TopicAssignment(models.Model):
    """An incident's topic under a model; ``topic`` None is "övrigt" (no dominant topic)."""

    model = models.ForeignKey(TopicModel, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="topic_assignments")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    weight = models.FloatField("andel")  # the dominant topic's share of the text's topic weight
    assigned_at = models.DateTimeField("tilldelad", auto_now=True)

    class Meta:
        verbose_name = "mönstertillhörighet"
        verbose_name_plural = "mönstertillhörigheter"
        constraints = [models.UniqueConstraint(fields=["model", "incident"], name="incidents_topic_assignment")]
        indexes = [models.Index(fields=["model", "topic"], name="incidents_topic_assign_topic")]
