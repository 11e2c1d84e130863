"""Indicator charts as Vega-Lite specs (built with Altair), rendered server-side by vl-convert.

Charts take plain rows (the survey presenter's ``chart_rows``): they know the format, not the
domain. No Django here: the command line renders the same charts without a database.
"""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from functools import lru_cache
from typing import Optional

import altair as alt
import vl_convert as vlc

from lagesbild.calc import fmt

LOCALE = "sv-SE"
X_TITLE = "Andel (%)"
LABEL_LIMIT = 420  # px of indicator title shown beside each bar
SVG_CACHE_SIZE = 256  # distinct charts kept rendered; an SVG is some tens of kB
PNG_CACHE_SIZE = 64


def _label(percent: float) -> str:
    """81.25 -> '81,3 %' (Swedish decimal comma, no-break space before the sign)."""
    return fmt.percent(Decimal(repr(percent)))


def _category(row: dict) -> str:
    title = row.get("title") or ""
    return f"{row['id']} {title}".strip()


def _data(rows: list[dict]) -> list[dict]:
    """Rows with a percent, plus the category, the label and the interval ends to draw."""
    out = []
    for row in rows:
        pct = row.get("percent")
        if pct is None:
            continue
        low, high = row.get("low"), row.get("high")
        out.append(
            {
                "category": _category(row),
                "percent": pct,
                "low": pct if low is None else low,
                "high": pct if high is None else high,
                "n": row.get("n", 0),
                "label": _label(pct),
                "aria": _aria(row, pct, low, high),
            }
        )
    return out


def _aria(row: dict, pct: float, low: Optional[float], high: Optional[float]) -> str:
    """Per-bar text for assistive technology: '<category>: 81,3 % (95 % KI 57,0–93,4 %, n=16)'."""
    ci = ""
    if low is not None and high is not None:
        ci = f"95 % KI {fmt.number(Decimal(repr(low)), 1)}{fmt.DASH}{_label(high)}, "
    return f"{_category(row)}: {_label(pct)} ({ci}n={row.get('n', 0)})"


def _description(data: list[dict]) -> str:
    """A text alternative for the whole chart: every indicator with its share and n."""
    parts = [f"{d['category']}: {d['label']} (n={d['n']})" for d in data]
    return "Stapeldiagram, andel som uppfyller respektive indikator med 95 % konfidensintervall. " + "; ".join(
        parts
    )


def indicator_bar_spec(rows: list[dict], title: str = "") -> dict:
    """Horizontal bars of percent per indicator with Wilson interval rules and value labels.

    ``rows`` holds dicts {"id", "title", "percent", "low", "high", "n"} (floats or None);
    indicators without a percent are left out. Returns a Vega-Lite spec as a dict.
    """
    data = _data(rows)
    order = [d["category"] for d in data]
    x_scale = alt.Scale(domain=[0, 100])
    # The categories name themselves; a y title would collide with long labels.
    y = alt.Y("category:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    base = alt.Chart(alt.Data(values=data))
    bars = base.mark_bar(color="#4c78a8").encode(
        x=alt.X("percent:Q", title=X_TITLE, scale=x_scale, axis=alt.Axis(values=list(range(0, 101, 20)))),
        y=y,
        description="aria:N",
    )
    ci = base.mark_rule(color="#222222", strokeWidth=1.5, aria=False).encode(x="low:Q", x2="high:Q", y=y)
    labels = base.mark_text(align="left", dx=5, color="#222222", aria=False).encode(x="high:Q", y=y, text="label:N")
    chart = alt.layer(bars, ci, labels).properties(
        width=360,
        height=alt.Step(26),
        description=_description(data),
    )
    if title:
        chart = chart.properties(title=title)
    return chart.to_dict()


def _key(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, ensure_ascii=False)


def svg(spec: dict) -> str:
    """The chart as an SVG string with a <title> taken from the spec's description (cached)."""
    return _svg(_key(spec))


def png(spec: dict, scale: float = 2) -> bytes:
    """The chart as PNG bytes (cached)."""
    return _png(_key(spec), scale)


@lru_cache(maxsize=SVG_CACHE_SIZE)
def _svg(key: str) -> str:
    spec = json.loads(key)
    text = vlc.vegalite_to_svg(spec, format_locale=LOCALE, allowed_base_urls=[])
    return _with_title(text, spec.get("description") or "")


@lru_cache(maxsize=PNG_CACHE_SIZE)
def _png(key: str, scale: float) -> bytes:
    return vlc.vegalite_to_png(json.loads(key), scale=scale, format_locale=LOCALE, allowed_base_urls=[])


def _with_title(text: str, description: str) -> str:
    """Insert <title> as the SVG's first child so screen readers announce the chart."""
    if not description or "<title>" in text[:2000]:
        return text
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + f"<title>{html.escape(description)}</title>", text, count=1)


def clear_cache() -> None:
    """Drop every rendered chart (used by tests)."""
    _svg.cache_clear()
    _png.cache_clear()


def time_series_spec(rows: list[dict], title: str, target: Optional[float], y_title: str) -> dict:
    """A line over periods with a dashed target line. ``rows``: {"period", "order", "value"}."""
    data = [dict(r, label=fmt.number(Decimal(repr(r["value"])), 1) if r["value"] is not None else "") for r in rows]
    order = [r["period"] for r in data]
    base = alt.Chart(alt.Data(values=data))
    x = alt.X("period:O", sort=order, title=None, axis=alt.Axis(labelAngle=-45))
    line = base.mark_line(point=True, color="#0b5394").encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("label:N", title="Värde")],
    )
    layers = [line]
    if target is not None:
        rule = alt.Chart(alt.Data(values=[{"target": target, "label": f"Mål {fmt.number(Decimal(repr(target)), 1)}"}]))
        layers.append(rule.mark_rule(color="#b3261e", strokeDash=[6, 4]).encode(y="target:Q"))
        layers.append(rule.mark_text(align="left", dx=4, dy=-6, color="#b3261e").encode(y="target:Q", text="label:N"))
    known = [r for r in data if r["value"] is not None]
    desc = f"{title}: " + "; ".join(f"{r['period']} {r['label']}" for r in known[-12:])
    return alt.layer(*layers).properties(width=640, height=240, description=desc).to_dict()
