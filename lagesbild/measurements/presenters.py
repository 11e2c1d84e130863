"""Measured values as people read them."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from lagesbild.calc import fmt


def format_value(measure, value: Optional[Decimal]) -> str:
    """A measured value in Swedish with the measure's unit: '81,3 %', '269 per 1 000', '–'."""
    if value is None:
        return fmt.DASH
    if measure is None:
        return fmt.number(value, 1)
    if measure.unit == "percent":
        return fmt.percent(value, measure.decimals)
    if measure.unit == "count":
        return fmt.number(value, 0)
    return fmt.number(value, measure.decimals)


def format_with_unit(measure, value: Optional[Decimal]) -> str:
    """As format_value, with the unit written out where it is not a percent: '269 per 1 000'."""
    text = format_value(measure, value)
    if value is None or measure is None or measure.unit in ("percent", "count", "index"):
        return text
    return f"{text} {measure.unit_suffix}".strip()
