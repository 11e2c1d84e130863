"""The bridge to measured values, which live in the measurements app.

``lagesbild.measurements.selectors`` may not provide ``value_for`` / ``unit_statuses`` (yet);
everything here degrades to "unknown" instead of failing, so the improvement cycle works on
its own and users can type the values themselves.
"""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Callable, Iterable, Optional

from lagesbild.calc import fmt, periods, status

OFF_TARGET = {status.NOT_ACHIEVED}

# (unit, period) -> the measures that are off target there
OffTarget = Callable[[object, periods.Period], Iterable[object]]


def _selector(name: str):
    try:
        selectors = importlib.import_module("lagesbild.measurements.selectors")
    except ImportError:
        return None
    return getattr(selectors, name, None)


def available() -> bool:
    """True when the measurements app can tell a measured value."""
    return _selector("value_for") is not None


def value_for(measure, unit, period: periods.Period) -> Optional[Decimal]:
    """The measured value as presented (rounded), or None when unknown or not available."""
    fn = _selector("value_for")
    if fn is None:
        return None
    return fn(measure, unit, period)


def default_off_target() -> Optional[OffTarget]:
    """A callable naming a unit's off-target measures, or None when statuses are not available."""
    fn = _selector("unit_statuses")
    if fn is None:
        return None

    def off_target(unit, period):
        return [s.measure for s in fn(unit, period) if getattr(s, "status", None) in OFF_TARGET]

    return off_target


def format_value(measure, value: Optional[Decimal]) -> str:
    """A measured value in Swedish, with the measure's unit: '81,3 %', '4,2 per 1 000', '–'."""
    if value is None:
        return fmt.DASH
    decimals = measure.decimals if measure is not None else 1
    if measure is None:
        return fmt.number(value, decimals)
    if measure.unit == "percent":
        return fmt.percent(value, decimals)
    if measure.unit == "count":
        return fmt.number(value, 0)
    suffix = measure.unit_suffix
    return f"{fmt.number(value, decimals)} {suffix}".strip()
