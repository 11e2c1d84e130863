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
    return _responsive(_point_titles(_with_title(text, spec.get("description") or "")))


@lru_cache(maxsize=PNG_CACHE_SIZE)
def _png(key: str, scale: float) -> bytes:
    return vlc.vegalite_to_png(json.loads(key), scale=scale, format_locale=LOCALE, allowed_base_urls=[])


def _with_title(text: str, description: str) -> str:
    """Insert <title> as the SVG's first child so screen readers announce the chart."""
    if not description or "<title>" in text[:2000]:
        return text
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + f"<title>{html.escape(description)}</title>", text, count=1)


_POINT = re.compile(r'<path ([^>]*?aria-label="([^"]*)"[^>]*?aria-roledescription="point"[^>]*?)/>')


def _point_titles(text: str) -> str:
    """Give every point its value as an SVG <title>: the browser shows it on hover (vl-convert
    writes the point's description as aria-label only)."""
    return _POINT.sub(lambda m: f"<path {m.group(1)}><title>{m.group(2)}</title></path>", text)


def _responsive(text: str) -> str:
    """Drop the root's fixed width and height: with its viewBox the chart scales to its container."""
    return re.sub(r'(<svg\b[^>]*?) width="[\d.]+" height="[\d.]+"', r"\1", text, count=1)


def clear_cache() -> None:
    """Drop every rendered chart (used by tests)."""
    _svg.cache_clear()
    _png.cache_clear()


# The time series: the unit's line, its target, the same period a year earlier and the published
# national figure, told apart by colour *and* dash (never colour alone).
SERIES_STYLE = {  # role: (colour, dash)
    "unit": ("#005eb8", []),
    "last_year": ("#768692", [2, 3]),
    "reference": ("#330072", [8, 3, 2, 3]),
    "target": ("#b3261e", [6, 4]),
}
MAX_X_LABELS = 8  # a readable axis at any width the page gives the chart
TIME_SERIES_WIDTH, TIME_SERIES_HEIGHT, FONT_SIZE = 720, 260, 13


LABEL_STEPS = (1, 2, 3, 4, 6, 12)  # months: every 3rd or 6th; quarters: every 2nd or 4th


