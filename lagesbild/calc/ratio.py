"""Ratios of summed counts, half-up rounding and the Wilson score interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from . import units

# Two-sided 95 % normal quantile.
Z95 = 1.959963984540054


def round_half_up(value: Decimal | int, decimals: int = 1) -> Decimal:
    """Round a Decimal half-up (away from zero on a tie) to ``decimals`` places."""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    quantum = Decimal(1).scaleb(-decimals)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def exact_percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator × 100 to 28 significant digits, unrounded; None when denominator is 0."""
    if denominator == 0:
        return None
    return Decimal(numerator) * 100 / Decimal(denominator)


def change_in_points(now: "Ratio", before: "Ratio", decimals: int = 1) -> Decimal | None:
    """Change in percentage points between two ratios, from the exact values, rounded once."""
    a, b = exact_percent(now.numerator, now.denominator), exact_percent(before.numerator, before.denominator)
    if a is None or b is None:
        return None
    return round_half_up(a - b, decimals)


def percent(numerator: int, denominator: int, decimals: int = 1) -> Decimal | None:
    """numerator / denominator × 100, exact until rounded half-up; None when denominator is 0."""
    if denominator == 0:
        return None
    if numerator < 0 or denominator < 0:
        raise ValueError("counts cannot be negative")
    return round_half_up(Decimal(numerator) * 100 / Decimal(denominator), decimals)


@dataclass(frozen=True)
class Ratio:
    """A numerator over a denominator. Add ratios to roll them up; never average percentages."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.numerator < 0 or self.denominator < 0:
            raise ValueError("counts cannot be negative")

    def __add__(self, other: "Ratio") -> "Ratio":
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)

    @classmethod
    def total(cls, ratios: Iterable["Ratio"]) -> "Ratio":
        num = den = 0
        for r in ratios:
            num += r.numerator
            den += r.denominator
        return cls(num, den)

    def percent(self, decimals: int = 1) -> Decimal | None:
        return percent(self.numerator, self.denominator, decimals)

    def wilson(self, z: float = Z95, decimals: int = 1) -> tuple[Decimal, Decimal] | None:
        return wilson_interval(self.numerator, self.denominator, z, decimals)


def wilson_interval(
    successes: int, n: int, z: float = Z95, decimals: int = 1
) -> tuple[Decimal, Decimal] | None:
    """Wilson score interval for a proportion, as percentages rounded half-up.

    Returns None when n is 0. The bounds are computed in floating point (they need a
    square root) and converted to Decimal through their shortest repr before rounding.
    """
    if n == 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denom = 1 + z2 / n
    low = max(0.0, (centre - margin) / denom)
    high = min(1.0, (centre + margin) / denom)
    return (
        round_half_up(Decimal(repr(low * 100)), decimals),
        round_half_up(Decimal(repr(high * 100)), decimals),
    )


# The units with a denominator and their factors, from the one registry.
MULTIPLIERS = {code: u.factor for code, u in units.UNITS.items() if u.has_denominator}


def rate(numerator: int, denominator: int | None, unit: str, decimals: int = 1) -> Decimal | None:
    """A measure's value from summed counts: numerator/denominator × the unit's multiplier, half-up.

    A ``count`` is the numerator itself. None when the denominator is 0 or missing.
    """
    if not units.UNITS[unit].has_denominator:
        return round_half_up(Decimal(numerator), decimals)
    if not denominator:
        return None
    return round_half_up(Decimal(numerator) * MULTIPLIERS[unit] / Decimal(denominator), decimals)
