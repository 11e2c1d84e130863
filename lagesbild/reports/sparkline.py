"""A tiny inline SVG sparkline: one polyline, no library needed for a dozen points."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Optional, Sequence


def sparkline(values: Sequence[Optional[Decimal]], label: str, width: int = 120, height: int = 28) -> str:
    """An accessible SVG line through the known values; gaps break the line."""
    known = [float(v) for v in values if v is not None]
    if not known:
        return f'<svg class="spark" role="img" aria-label="{escape(label)}: inga data" width="{width}" height="{height}"></svg>'
    lo, hi = min(known), max(known)
    span = (hi - lo) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)
    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
            continue
        x = 2 + i * step
        y = height - 3 - (float(v) - lo) / span * (height - 6)
        current.append(f"{x:.1f},{y:.1f}")
    if current:
        segments.append(current)
    lines = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="#0b5394" stroke-width="1.5"/>' if len(s) > 1
        else f'<circle cx="{s[0].split(",")[0]}" cy="{s[0].split(",")[1]}" r="1.5" fill="#0b5394"/>'
        for s in segments
    )
    return (f'<svg class="spark" role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{lines}</svg>')