def x_label_values(periods: list[str]) -> list[str]:
    """Every k-th period label (k from LABEL_STEPS) so that at most MAX_X_LABELS are written,
    counted back from the last one, which is always written."""
    need = -(-len(periods) // MAX_X_LABELS)
    step = next((k for k in LABEL_STEPS if k >= need), need)
    return [p for i, p in enumerate(periods) if (len(periods) - 1 - i) % step == 0]


def _segments(rows: list[dict]) -> list[dict]:
    """The rows with a value, each tagged with its unbroken run ("unit 0", "unit 1" …): a period
    without a value ends a run, so the line shows the gap instead of bridging it."""
    out, run, last = [], {}, {}
    for r in rows:
        role = r["series"]
        if r["value"] is None:
            last[role] = None
            continue
        if last.get(role, "start") is None or role not in run:
            run[role] = run.get(role, -1) + 1
        last[role] = r["value"]
        out.append(dict(r, segment=f"{role} {run[role]}"))
    return out


def time_series_spec(rows: list[dict], title: str, target: Optional[dict], y_title: str, names: dict[str, str],
                     zero: bool = True) -> dict:
    """Lines over periods with a legend. ``rows``: {"period", "series", "value", "text"} where
    ``series`` is a role of SERIES_STYLE ("unit", "last_year", "reference"), ``text`` the value
    as shown ('81,3 %') and None values leave gaps; ``target``: {"value", "text"} or None;
    ``names``: the legend's name of each role. Every point of the unit's line carries its value
    as an SVG <title> (the hover text); ``zero`` starts the y axis at zero."""
    order = list(dict.fromkeys(r["period"] for r in rows))
    data = _segments([dict(r, name=names[r["series"]]) for r in rows])
    if target is not None:
        data += [{"period": p, "series": "target", "name": names["target"], "value": target["value"],
                  "text": target["text"], "segment": "target"} for p in order]
    for d in data:
        d["tip"] = f"{d['name']}, {d['period']}: {d['text']}"
    roles = [r for r in SERIES_STYLE if any(d["series"] == r for d in data)]
    legend = {"title": None, "orient": "bottom", "direction": "horizontal", "columns": 2, "labelFontSize": FONT_SIZE,
              "labelLimit": 300, "symbolType": "stroke", "symbolStrokeWidth": 2.5}
    domain = [names[r] for r in roles]
    colour = {"field": "name", "type": "nominal", "legend": legend,
              "scale": {"domain": domain, "range": [SERIES_STYLE[r][0] for r in roles]}}
    dash = {"field": "name", "type": "nominal", "legend": None,
            "scale": {"domain": domain, "range": [SERIES_STYLE[r][1] for r in roles]}}
    x = {"field": "period", "type": "ordinal", "sort": order, "title": None, "scale": {"domain": order},
         "axis": {"labelAngle": 0, "values": x_label_values(order), "labelFontSize": FONT_SIZE, "labelOverlap": False}}
    y = {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": zero},
         "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "format": ",~r"}}
    lines = {"mark": {"type": "line", "strokeWidth": 2.5, "aria": False},
             "encoding": {"x": x, "y": y, "color": colour, "strokeDash": dash,
                          "detail": {"field": "segment", "type": "nominal"}}}
    points = {"transform": [{"filter": "datum.series != 'target'"}],
              "mark": {"type": "point", "filled": True, "size": 36},
              "encoding": {"x": x, "y": y, "color": colour, "description": {"field": "tip", "type": "nominal"}}}
    known = [d for d in data if d["series"] == "unit"]
    # A plain Vega-Lite spec: built by hand it costs nothing per page view (Altair's objects do).
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": data}, "layer": [lines, points], "width": TIME_SERIES_WIDTH, "height": TIME_SERIES_HEIGHT,
        "description": f"{title}: " + "; ".join(f"{d['period']} {d['text']}" for d in known[-12:]),
        "config": {"view": {"stroke": None}},
    }


# Making Data Count's colours: common cause grey, improvement blue, concern orange, neutral purple;
# each variation also has its own point shape, so the chart reads in greyscale.
SPC_STYLE = {  # variation: (colour, shape, Swedish legend label)
    "common_cause": ("#768692", "circle", "Slumpmässig variation"),
    "improvement": ("#005eb8", "triangle-up", "Förbättring (särskild orsak)"),
    "concern": ("#d5281b", "triangle-down", "Försämring (särskild orsak)"),
    "neutral_high": ("#330072", "diamond", "Högre (särskild orsak)"),
    "neutral_low": ("#330072", "square", "Lägre (särskild orsak)"),
}


def spc_spec(points: list[dict], title: str, y_title: str, target: Optional[dict], zero: bool = True,
             rebases: Optional[list[dict]] = None) -> dict:
    """An XmR chart: the values, the centre line and the process limits of each rebase group
    (solid and dashed grey), the target (red dashed) and every point coloured and shaped by its
    variation. ``points``: {"period", "value", "mean", "lower", "upper", "variation", "group", "tip"};
    ``rebases``: {"period", "text"} for each point that starts a new group, drawn as a dotted
    vertical rule labelled "Ny baslinje" whose accessible text is the reason."""
    order = [p["period"] for p in points]
    x = {"field": "period", "type": "ordinal", "sort": order, "title": None, "scale": {"domain": order},
         "axis": {"labelAngle": 0, "values": x_label_values(order), "labelFontSize": FONT_SIZE, "labelOverlap": False}}

    def y(field):
        return {"field": field, "type": "quantitative", "title": y_title, "scale": {"zero": zero},
                "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "format": ",~r"}}

    group = {"field": "group", "type": "nominal", "legend": None}
    used = [v for v in SPC_STYLE if any(p["variation"] == v for p in points)]
    legend = {"title": None, "orient": "bottom", "direction": "horizontal", "columns": 2, "labelFontSize": FONT_SIZE,
              "labelLimit": 300}
    label = {v: SPC_STYLE[v][2] for v in used}
    data = [dict(p, label=label[p["variation"]]) for p in points]
    layers = [
        {"mark": {"type": "line", "color": "#aeb7bd", "strokeWidth": 1.5, "aria": False},
         "encoding": {"x": x, "y": y("value")}},
        {"mark": {"type": "line", "color": "#425563", "strokeWidth": 1.5, "aria": False},
         "encoding": {"x": x, "y": y("mean"), "detail": group}},
        {"transform": [{"filter": "datum.upper != null"}],
         "mark": {"type": "line", "color": "#425563", "strokeDash": [4, 3], "strokeWidth": 1.2, "aria": False},
         "encoding": {"x": x, "y": y("upper"), "detail": group}},
        {"transform": [{"filter": "datum.lower != null"}],
         "mark": {"type": "line", "color": "#425563", "strokeDash": [4, 3], "strokeWidth": 1.2, "aria": False},
         "encoding": {"x": x, "y": y("lower"), "detail": group}},
    ]
    if target is not None:
        layers.append({"mark": {"type": "rule", "color": SERIES_STYLE["target"][0], "strokeDash": [6, 4], "aria": False},
                       "encoding": {"y": {"datum": target["value"]}}})
    if rebases:
        marks = [{"period": r["period"], "tip": f"Ny baslinje från {r['period']}: {r['text']}"} for r in rebases]
        layers.append({"data": {"values": marks},
                       "mark": {"type": "rule", "color": "#212b32", "strokeDash": [2, 2], "strokeWidth": 1.5},
                       "encoding": {"x": x, "description": {"field": "tip", "type": "nominal"}}})
        layers.append({"data": {"values": marks},
                       "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 4, "y": 2, "fontSize": FONT_SIZE,
                                "color": "#212b32", "aria": False},
                       "encoding": {"x": x, "text": {"value": "Ny baslinje"}}})
    layers.append({"mark": {"type": "point", "filled": True, "size": 60},
                   "encoding": {"x": x, "y": y("value"), "description": {"field": "tip", "type": "nominal"},
                                "color": {"field": "label", "type": "nominal", "legend": legend,
                                          "scale": {"domain": [label[v] for v in used],
                                                    "range": [SPC_STYLE[v][0] for v in used]}},
                                "shape": {"field": "label", "type": "nominal", "legend": None,
                                          "scale": {"domain": [label[v] for v in used],
                                                    "range": [SPC_STYLE[v][1] for v in used]}}}})
    special = [p for p in points if p["variation"] != "common_cause"]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": data}, "layer": layers, "width": TIME_SERIES_WIDTH, "height": TIME_SERIES_HEIGHT,
        "description": f"{title}: styrdiagram med {len(points)} punkter, {len(special)} med särskild orsak"
                       + "".join(f"; ny baslinje från {r['period']}" for r in rebases or ()),
        "config": {"view": {"stroke": None}},
    }


