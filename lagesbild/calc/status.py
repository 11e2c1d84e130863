"""Status of a value against a target: uppnått, nära, ej uppnått, saknar data."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

ACHIEVED, NEAR, NOT_ACHIEVED, NO_DATA = "uppnatt", "nara", "ej_uppnatt", "saknar_data"
LABELS = {ACHIEVED: "Uppnått", NEAR: "Nära", NOT_ACHIEVED: "Ej uppnått", NO_DATA: "Saknar data"}
COMPARATORS = (">=", ">", "<=", "<")
HIGHER, LOWER = "higher", "lower"


def meets(value: Decimal, comparator: str, target: Decimal) -> bool:
    if comparator == ">=":
        return value >= target
    if comparator == ">":
        return value > target
    if comparator == "<=":
        return value <= target
    if comparator == "<":
        return value < target
    raise ValueError(f"unknown comparator {comparator!r}")


def status(
    value: Optional[Decimal], comparator: Optional[str], target: Optional[Decimal], band: Optional[Decimal] = None
) -> Optional[str]:
    """The status of ``value`` (as presented, i.e. already rounded) against a target.

    ``band`` is the warning band: a value that misses the target by no more than ``band`` is
    *nära*. Returns None when there is no target (nothing to judge against).
    """
    if value is None:
        return NO_DATA
    if comparator is None or target is None:
        return None
    if meets(value, comparator, target):
        return ACHIEVED
    if band is not None and band > 0 and abs(value - target) <= band:
        return NEAR
    return NOT_ACHIEVED


def trend(now: Optional[Decimal], before: Optional[Decimal], direction: str) -> Optional[str]:
    """'better', 'worse' or 'same' honouring the direction; None when either is missing."""
    if now is None or before is None:
        return None
    if now == before:
        return "same"
    up = now > before
    return "better" if up == (direction == HIGHER) else "worse"
