"""A tiny inline SVG sparkline: polylines, no library needed for a dozen points."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Optional, Sequence

LINE, GAP = "#005eb8", "#aeb7c2"


def _runs(values: Sequence[Optional[Decimal]]) -> list[tuple[bool, int, int]]:
    """(has data, first index, last index) for each unbroken run of known or of missing values."""
    runs: list[tuple[bool, int, int]] = []
    for i, v in enumerate(values):
        known = v is not None
        if runs and runs[-1][0] == known:
            runs[-1] = (known, runs[-1][1], i)
        else:
            runs.append((known, i, i))
    return runs


def sparkline(values: Sequence[Optional[Decimal]], label: str, width: int = 120, height: int = 28) -> str:
    """An accessible SVG line through the known values. Months without data are a gap: the line
    breaks and a faint dotted baseline marks the missing months; a value with a gap on both
    sides is a dot. The label says how many months have no data."""
    known = [float(v) for v in values if v is not None]
    if not known:
        return f'<svg class="spark" role="img" aria-label="{escape(label)}: inga data" width="{width}" height="{height}"></svg>'
    lo, hi = min(known), max(known)
    span = (hi - lo) or 1.0
    step = (width - 6) / max(len(values) - 1, 1)

    def x(i: int) -> float:
        return 3 + i * step

    def y(v: Decimal) -> float:
        return height - 5 - (float(v) - lo) / span * (height - 9)

    parts = []
    for has_data, first, last in _runs(values):
        if not has_data:
            parts.append(f'<line class="gap" x1="{x(first) - step / 2 if first else x(0):.1f}" '
                         f'x2="{x(last) + step / 2 if last < len(values) - 1 else x(last):.1f}" y1="{height - 1}" '
                         f'y2="{height - 1}" stroke="{GAP}" stroke-width="1.5" stroke-dasharray="2 2"/>')
        elif first == last:
            parts.append(f'<circle cx="{x(first):.1f}" cy="{y(values[first]):.1f}" r="2.5" fill="{LINE}"/>')
        else:
            points = " ".join(f"{x(i):.1f},{y(values[i]):.1f}" for i in range(first, last + 1))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="1.5"/>')
    missing = len(values) - len(known)
    text = f"{label}, {missing} av {len(values)} månader utan data" if missing else label
    return (f'<svg class="spark" role="img" aria-label="{escape(text)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{"".join(parts)}</svg>')
