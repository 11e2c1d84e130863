"""What the dashboard and the measure page show, assembled once: every figure carries its exact
value and its Swedish text. The pages, their Excel exports (``exports``) and the API's computed
values read these presenters; nothing else formats a measured value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple, Optional

from lagesbild.calc import fmt, periods
from lagesbild.calc import status as st
from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.catalogue.selectors import version_on
from lagesbild.org.models import OrgUnit
from lagesbild.reports import charts
from lagesbild.reports.sparkline import sparkline

from . import annotations, selectors
from .selectors import MeasureStatus, Sums

COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
PUBLISHED_NATION = "Riket (publicerat)"
KIND_PLURALS = {
    OrgUnit.Kind.REGION: "regioner", OrgUnit.Kind.KOMMUN: "kommuner", OrgUnit.Kind.FORVALTNING: "förvaltningar",
    OrgUnit.Kind.VERKSAMHET: "verksamheter", OrgUnit.Kind.ENHET: "enheter",
}


# --- formatting -------------------------------------------------------------------------------


def format_value(measure, value: Optional[Decimal]) -> str:
    """A measured value in Swedish with the measure's unit: '81,3 %', '269', '–'."""
    if value is None:
        return fmt.DASH
    if measure is None:
        return fmt.number(value, 1)
    u = measure.unit_info
    if u.is_share:
        return fmt.percent(value, measure.decimals)
    return fmt.number(value, measure.decimals if u.has_denominator else 0)


def format_with_unit(measure, value: Optional[Decimal]) -> str:
    """As format_value, with the unit written out where the number does not show it: '269 per 1 000'."""
    text = format_value(measure, value)
    if value is None or measure is None:
        return text
    u = measure.unit_info
    if u.is_share or not u.has_denominator or not u.suffix:
        return text
    return f"{text} {u.suffix}"


def plain(value: Optional[Decimal], exact: bool = False) -> Optional[str]:
    """A decimal for machines: never in scientific notation ('80', '2.5', '81.3'). With ``exact``
    the digits as stored are kept (a value rounded to its measure's decimals: '80.0')."""
    if value is None:
        return None
    return format(value if exact else value.normalize(), "f")


@dataclass(frozen=True)
class Figure:
    """An exact value and the text a reader sees; a template shows the text."""

    value: Optional[Decimal]
    text: str

    def __str__(self) -> str:
        return self.text


def figure(measure, value: Optional[Decimal]) -> Figure:
    return Figure(value, format_value(measure, value))


def target_figure(target) -> Figure:
    """A target as '≥ 90,0' (its comparator and value at the measure's decimals)."""
    if target is None:
        return Figure(None, fmt.DASH)
    return Figure(target.value, f"{COMPARATOR_SIGNS[target.comparator]} {fmt.number(target.value, target.measure.decimals)}")


def target_plain(target) -> Optional[str]:
    """A target for machines: '>= 80', '< 2.5'."""
    return None if target is None else f"{target.comparator} {plain(target.value)}"


# --- the dashboard ----------------------------------------------------------------------------


@dataclass
class DashboardRow:
    s: MeasureStatus
    value: Figure
    target: Figure
    previous: Figure
    last_year: Figure
    reference: Figure
    spark: str
    cycle: object = None  # what a registered annotation provider adds (the improvement cycle)

    @property
    def measure(self) -> Measure:
        return self.s.measure

    @property
    def status_class(self) -> str:
        return self.s.status or "utan_mal"


@dataclass
class Dashboard:
    unit: OrgUnit
    period: Period
    as_of_today: bool
    focus: Optional[int]
    rows: list[DashboardRow]
    reference_unit: Optional[OrgUnit]
    reference_label: str
    reference_note: str
    children: list[tuple[OrgUnit, dict]]
    coverage: str
    summary: dict[str, int] = field(default_factory=dict)


def rows_for(unit: OrgUnit, measures: list[Measure], period: Period, as_of_today: bool = False,
             reference: Optional[dict] = None, annotate: bool = True) -> list[DashboardRow]:
    """One row per measure: value, target, status, the previous period, last year, comparison."""
    statuses = selectors.measure_statuses(unit, measures, period, as_of_today)
    extra = annotations.collect(measures, unit, period) if annotate else {}
    reference = reference or {}
    rows = []
    for s in statuses:
        m = s.measure
        ref = reference.get(m.id)
        rows.append(DashboardRow(
            s=s, value=figure(m, s.value), target=target_figure(s.target), previous=figure(m, s.previous),
            last_year=figure(m, s.last_year), reference=figure(m, ref.value if ref else None),
            spark=sparkline([v for _, v in s.series], f"{m.title}, senaste 13 månaderna"), cycle=extra.get(m.id),
        ))
    return rows


def _reference_label(ref: Optional[OrgUnit], figures: dict, period: Period) -> tuple[str, str]:
    if ref is None:
        return "", ""
    if ref.kind != OrgUnit.Kind.NATION:
        return ref.name, f"{ref.name}: sammanräknat för enheterna under, {period.label}."
    sources = sorted({s for f in figures.values() for s in f.sources})
    note = (f"{PUBLISHED_NATION}: publicerade jämförelsesiffror för {period.label}, källa: {', '.join(sources)}."
            if sources else f"{PUBLISHED_NATION}: inga publicerade jämförelsesiffror för {period.label}.")
    return PUBLISHED_NATION, note


