"""The arithmetic facts of the measures the demo files use: unit, decimals, direction, frequency.

Pure Python, so ``verify`` runs without a database. The full definitions live in the starter
catalogue (lagesbild/catalogue/data/startkatalog.yaml); a test checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeasureSpec:
    code: str
    unit: str  # percent, per_100, per_1000, index (see calc.ratio.MULTIPLIERS)
    decimals: int
    direction: str  # higher or lower (is better)
    frequency: str  # month, quarter, tertial, year, biennial


MEASURES: dict[str, MeasureSpec] = {
    m.code: m
    for m in (
        MeasureSpec("riskbedomning-70-24h", "percent", 1, "higher", "month"),
        MeasureSpec("atgard-24h-fallrisk", "percent", 1, "higher", "month"),
        MeasureSpec("atgard-24h-trycksar", "percent", 1, "higher", "month"),
        MeasureSpec("atgard-24h-undernaring", "percent", 1, "higher", "month"),
        MeasureSpec("trycksar-sjukhusforvarvade", "percent", 1, "lower", "tertial"),
        MeasureSpec("vardskador-vardtillfallen", "percent", 1, "lower", "year"),
        MeasureSpec("vri", "percent", 1, "lower", "tertial"),
        MeasureSpec("basala-hygienrutiner", "percent", 1, "higher", "month"),
        MeasureSpec("antibiotika-recept-1000", "per_1000", 0, "lower", "quarter"),
        MeasureSpec("utskrivningsklara-vardagar", "percent", 1, "lower", "month"),
        MeasureSpec("overbelaggningar-100", "per_100", 1, "lower", "month"),
        MeasureSpec("utlokaliseringar-100", "per_100", 1, "lower", "month"),
        MeasureSpec("hse-index", "index", 0, "higher", "biennial"),
        MeasureSpec("avvikelser-28-dagar", "percent", 1, "higher", "month"),
    )
}
