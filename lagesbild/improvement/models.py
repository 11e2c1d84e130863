"""The improvement cycle (Mät → Analysera → Åtgärda → Följ upp) and local action plans.

An *analysis* belongs to one measure × unit × period; it carries *actions*, and each action is
followed up (did it have the intended effect, with the measured values before and after).

*Action plans* follow Region Jämtland Härjedalen's model: the region sets obligatory and
recommended activities per focus area (each with indicator, target and data source); every
division (the units directly below the region, usually förvaltningar) has its own plan that
inherits the region's and adds local activities.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from lagesbild.calc import periods
from lagesbild.catalogue.models import FocusArea, Foundation, Measure
from lagesbild.org.models import OrgUnit

GRANULARITY_CHOICES = [(g, periods.LABELS[g]) for g in periods.GRANULARITIES]


class Stamped(models.Model):
    """Who created a row and when it was created and last changed."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="skapad av",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    class Meta:
        abstract = True


class Analysis(Stamped):
    """The analysis of one measure's result for one unit and period (Analys av resultat)."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="analyses", verbose_name="mått")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="analyses", verbose_name="enhet")
    period_start = models.DateField("periodens början")
    granularity = models.CharField("periodtyp", max_length=10, choices=GRANULARITY_CHOICES, default=periods.MONTH)
    text = models.TextField("analys")

    class Meta:
        ordering = ["-period_start", "org_unit__path", "measure__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "org_unit", "period_start", "granularity"], name="analysis_measure_unit_period_uniq"
            )
        ]
        indexes = [models.Index(fields=["org_unit", "period_start"], name="analysis_unit_period_idx")]
        verbose_name = "analys"
        verbose_name_plural = "analyser"

    def __str__(self) -> str:
        return f"{self.measure} – {self.org_unit} – {self.period.label}"

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.period_start, self.granularity)


class Action(Stamped):
    """A decided action (Åtgärd) with an owner, a due date and a status."""

    class Status(models.TextChoices):
        PLANNED = "planerad", "Planerad"
        IN_PROGRESS = "pagar", "Pågår"
        DONE = "klar", "Klar"
        CANCELLED = "avbruten", "Avbruten"

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="actions", verbose_name="analys")
    title = models.CharField("åtgärd", max_length=300)
    description = models.TextField("beskrivning", blank=True)
    owner_name = models.CharField("ansvarig", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="improvement_actions",
        verbose_name="ansvarig användare",
    )
    due_date = models.DateField("klar senast")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.PLANNED)
    completed_on = models.DateField("klar den", null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_status_due_idx")]
        verbose_name = "åtgärd"
        verbose_name_plural = "åtgärder"

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: date | None = None) -> bool:
        """Not finished (klar) nor cancelled (avbruten), and the due date has passed."""
        return self.is_open and self.due_date < (today or timezone.localdate())


class FollowUp(Stamped):
    """Uppföljning av åtgärd: did the action have the intended effect?"""

    class Effect(models.TextChoices):
        YES = "ja", "Ja"
        PARTLY = "delvis", "Delvis"
        NO = "nej", "Nej"
        TOO_EARLY = "for_tidigt", "För tidigt att säga"

    class Source(models.TextChoices):
        NONE = "", "–"
        MEASURED = "matt", "Uppmätt"
        MANUAL = "manuell", "Inmatat"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="åtgärd")
    date = models.DateField("datum")
    effect = models.CharField("avsedd effekt", max_length=12, choices=Effect.choices)
    comment = models.TextField("kommentar", blank=True)
    period_before = models.CharField("period före", max_length=10, blank=True)
    value_before = models.DecimalField("värde före", max_digits=16, decimal_places=4, null=True, blank=True)
    value_before_source = models.CharField(max_length=8, choices=Source.choices, blank=True, default="")
    period_after = models.CharField("period efter", max_length=10, blank=True)
    value_after = models.DecimalField("värde efter", max_digits=16, decimal_places=4, null=True, blank=True)
    value_after_source = models.CharField(max_length=8, choices=Source.choices, blank=True, default="")

    class Meta:
        ordering = ["date", "id"]
        verbose_name = "uppföljning"
        verbose_name_plural = "uppföljningar"

    def __str__(self) -> str:
        return f"{self.action} – {self.date}"

    @staticmethod
    def _label(key: str) -> str:
        try:
            return periods.Period.parse(key).label if key else ""
        except ValueError:
            return key

    @property
    def period_before_label(self) -> str:
        return self._label(self.period_before)

    @property
    def period_after_label(self) -> str:
        return self._label(self.period_after)


class ActionPlan(Stamped):
    """A region's or a division's patient-safety action plan for a range of years.

    A region plan has no parent; a division's plan has the region plan as ``parent`` and
    inherits its activities (read-only there), adding local ones.
    """

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="improvement_plans", verbose_name="enhet")
    year_from = models.PositiveSmallIntegerField("från år")
    year_to = models.PositiveSmallIntegerField("till år")
    title = models.CharField("namn", max_length=300)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name="ärver från",
    )

    class Meta:
        ordering = ["org_unit__path", "-year_from"]
        verbose_name = "lokal handlingsplan"
        verbose_name_plural = "lokala handlingsplaner"

    def __str__(self) -> str:
        return self.title

    def covers(self, year: int) -> bool:
        return self.year_from <= year <= self.year_to

    @property
    def years_label(self) -> str:
        return str(self.year_from) if self.year_from == self.year_to else f"{self.year_from}\u2013{self.year_to}"


class PlanActivity(Stamped):
    """One activity of a plan: Aktivitet, Indikator, Mål, Datakälla (seed 002)."""

    class Kind(models.TextChoices):
        OBLIGATORY = "obligatorisk", "Obligatorisk"
        RECOMMENDED = "rekommenderad", "Rekommenderad"
        LOCAL = "lokal", "Lokal"

    REGION_KINDS = (Kind.OBLIGATORY, Kind.RECOMMENDED)
    KIND_ORDER = {Kind.OBLIGATORY: 0, Kind.RECOMMENDED: 1, Kind.LOCAL: 2}

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities", verbose_name="plan")
    focus_area = models.ForeignKey(
        FocusArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="fokusområde"
    )
    foundation = models.ForeignKey(
        Foundation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="grundförutsättning"
    )
    kind = models.CharField("typ", max_length=14, choices=Kind.choices)
    title = models.CharField("aktivitet", max_length=500)
    description = models.TextField("beskrivning", blank=True)
    indicator = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_activities", verbose_name="indikator (mått)"
    )
    indicator_text = models.CharField("indikator", max_length=500, blank=True)
    target_text = models.CharField("mål", max_length=300, blank=True)
    data_source = models.CharField("datakälla", max_length=300, blank=True)
    responsible = models.CharField("ansvarig", max_length=200, blank=True)
    due_date = models.DateField("klart senast", null=True, blank=True)

    class Meta:
        ordering = ["focus_area__number", "id"]
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"

    def __str__(self) -> str:
        return self.title

    @property
    def indicator_label(self) -> str:
        """The indicator as written in the plan, else the linked measure's title."""
        return self.indicator_text or (self.indicator.title if self.indicator_id else "")