def coverage_text(children: list[OrgUnit], counts: dict) -> str:
    """What a roll-up covers, per kind of child that has data (every kind when none has):
    '3 av 21 regioner har data', '1 av 21 regioner och 2 av 290 kommuner har data'."""
    if not children:
        return ""
    parts = []
    for kind, noun in KIND_PLURALS.items():
        of_kind = [c for c in children if c.kind == kind]
        if of_kind:
            with_data = sum(1 for c in of_kind if c.path in counts or c.current_path in counts)
            parts.append((with_data, f"{with_data} av {len(of_kind)} {noun}"))
    shown = [text for n, text in parts if n] or [text for _, text in parts]
    return " och ".join(shown) + " har data"


def dashboard(unit: OrgUnit, period: Period, focus: Optional[int] = None, as_of_today: bool = False) -> Dashboard:
    measures = selectors.measures_for(period, focus)
    ref = selectors.reference_unit(unit)
    figures = selectors.reference_figures(measures, ref, period) if ref else {}
    rows = rows_for(unit, measures, period, as_of_today, figures)
    label, note = _reference_label(ref, figures, period)
    children = list(unit.children.order_by("name")) if not as_of_today else list(
        unit.children.filter(valid_to__isnull=True).order_by("name"))
    counts = selectors.children_status_counts(unit, measures, period, as_of_today)
    summary = {k: sum(1 for r in rows if r.s.status == k) for k in (st.ACHIEVED, st.NEAR, st.NOT_ACHIEVED, st.NO_DATA)}
    return Dashboard(unit, period, as_of_today, focus, rows, ref, label, note,
                     [(c, counts.get(c.path, {})) for c in children], coverage_text(children, counts), summary)


# --- the measure page -------------------------------------------------------------------------


class SeriesRow(NamedTuple):
    period: Period
    sums: Sums
    value: Figure


class RankedRow(NamedTuple):
    unit: Optional[OrgUnit]
    path: str
    value: Figure
    sums: Sums


BEHIND_ON_PAGE = 500
SERIES_LENGTH = {periods.MONTH: 36, periods.QUARTER: 12, periods.TERTIAL: 9, periods.YEAR: 5}


@dataclass
class MeasurePage:
    unit: OrgUnit
    m: Measure
    period: Period
    granularity: str
    as_of_today: bool
    status: MeasureStatus
    value: Figure
    target: Figure
    series: list[SeriesRow]
    ranked: list[RankedRow]
    observations: object  # the queryset of every leaf row behind the figure (the export reads all)
    behind_count: int
    sex: dict[str, Figure]
    chart: str
    improvement: object = None  # the registered annotation for this measure

    @property
    def granularity_label(self) -> str:
        return periods.LABELS[self.granularity]

    @property
    def behind(self) -> list:
        """The first rows behind the figure, for the page."""
        return list(self.observations[:BEHIND_ON_PAGE])


def measure_version(code: str, period: Period) -> Optional[Measure]:
    """The version of the measure shown for ``period`` (catalogue.selectors.version_on)."""
    return version_on(code, period.start)


def measure_page(unit: OrgUnit, m: Measure, period: Period, granularity: Optional[str] = None,
                 as_of_today: bool = False) -> MeasurePage:
    gran = granularity or (periods.MONTH if m.frequency == "month" else period.granularity)
    (status,) = selectors.measure_statuses(unit, [m], period, as_of_today)
    last = Period.containing(period.end, gran).previous
    first = last.shift(-(SERIES_LENGTH[gran] - 1))
    series_sums = selectors.sums_by_period(unit, [m], first, last, as_of_today)[m.id]
    series = [SeriesRow(p, series_sums[p], figure(m, series_sums[p].value(m))) for p in periods.periods_between(first, last)]
    names = {u.path: u for u in OrgUnit.objects.filter(parent=unit)}
    ranked = [(names.get(path), path, sums.value(m), sums) for path, sums in selectors.child_values(unit, m, period, as_of_today)]
    ranked.sort(key=lambda x: (x[2] is None, -(x[2] or 0) if m.direction == st.HIGHER else (x[2] or 0)))
    behind = selectors.observations_behind(m, unit, period, as_of_today)
    chart_rows = [{"period": r.period.label, "order": i, "value": None if r.value.value is None else float(r.value.value)}
                  for i, r in enumerate(series)]
    chart = charts.svg(charts.time_series_spec(chart_rows, m.title, float(status.target.value) if status.target else None,
                                               m.unit_info.axis_title))
    return MeasurePage(
        unit=unit, m=m, period=period, granularity=gran, as_of_today=as_of_today, status=status,
        value=figure(m, status.value), target=target_figure(status.target), series=series,
        ranked=[RankedRow(u, path, figure(m, v), s) for u, path, v, s in ranked],
        observations=behind, behind_count=behind.count(),
        sex={k: figure(m, v) for k, v in selectors.sex_split(m, unit, period, as_of_today).items()},
        chart=chart, improvement=annotations.collect([m], unit, period).get(m.pk),
    )
