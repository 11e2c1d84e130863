"""What the incident and complaint pages, their Excel export and the API show, assembled once:
exact values with their Swedish text, and the control charts of monthly counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from lagesbild.calc import fmt, periods, spc
from lagesbild.measurements.presenters import SIGNAL_TEXT, SPC_MIN_POINTS, VARIATION_TEXT
from lagesbild.org.models import OrgUnit
from lagesbild.reports import charts

from . import selectors

CHART_MONTHS = 36  # the window of a count chart: up to three years ending with the chosen year


def pct(text: str | None) -> str:
    """'42.0' -> '42,0 %'; None -> '–'."""
    return fmt.percent(Decimal(text)) if text is not None else fmt.DASH


def change(text: str | None) -> str:
    """'-0.34' -> '−0,34 %' (two decimals, as the report writes a change in count)."""
    return (fmt.number(Decimal(text), 2) + "\u00a0%") if text is not None else fmt.DASH


def days(value) -> str:
    """26 -> '26 dagar', 26.5 -> '26,5 dagar'; None -> '–'."""
    if value is None:
        return fmt.DASH
    return f"{fmt.number(Decimal(str(value)), 0 if value == int(value) else 1)} dagar"


@dataclass
class CountRow:
    month: str
    count: int
    mean: str
    lower: str
    upper: str
    signal: str
    variation: str


@dataclass
class CountChart:
    title: str
    svg: str
    rows: list[CountRow]
    variation: str  # the latest month's (spc's key)
    variation_text: str


def chart_window(year: int) -> tuple[date, date]:
    """The first and last day of a count chart's months: up to CHART_MONTHS ending with December of
    ``year`` or the current month. It holds ``year`` and the year before, for the per-unit table."""
    last = min(date(year, 12, 1), timezone.localdate().replace(day=1))
    return periods.add_months(last, -(CHART_MONTHS - 1)), periods.add_months(last, 1) - timedelta(days=1)


def count_chart(unit: OrgUnit, year: int, title: str, channel: str | None = None,
                cells: dict | None = None) -> CountChart | None:
    """The XmR chart of monthly counts (incidents, or one channel's complaints) in chart_window,
    from the first month with a case. A month without cases inside the window counts as 0 (a
    count, not a gap). None below SPC_MIN_POINTS months. Direction is neutral: more reports may
    mean more harm or a better reporting culture, so a change is a signal to look into, not a
    verdict. ``cells``: selectors.unit_months of the window, when the page has read them already."""
    first, end = chart_window(year)
    last = end.replace(day=1)
    if cells is None:
        cells = selectors.unit_months(unit, first, end, channel)
    counts = {}
    for (_, month), n in cells.items():
        if first <= month <= last:
            counts[month] = counts.get(month, 0) + n
    if not counts:
        return None
    start = min(counts)
    months = []
    m = start
    while m <= last:
        months.append(m)
        m = periods.add_months(m, 1)
    if len(months) < SPC_MIN_POINTS:
        return None
    labels = [m.strftime("%Y-%m") for m in months]
    values = [counts.get(m, 0) for m in months]
    chart = spc.chart(labels, values, direction=spc.NEUTRAL)

    def shown(x) -> str:
        return fmt.number(Decimal(repr(x)), 1) if x is not None else fmt.DASH

    rows, points = [], []
    for label, n, p in zip(labels, values, chart.points):
        signal = SIGNAL_TEXT[p.signal] + (" (hög)" if p.side == spc.HIGH else " (låg)") if p.signal else ""
        rows.append(CountRow(label, n, shown(p.mean), shown(p.lower), shown(p.upper), signal, p.variation))
        points.append({"period": label, "value": p.value, "mean": p.mean, "lower": p.lower, "upper": p.upper,
                       "variation": p.variation, "group": p.group,
                       "tip": f"{label}: {fmt.number(n)} – {VARIATION_TEXT[p.variation].lower()}"
                              + (f", {signal}" if signal else "")})
    svg = charts.svg(charts.spc_spec(points, title, "Antal per månad", None, zero=True))
    latest = chart.points[-1].variation
    return CountChart(title, svg, rows, latest, VARIATION_TEXT[latest])
