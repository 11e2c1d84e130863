"""Funnel plots for shares: FunnelPlotR's proportion method, to compare units fairly.

For units i with numerator rᵢ of denominator nᵢ and the pooled share p̄ = Σr / Σn:
- on the arcsine-square-root scale each unit's share is Yᵢ = asin(√(rᵢ/nᵢ)) with standard error
  sᵢ = 1 / (2√nᵢ), and its z-score is zᵢ = (Yᵢ − asin(√p̄)) / sᵢ;
- overdispersion: the z-scores are winsorised at their 10th and 90th percentiles (R's default
  quantile, type 7), φ = Σ z² / k over the k units, and when k·φ ≥ k − 1 the between-unit
  variance is τ² = max(0, (k·φ − (k − 1)) / (Σwᵢ − Σwᵢ² / Σwᵢ)) with wᵢ = 1/sᵢ²
  (DerSimonian–Laird), else 0;
- the limits at denominator n are sin²(asin(√p̄) ± z·√(1/(4n) + τ²)) with z = 1.959964 (95 %) and
  3.090232 (99.8 %), written as FunnelPlotR writes them; unadjusted limits use τ² = 0. Where the
  angle leaves [0, π/2] the limit is 0 or 1 (the curve would otherwise turn back).
A unit is outside a limit when its share is strictly below the lower or above the upper one.

Pure Python: no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

Z95, Z998 = 1.959964, 3.090232
TRIM = 0.1


@dataclass(frozen=True)
class Limits:
    lower95: float
    upper95: float
    lower998: float
    upper998: float


@dataclass(frozen=True)
class Unit:
    key: str
    numerator: int
    denominator: int
    share: float
    z: float
    unadjusted: Limits
    adjusted: Limits

    def outside(self, adjusted: bool = True, level: str = "998") -> str | None:
        """'high', 'low' or None against the chosen limits."""
        lim = self.adjusted if adjusted else self.unadjusted
        lower, upper = (lim.lower998, lim.upper998) if level == "998" else (lim.lower95, lim.upper95)
        return "high" if self.share > upper else "low" if self.share < lower else None


@dataclass(frozen=True)
class Funnel:
    target: float  # the pooled share p̄
    phi: float
    tau2: float
    units: tuple[Unit, ...]

    @property
    def overdispersed(self) -> bool:
        """FunnelPlotR draws the adjusted limits only when φ > 1."""
        return self.phi > 1


def quantile7(values: Sequence[float], p: float) -> float:
    """R's default quantile (type 7): linear between the order statistics at (n − 1)·p."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def limits(target: float, denominator: float, tau2: float = 0.0) -> Limits:
    centre = math.asin(math.sqrt(target))
    spread = math.sqrt(1 / (4 * denominator) + tau2)

    def at(z: float) -> float:
        angle = centre + z * spread
        return 0.0 if angle <= 0 else 1.0 if angle >= math.pi / 2 else math.sin(angle) ** 2

    return Limits(at(-Z95), at(Z95), at(-Z998), at(Z998))


def funnel(units: Sequence[tuple[str, int, int]], trim: float = TRIM, adjust: bool = True) -> Funnel:
    """``units`` as (key, numerator, denominator); every denominator positive, numerators within it.
    ``adjust=False``: no overdispersion adjustment (τ² = 0; φ is still computed and reported)."""
    if not units:
        raise ValueError("a funnel needs at least one unit")
    for key, r, n in units:
        if n <= 0 or r < 0 or r > n:
            raise ValueError(f"{key}: the numerator must lie between 0 and a positive denominator")
    target = sum(r for _, r, _ in units) / sum(n for _, _, n in units)
    centre = math.asin(math.sqrt(target))
    s = [1 / (2 * math.sqrt(n)) for _, _, n in units]
    z = [(math.asin(math.sqrt(r / n)) - centre) / si for (_, r, n), si in zip(units, s)]
    low, high = quantile7(z, trim), quantile7(z, 1 - trim)
    winsorised = [min(max(v, low), high) for v in z]
    k = len(units)
    phi = sum(v * v for v in winsorised) / k
    tau2 = 0.0
    if adjust and k * phi >= k - 1:
        w = [1 / (si * si) for si in s]
        spread = sum(w) - sum(x * x for x in w) / sum(w)
        tau2 = max(0.0, (k * phi - (k - 1)) / spread) if spread > 0 else 0.0
    return Funnel(target, phi, tau2, tuple(
        Unit(key, r, n, r / n, zi, limits(target, n), limits(target, n, tau2))
        for (key, r, n), zi in zip(units, z)))


def _pair(lower: float, upper: float) -> dict:
    return {"lower": lower, "upper": upper}


def as_json(f: Funnel) -> dict:
    """The funnel as plain JSON values (shares as fractions 0–1): the pooled share, φ, τ², and per
    unit its share, z, the four limit pairs at its denominator and whether it lies outside each."""
    levels = (("95", "95"), ("99.8", "998"))
    return {
        "mean": f.target, "phi": f.phi, "tau2": f.tau2, "overdispersed": f.overdispersed,
        "units": [{
            "unit": u.key, "numerator": u.numerator, "denominator": u.denominator, "share": u.share, "z": u.z,
            "limits": {"95": _pair(u.unadjusted.lower95, u.unadjusted.upper95),
                       "99.8": _pair(u.unadjusted.lower998, u.unadjusted.upper998)},
            "adjusted_limits": {"95": _pair(u.adjusted.lower95, u.adjusted.upper95),
                                "99.8": _pair(u.adjusted.lower998, u.adjusted.upper998)},
            "outside": {name: u.outside(adjusted=False, level=level) for name, level in levels},
            "outside_adjusted": {name: u.outside(adjusted=True, level=level) for name, level in levels},
        } for u in f.units],
    }
