"""Reference data a flushed database needs again: the reference units (org), the national
action plan's framework and the starter catalogue (the migrations load them once; transactional
tests flush them)."""

from __future__ import annotations

from lagesbild.org.reference import ensure_units

from .framework import load_framework
from .models import ActionPlan, FocusArea, Foundation, Measure
from .services import load_starter_catalogue


def ensure_reference_data() -> None:
    ensure_units()
    if not ActionPlan.objects.exists():
        load_framework(ActionPlan, Foundation, FocusArea)
    if not Measure.objects.exists():
        load_starter_catalogue()
