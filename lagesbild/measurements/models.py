from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from lagesbild.calc import periods, status
from lagesbild.catalogue.models import Measure
from lagesbild.ingest.models import Import
from lagesbild.org.models import OrgUnit

GRANULARITY_CHOICES = [(g, periods.LABELS[g]) for g in periods.GRANULARITIES]


class Observation(models.Model):
    """A leaf fact: measure × unit × period (× sex × age band) → numerator, denominator.

    Unique on its key, so a re-import updates instead of duplicating. Counts are integers; an
    index measure stores the sum of index values in the numerator.
    """

    class Sex(models.TextChoices):
        ALL = "", "Alla"
        WOMEN = "K", "Kvinnor"
        MEN = "M", "Män"

    class Status(models.TextChoices):
        PRELIMINARY = "preliminary", "Preliminär"
        FINAL = "final", "Slutlig"

    # No single-column indexes on these two: the unique key leads with the measure and the
    # roll-up index with the unit, and every extra index costs on a million-row import.
    # No foreign-key constraints in the database either (db_constraint=False): checking three of
    # them per row took a quarter of a million-row import. The one writer, services, takes the
    # ids from lookups in its own transaction and locks the referenced units and measures against
    # deletion until it commits (what the constraint's check does, once per unit instead of once
    # per row); Django's PROTECT refuses to delete a unit, measure or import that has rows.
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="observations", db_index=False,
                                db_constraint=False)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="observations", db_index=False,
                                 db_constraint=False)
    period_start = models.DateField()
    granularity = models.CharField(max_length=10, choices=GRANULARITY_CHOICES, default=periods.MONTH)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True, default="")
    age_band = models.CharField(max_length=20, blank=True, default="")
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FINAL)
    # Provenance only: nothing looks observations up by their import, and imports are never
    # deleted, so no index (it would cost on every imported row and take 200 MB at 30 M rows).
    source_import = models.ForeignKey(Import, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      db_index=False, db_constraint=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "org_unit", "period_start", "granularity", "sex", "age_band"],
                name="observation_key_uniq",
            )
        ]
        # The roll-up index: a subtree's units × a range of months, all measures at once (the
        # dashboard). On PostgreSQL it covers the summed columns, so a roll-up is an index-only
        # scan that never visits the table (SQLite ignores INCLUDE). Single-measure queries over
        # many units use the unique key, which leads with the measure.
        indexes = [
            models.Index(fields=["org_unit", "period_start", "measure"], include=["granularity", "numerator", "denominator"],
                         name="observation_rollup_idx"),
        ]
        verbose_name = "observation"
        verbose_name_plural = "observationer"


NO_DATE = date(1, 1, 1)  # stands for a missing valid_from in Target's key


class Target(models.Model):
    """A target set at a unit; it holds for the unit's subtree unless a unit below overrides it."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="targets")
    comparator = models.CharField(max_length=2, choices=[(c, c) for c in status.COMPARATORS])
    value = models.DecimalField(max_digits=12, decimal_places=3)
    warning_band = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True,
        help_text="Ett värde som missar målet med högst så mycket räknas som nära.",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["measure", "org_unit__path", "-valid_from"]
        # The key the importer upserts on; a target without valid_from is one key too (NULL is
        # not distinct here), hence the expression instead of plain fields.
        constraints = [
            models.UniqueConstraint(F("measure"), F("org_unit"), Coalesce("valid_from", Value(NO_DATE)),
                                    name="target_key_uniq"),
        ]
        verbose_name = "mål"
        verbose_name_plural = "mål"

    def __str__(self) -> str:
        return f"{self.measure}: {self.comparator} {self.value}"


class ReferenceObservation(models.Model):
    """A published figure for comparison ("riket", another region), kept apart from the leaf
    observations so that it never enters a roll-up."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    granularity = models.CharField(max_length=10, choices=GRANULARITY_CHOICES, default=periods.MONTH)
    sex = models.CharField(max_length=1, choices=Observation.Sex.choices, blank=True, default="")
    age_band = models.CharField(max_length=20, blank=True, default="")
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField(null=True, blank=True)
    source_import = models.ForeignKey(Import, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "org_unit", "period_start", "granularity", "sex", "age_band"],
                name="referenceobservation_key_uniq",
            )
        ]


class SubtreeSum(models.Model):
    """Σ of the observations below a unit (its strict descendants, as the organisation was) per
    measure × period start × granularity: numerator, denominator and the number of rows.

    A unit's roll-up is its own observations plus these sums, two index lookups instead of a scan
    of every leaf below it. Written only by ``subtree_sums`` in the transaction that changes the
    observations or the tree, so it is never stale; ``lagesbild data rebuild-sums`` recomputes it.
    """

    # Derived rows: no database constraint to check on each of them (Django still cascades).
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False,
                                 db_constraint=False)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+", db_index=False,
                                db_constraint=False)
    period_start = models.DateField()
    granularity = models.CharField(max_length=10, choices=GRANULARITY_CHOICES)
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField(null=True)
    row_count = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "period_start", "measure", "granularity"],
                                    name="subtreesum_key_uniq"),
        ]
        verbose_name = "delsumma"
        verbose_name_plural = "delsummor"


# --- control charts (calc.spc): settings of a measure and rebases ------------------------------

RUN_LENGTHS = (7, 6)  # points in a trend or a shift: the contract's 7, or 6 as some teams use


class SpcSetting(models.Model):
    """How the control chart of a measure is drawn, keyed by the measure's code: the catalogue's
    Measure is versioned (a new version is a new row), and these belong to the measure across its
    versions, as targets do. A measure without a row is drawn with the defaults."""

    measure_code = models.CharField(max_length=80, unique=True)
    fix_after = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Medelvärde och gränser från de första N punkterna i varje grupp (tomt: alla).")
    run_length = models.PositiveSmallIntegerField(default=7, choices=[(n, f"{n} punkter") for n in RUN_LENGTHS])
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "styrdiagraminställning"
        verbose_name_plural = "styrdiagraminställningar"

    def __str__(self) -> str:
        return f"{self.measure_code}: fix {self.fix_after or '–'}, run {self.run_length}"


class Rebase(models.Model):
    """A new baseline ("ny baslinje") for a measure's control chart from a month on, at a unit:
    the chart of the unit and of every unit below it starts a new group at that month. The reason
    is mandatory (Making Data Count: rebase only for a known change in the process)."""

    measure_code = models.CharField(max_length=80)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="Första dagen i månaden då den nya baslinjen börjar.")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["measure_code", "month", "org_unit__path"]
        # The key leads with the code: the dashboard reads the rebases of all its measures at once.
        constraints = [models.UniqueConstraint(fields=["measure_code", "org_unit", "month"], name="rebase_key_uniq")]
        verbose_name = "ny baslinje"
        verbose_name_plural = "nya baslinjer"

    def __str__(self) -> str:
        return f"{self.measure_code} @ {self.org_unit_id} från {self.month:%Y-%m}"
