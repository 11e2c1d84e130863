import hashlib

from django.conf import settings
from django.db import models


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Import(models.Model):
    """One file that was offered for import, whatever came of it. Every stored fact points to one."""

    class Outcome(models.TextChoices):
        OK = "ok", "Importerad"
        UNCHANGED = "unchanged", "Oförändrad (samma fil redan importerad)"
        FAILED = "failed", "Avvisad"

    kind = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=10, blank=True, help_text="web, api, cli or system")
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    problems = models.JSONField(default=list, blank=True)
    target = models.CharField(max_length=200, blank=True, help_text="What the import wrote to, e.g. a survey id.")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "import"
        verbose_name_plural = "importer"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_outcome_display()})"
