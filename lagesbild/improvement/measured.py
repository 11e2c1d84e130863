"""The improvement cycle's view of the measure catalogue and the measured values.

Everything the cycle needs from measurements and catalogue passes through here, so the version
resolver and the selectors can be swapped in one place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterable, Optional

from lagesbild.calc import periods, status
from lagesbild.measurements import selectors

OFF_TARGET = {status.NOT_ACHIEVED}

# (unit, period) -> the measures that are off target there
OffTarget = Callable[[object, periods.Period], Iterable[object]]


def value_for(measure, unit, period: periods.Period) -> Optional[Decimal]:
    """The measured value as presented (rounded), or None without data."""
    return selectors.value_for(measure, unit, period)


def latest_year_with_data(unit) -> Optional[periods.Period]:
    """The latest calendar year with observations in ``unit``'s subtree, or None."""
    return selectors.latest_period_with_data(unit, periods.YEAR)


def default_off_target() -> OffTarget:
    """A callable naming a unit's off-target measures for a period."""

    def off_target(unit, period):
        return [s.measure for s in selectors.unit_statuses(unit, period) if s.status in OFF_TARGET]

    return off_target
