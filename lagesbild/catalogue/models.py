from django.db import models

from lagesbild.calc import units


class ActionPlan(models.Model):
    """A national action plan, e.g. Agera för säker vård 2025–2030."""

    code = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    period_start = models.PositiveSmallIntegerField()
    period_end = models.PositiveSmallIntegerField()
    vision = models.TextField(blank=True)

    class Meta:
        verbose_name = "handlingsplan"
        verbose_name_plural = "handlingsplaner"

    def __str__(self) -> str:
        return self.title


class Foundation(models.Model):
    """One of the plan's foundations (grundförutsättningar)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="foundations")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="foundation_plan_number_uniq")]
        verbose_name = "grundförutsättning"
        verbose_name_plural = "grundförutsättningar"

    def __str__(self) -> str:
        return self.name


class FocusArea(models.Model):
    """One of the plan's focus areas (fokusområden), numbered 1–5."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="focus_areas")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="focusarea_plan_number_uniq")]
        verbose_name = "fokusområde"
        verbose_name_plural = "fokusområden"

    def __str__(self) -> str:
        return f"Fokusområde {self.number}. {self.name}"


class Measure(models.Model):
    """An indicator with the metadata fields of Socialstyrelsen's indicator handbook.

    A measure's arithmetic is always Σnumerator / Σdenominator × the unit's multiplier over the
    leaf observations below a unit (a ``count`` is Σnumerator). An ``index`` stores the sum of
    the respondents' index values over the number of respondents, so its mean also rolls up.
    """

    class Type(models.TextChoices):
        STRUKTUR = "struktur", "Struktur"
        PROCESS = "process", "Process"
        RESULTAT = "resultat", "Resultat"

    # The choices of the one unit registry (lagesbild.calc.units): Measure.Unit.PERCENT == "percent".
    Unit = models.TextChoices("Unit", {code.upper(): (code, label) for code, label in units.CHOICES})

    class Direction(models.TextChoices):
        HIGHER = "higher", "Högre är bättre"
        LOWER = "lower", "Lägre är bättre"

    class Frequency(models.TextChoices):
        MONTH = "month", "Månad"
        QUARTER = "quarter", "Kvartal"
        TERTIAL = "tertial", "Tertial"
        YEAR = "year", "År"
        BIENNIAL = "biennial", "Vartannat år"
        CONTINUOUS = "continuous", "Löpande"

    code = models.SlugField("kod", max_length=80)
    version = models.PositiveSmallIntegerField("version", default=1)
    title = models.CharField("namn", max_length=300)
    definition = models.TextField("definition", blank=True)
    measure_type = models.CharField("typ", max_length=20, choices=Type.choices)
    focus_area = models.ForeignKey(FocusArea, null=True, blank=True, on_delete=models.PROTECT, verbose_name="fokusområde")
    # A measure outside the focus areas may belong to one of the plan's foundations instead
    # (e.g. the HSE index to "En god säkerhetskultur").
    foundation = models.ForeignKey(
        Foundation, null=True, blank=True, on_delete=models.PROTECT, verbose_name="grundförutsättning"
    )
    unit = models.CharField("enhet", max_length=20, choices=Unit.choices)
    decimals = models.PositiveSmallIntegerField("decimaler", default=1)
    direction = models.CharField("riktning", max_length=10, choices=Direction.choices)
    numerator_definition = models.TextField("täljare", blank=True)
    denominator_definition = models.TextField("nämnare", blank=True)
    data_source = models.CharField("datakälla", max_length=300, blank=True)
    frequency = models.CharField("frekvens", max_length=20, choices=Frequency.choices, default=Frequency.MONTH)
    purpose = models.TextField("syfte", blank=True)
    interpretation = models.TextField("tolkning", blank=True)
    exclusions = models.TextField("exkluderingar", blank=True)
    limitations = models.TextField("felkällor och begränsningar", blank=True)
    comparable_with = models.JSONField("jämförbar med versioner", default=list, blank=True)
    valid_from = models.DateField("giltig från", null=True, blank=True)
    valid_to = models.DateField("giltig till", null=True, blank=True)

    class Meta:
        ordering = ["focus_area__number", "code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="measure_code_version_uniq")]
        verbose_name = "mått"
        verbose_name_plural = "mått"

    def __str__(self) -> str:
        return self.title

    @property
    def unit_info(self) -> units.Unit:
        """What the registry knows about this measure's unit (factor, suffix, axis title, …)."""
        return units.unit(self.unit)

    @property
    def has_denominator(self) -> bool:
        return self.unit_info.has_denominator

    @property
    def is_share(self) -> bool:
        """A share cannot have a numerator larger than its denominator."""
        return self.unit_info.is_share

    @property
    def unit_suffix(self) -> str:
        return self.unit_info.suffix

    @property
    def excel_format(self) -> str:
        return self.unit_info.excel_format(self.decimals)
