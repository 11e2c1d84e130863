from django.db import models


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