# The funnel plot: the pooled mean, the 95 % and 99.8 % limits without and with the adjustment for
# overdispersion (told apart by colour *and* dash), and the units as points shaped by where they lie.
FUNNEL_LINE_STYLE = {  # role: (colour, dash, width)
    "mean": ("#212b32", [], 2),
    "u95": ("#768692", [6, 4], 1.5),
    "u998": ("#425563", [], 1.5),
    "a95": ("#7c2855", [2, 3], 1.8),
    "a998": ("#7c2855", [8, 3, 2, 3], 1.8),
}
FUNNEL_POINT_STYLE = {  # position class: (fill, shape)
    "inside": ("#005eb8", "circle"),
    "outside95": ("#ed8b00", "square"),
    "outside998": ("#d5281b", "diamond"),
}


def funnel_spec(points: list[dict], curves: list[dict], names: dict[str, str], title: str, x_title: str,
                y_title: str) -> dict:
    """A funnel plot. ``points``: {"n", "value", "position", "tip"} (``position`` a key of
    FUNNEL_POINT_STYLE); ``curves``: {"n", "value", "role", "branch"} where ``role`` is a key of
    FUNNEL_LINE_STYLE and ``branch`` tells the lower and the upper limit apart (the mean has one);
    ``names``: the legend's text of every role and position used. The y axis follows the data."""
    roles = [r for r in FUNNEL_LINE_STYLE if any(c["role"] == r for c in curves)]
    kinds = [k for k in FUNNEL_POINT_STYLE if any(p["position"] == k for p in points)]
    legend = {"title": None, "orient": "bottom", "direction": "horizontal", "columns": 1, "labelFontSize": FONT_SIZE,
              "labelLimit": 600}
    line_domain = [names[r] for r in roles]
    point_domain = [names[k] for k in kinds]
    x = {"field": "n", "type": "quantitative", "title": x_title, "scale": {"zero": False, "nice": True},
         "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "format": ",~r", "tickCount": 6}}
    y = {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False, "nice": True},
         "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "format": ",~r"}}
    lines = {
        "data": {"values": [dict(c, name=names[c["role"]], curve=f"{c['role']} {c.get('branch', '')}") for c in curves]},
        "mark": {"type": "line", "aria": False, "clip": True},
        "encoding": {"x": x, "y": y, "order": {"field": "n", "type": "quantitative"},
                     "detail": {"field": "curve", "type": "nominal"},
                     "color": {"field": "name", "type": "nominal", "legend": dict(legend, symbolType="stroke"),
                               "scale": {"domain": line_domain, "range": [FUNNEL_LINE_STYLE[r][0] for r in roles]}},
                     "strokeDash": {"field": "name", "type": "nominal", "legend": dict(legend, symbolType="stroke"),
                                    "scale": {"domain": line_domain, "range": [FUNNEL_LINE_STYLE[r][1] for r in roles]}},
                     "strokeWidth": {"field": "name", "type": "nominal", "legend": None,
                                     "scale": {"domain": line_domain, "range": [FUNNEL_LINE_STYLE[r][2] for r in roles]}}},
    }
    dots = {
        "data": {"values": [dict(p, name=names[p["position"]]) for p in points]},
        "mark": {"type": "point", "filled": True, "size": 70, "stroke": "#ffffff", "strokeWidth": 0.8},
        "encoding": {"x": x, "y": y, "description": {"field": "tip", "type": "nominal"},
                     "fill": {"field": "name", "type": "nominal", "legend": dict(legend, symbolOpacity=1),
                              "scale": {"domain": point_domain, "range": [FUNNEL_POINT_STYLE[k][0] for k in kinds]}},
                     "shape": {"field": "name", "type": "nominal", "legend": dict(legend, symbolOpacity=1),
                               "scale": {"domain": point_domain, "range": [FUNNEL_POINT_STYLE[k][1] for k in kinds]}}},
    }
    outside = sum(1 for p in points if p["position"] != "inside")
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "layer": [lines, dots], "width": TIME_SERIES_WIDTH, "height": TIME_SERIES_HEIGHT + 60,
        "resolve": {"scale": {"color": "independent", "fill": "independent", "shape": "independent",
                              "strokeDash": "independent"}},
        "description": f"{title}: trattdiagram med {len(points)} enheter, {outside} utanför någon gräns",
        "config": {"view": {"stroke": None}},
    }
