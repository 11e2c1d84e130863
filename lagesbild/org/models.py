from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
PATH_SEP = "/"


class OrgUnit(models.Model):
    """A unit of an organisation (nation, region, kommun, förvaltning, verksamhet, enhet).

    ``path`` is the materialised chain of codes from the root ("SE/08/"), so a subtree is a
    prefix query that an index answers on SQLite and PostgreSQL alike.
    """

    class Kind(models.TextChoices):
        NATION = "nation", "Nation"
        REGION = "region", "Region"
        KOMMUN = "kommun", "Kommun"
        FORVALTNING = "forvaltning", "Förvaltning"
        VERKSAMHET = "verksamhet", "Verksamhet"
        ENHET = "enhet", "Enhet"

    code = models.CharField("kod", max_length=64, unique=True)
    name = models.CharField("namn", max_length=200)
    kind = models.CharField("typ", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="överordnad"
    )
    path = models.CharField(max_length=1000, editable=False)
    # Where this unit's history lands in today's organisation: its own path while it is
    # active, the path of its current successor once a reorganisation has closed it.
    # Roll-ups "mapped onto today's structure" filter on this, "as it was" on ``path``.
    current_path = models.CharField(max_length=1000, blank=True, default="", db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    county_code = models.CharField("länskod", max_length=2, blank=True)
    valid_from = models.DateField("giltig från", null=True, blank=True)
    valid_to = models.DateField("giltig till", null=True, blank=True)
    # The import that last created or changed this unit (None: reference data or edited in the UI).
    source_import = models.ForeignKey(
        "ingest.Import", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["path"]
        verbose_name = "organisationsenhet"
        verbose_name_plural = "organisationsenheter"
        indexes = [
            models.Index(fields=["path"], name="orgunit_path_idx"),
            models.Index(fields=["kind", "code"], name="orgunit_kind_code_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not CODE_RE.match(self.code or ""):
            raise ValidationError({"code": "Koden får bara innehålla bokstäver, siffror, punkt, bindestreck och understreck."})
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "Slutdatum ligger före startdatum."})

    def save(self, *args, **kwargs):
        if not CODE_RE.match(self.code or ""):
            raise ValidationError(f"Ogiltig enhetskod: {self.code!r}")
        prefix = self.parent.path if self.parent_id else ""
        self.path = f"{prefix}{self.code}{PATH_SEP}"
        self.depth = self.path.count(PATH_SEP) - 1
        if not self.current_path:
            self.current_path = self.path
        super().save(*args, **kwargs)

    def is_within(self, other: "OrgUnit") -> bool:
        """True when this unit lies in ``other``'s subtree (or is it)."""
        return self.path.startswith(other.path)


class Succession(models.Model):
    """A reorganisation step: ``predecessor`` was closed and ``successor`` took over on ``date``.

    A closed unit may have several successors (a split) and a successor several predecessors
    (a merger). The earliest succession (by date, then id) decides where the predecessor's
    history lands in today's organisation (``OrgUnit.current_path``).
    """

    predecessor = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="succeeded_by", verbose_name="föregångare"
    )
    successor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="succeeds", verbose_name="efterträdare")
    date = models.DateField("datum")
    note = models.CharField("anteckning", max_length=500, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = "omorganisation"
        verbose_name_plural = "omorganisationer"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_pred_succ_uniq"),
            models.CheckConstraint(condition=~models.Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.date:%Y-%m-%d})"


class Membership(models.Model):
    """A user's role in a subtree of the organisation."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Administratör"
        STRATEGIST = "strategist", "Strateg"
        MANAGER = "manager", "Chef"
        READER = "reader", "Läsare"
        CARE = "care", "Vårdpersonal (patientdata)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "org_unit"], name="membership_user_unit_uniq")]
        verbose_name = "behörighet"
        verbose_name_plural = "behörigheter"

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.org_unit}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Who did or saw what, when, from where. Append-only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True)
    channel = models.CharField(max_length=10, blank=True, help_text="web, api, cli or system")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "granskningshändelse"
        verbose_name_plural = "granskningslogg"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
