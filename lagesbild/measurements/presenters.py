"""What the dashboard and the measure page show, assembled once: every figure carries its exact
value and its Swedish text. The pages, their Excel exports (``exports``) and the API's computed
values read these presenters; nothing else formats a measured value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from typing import NamedTuple, Optional

from django.urls import reverse
from django.utils.safestring import mark_safe

from lagesbild.calc import fmt, periods, spc
from lagesbild.calc import status as st
from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.catalogue.selectors import version_on
from lagesbild.org.models import OrgUnit
from lagesbild.reports import charts
from lagesbild.reports.sparkline import sparkline

from . import annotations, rendered, selectors
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
    """An exact value, the text a reader sees and the denominator behind it (n); a template shows
    the text and ``n_text``."""

    value: Optional[Decimal]
    text: str
    n: Optional[int] = None

    def __str__(self) -> str:
        return self.text

    @cached_property
    def n_text(self) -> str:
        """'n = 1 234' where the value has a denominator, else ''."""
        return "" if self.value is None or self.n is None else f"n = {fmt.number(self.n)}"

    @cached_property
    def with_n(self) -> str:
        """'51,0 % (n = 1 234)' (the value alone without a denominator)."""
        return f"{self.text} ({self.n_text})" if self.n_text else self.text


def figure(measure, value: Optional[Decimal], sums: Optional[Sums] = None) -> Figure:
    return Figure(value, format_value(measure, value), sums.denominator if sums is not None else None)


def target_figure(target) -> Figure:
    """A target with the measure's unit: '≥ 90,0 %', '< 2,0 %', '≤ 250 per 1 000'."""
    if target is None:
        return Figure(None, fmt.DASH)
    return Figure(target.value, f"{COMPARATOR_SIGNS[target.comparator]} {format_with_unit(target.measure, target.value)}")


def near_text(target) -> str:
    """The values that are *nära* a target, from its warning band: '≥ 85,0 %' for '≥ 90,0 %' with a
    band of 5; '' without a band (then a value either meets the target or not)."""
    if target is None or not target.warning_band:
        return ""
    if target.comparator in (">=", ">"):
        return f"≥ {format_with_unit(target.measure, target.value - target.warning_band)}"
    return f"≤ {format_with_unit(target.measure, target.value + target.warning_band)}"


def badge_class(status: Optional[str]) -> str:
    """The status badge's class: 'status-uppnatt', 'status-ej-uppnatt', 'status-utan-mal'."""
    return "status-" + (status or "utan_mal").replace("_", "-")


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
    near: str = ""  # the values that are nära the target ('≥ 85,0 %'), '' without a warning band
    cycle: object = None  # what a registered annotation provider adds (the improvement cycle)
    link: str = ""  # the measure page (the view fills it in: one reverse() for all rows)
    cycle_link: str = ""  # the measure's improvement cycle at the unit and period
    html: str = ""  # the row's markup (measurements.rendered.dashboard_row, filled in by the view)
    spc: Optional["SpcIcons"] = None  # the control chart's icons, for a monthly series long enough
    spc_link: str = ""  # the measure page's control chart (filled in by the view)

    @property
    def measure(self) -> Measure:
        return self.s.measure

    @property
    def badge(self) -> str:
        return badge_class(self.s.status)


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
    heatmap: "HeatMap"
    coverage: str
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def show_previous(self) -> bool:
        """'Föregående' is its own column only when it is not the same period as 'I fjol' (a year)."""
        return self.period.previous != self.period.same_last_year

    @property
    def spc_legend(self) -> list[tuple[str, str]]:
        """The icons the legend explains with their short words, when some row has icons."""
        return list(LEGEND_TEXT.items()) if any(r.spc is not None for r in self.rows) else []

    @property
    def near_example(self) -> Optional[DashboardRow]:
        """A row whose target has a warning band, to explain 'Nära' with real figures."""
        return next((r for r in self.rows if r.near), None)


def rows_for(unit: OrgUnit, measures: list[Measure], period: Period, as_of_today: bool = False,
             reference: Optional[dict] = None, annotate: bool = True, targets: Optional[list] = None,
             spc: bool = False) -> list[DashboardRow]:
    """One row per measure: value, target, status, the previous period, last year, comparison.
    ``targets``: already fetched (selectors.targets_around), else fetched here. With ``spc`` each
    measure whose monthly series has SPC_MIN_POINTS values gets the control chart's icons, from the
    same window, settings and rebases as its measure page: the months come with the rows' own
    query, the settings and the rebases of all the measures with one query each."""
    statuses = selectors.measure_statuses(unit, measures, period, as_of_today, targets=targets,
                                          spc_months=SERIES_LENGTH[periods.MONTH] if spc else 0)
    icons = _spc_icons(unit, statuses) if spc else {}
    extra = annotations.collect(measures, unit, period) if annotate else {}
    reference = reference or {}
    rows = []
    for s in statuses:
        m = s.measure
        ref = reference.get(m.id)
        rows.append(DashboardRow(
            s=s, value=figure(m, s.value, s.sums), target=target_figure(s.target),
            previous=figure(m, s.previous, s.previous_sums), last_year=figure(m, s.last_year, s.last_year_sums),
            reference=Figure(ref.value, format_value(m, ref.value), ref.n) if ref else figure(m, None),
            spark=sparkline([v for _, v in s.series], f"{m.title}, senaste 13 månaderna"),
            near=near_text(s.target), cycle=extra.get(m.id), spc=icons.get(m.id),
        ))
    return rows


def _spc_icons(unit: OrgUnit, statuses: list[MeasureStatus]) -> dict[int, "SpcIcons"]:
    long_enough = [s for s in statuses if len(s.spc_values) >= SPC_MIN_POINTS]
    if not long_enough:
        return {}
    codes = {s.measure.code for s in long_enough}
    settings, rebases = selectors.spc_settings(codes), selectors.rebases_for(unit, codes)
    return {s.measure.id: control_icons(s.measure, s.spc_periods, s.spc_values, s.target,
                                        SpcRules.of(settings.get(s.measure.code)), rebases.get(s.measure.code, ()))
            for s in long_enough}


def _reference_label(ref: Optional[OrgUnit], figures: dict, period: Period) -> tuple[str, str]:
    if ref is None:
        return "", ""
    if ref.kind != OrgUnit.Kind.NATION:
        return ref.name, f"{ref.name}: sammanräknat för enheterna under, {period.label}."
    sources = sorted({s for f in figures.values() for s in f.sources})
    note = (f"{PUBLISHED_NATION}: publicerade jämförelsesiffror för {period.label}, källa: {', '.join(sources)}."
            if sources else f"{PUBLISHED_NATION}: inga publicerade jämförelsesiffror för {period.label}.")
    return PUBLISHED_NATION, note


def coverage_text(children: list[OrgUnit], counts) -> str:
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


def dashboard(unit: OrgUnit, period: Period, focus: Optional[int] = None, as_of_today: bool = False,
              spc: bool = True) -> Dashboard:
    """The dashboard; ``spc=False`` leaves out the control charts' icons (settings.LAGESBILD_DASHBOARD_SPC)."""
    measures = selectors.measures_for(period, focus)
    ref = selectors.reference_unit(unit)
    figures = selectors.reference_figures(measures, ref, period) if ref else {}
    targets = selectors.targets_around(unit, measures, period.start)  # one fetch for the rows and the children
    rows = rows_for(unit, measures, period, as_of_today, figures, targets=targets, spc=spc)
    label, note = _reference_label(ref, figures, period)
    grid = heatmap(unit, period, focus, as_of_today, measures=measures, targets=targets)
    summary = {k: sum(1 for r in rows if r.s.status == k) for k in STATUS_ORDER}
    return Dashboard(unit, period, as_of_today, focus, rows, ref, label, note, grid,
                     coverage_text(grid.children, grid.paths_with_data), summary)


# --- the heat map: the unit's children × measures ---------------------------------------------

STATUS_ORDER = (st.ACHIEVED, st.NEAR, st.NOT_ACHIEVED, st.NO_DATA)
NAME_SORT = "namn"


class HeatCell(NamedTuple):
    measure: Measure
    value: Figure
    status: Optional[str]
    status_label: str
    badge: str


def heat_cell(measure: Measure, value: Figure, status: Optional[str]) -> HeatCell:
    label = st.LABELS.get(status, "Inget mål") if status else "Inget mål"
    return HeatCell(measure, value, status, label, badge_class(status))


@dataclass
class HeatRow:
    unit: OrgUnit
    cells: list[HeatCell]

    @cached_property
    def counts(self) -> dict[str, int]:
        """How many measures are uppnått / nära / ej uppnått / saknar data at this unit."""
        out = dict.fromkeys(STATUS_ORDER, 0)
        for c in self.cells:
            if c.value.value is None or c.status == st.NO_DATA:
                out[st.NO_DATA] += 1
            elif c.status in out:
                out[c.status] += 1
        return out

    @cached_property
    def cells_html(self) -> str:
        """The row's measure cells as HTML, built here: 60 cells per row through template tags and
        filters were a third of the dashboard's time."""
        return mark_safe("".join(rendered.heat_cell(c) for c in self.cells))


@dataclass
class HeatMap:
    unit: OrgUnit
    period: Period
    measures: list[Measure]
    rows: list[HeatRow]
    children: list[OrgUnit]
    paths_with_data: set[str]
    sort: str = NAME_SORT
    descending: bool = False

    def _column(self, key: str, measure: Optional[Measure]) -> "HeatColumn":
        sorted_here = key == self.sort
        return HeatColumn(key, measure, "desc" if sorted_here and not self.descending else "asc",
                          ("descending" if self.descending else "ascending") if sorted_here else "")

    @property
    def name_column(self) -> "HeatColumn":
        return self._column(NAME_SORT, None)

    @property
    def columns(self) -> list["HeatColumn"]:
        """One per measure, with the direction its sort link asks for and its aria-sort."""
        return [self._column(m.code, m) for m in self.measures]

    @property
    def linked_columns(self) -> list[tuple["HeatColumn", str]]:
        """The columns with their measure page at the unit and period (one reverse() for all)."""
        marker = "measure-code-here"
        prefix, suffix = reverse("measurements:measure", args=[self.unit.code, marker]).split(marker)
        return [(c, f"{prefix}{c.key}{suffix}?period={self.period.key}") for c in self.columns]


class HeatColumn(NamedTuple):
    key: str
    measure: Optional[Measure]
    next_dir: str  # what the column's sort link asks for: the other direction on the sorted column
    aria_sort: str  # "ascending" / "descending" on the sorted column, else ""


def _sorted_rows(rows: list[HeatRow], measures: list[Measure], sort: str, descending: bool) -> tuple[list[HeatRow], str]:
    index = next((i for i, m in enumerate(measures) if m.code == sort), None)
    if index is None:
        return sorted(rows, key=lambda r: r.unit.name, reverse=descending), NAME_SORT
    with_value = [r for r in rows if r.cells[index].value.value is not None]
    without = [r for r in rows if r.cells[index].value.value is None]  # always last, by name
    with_value.sort(key=lambda r: (r.cells[index].value.value, r.unit.name), reverse=descending)
    return with_value + sorted(without, key=lambda r: r.unit.name), sort


def heatmap(unit: OrgUnit, period: Period, focus: Optional[int] = None, as_of_today: bool = False,
            sort: str = NAME_SORT, descending: bool = False, measures: Optional[list[Measure]] = None,
            targets: Optional[list] = None) -> HeatMap:
    """Each child of ``unit`` × each measure: value, n and status; sorted by name or by a measure's value."""
    measures = measures if measures is not None else selectors.measures_for(period, focus)
    children = unit.children.order_by("name")
    children = list(children.filter(valid_to__isnull=True) if as_of_today else children)
    figures = selectors.child_statuses(unit, measures, period, as_of_today, targets)
    rows = []
    for c in children:
        cells = []
        for m in measures:
            f = figures.get((c.current_path if as_of_today else c.path, m.id))
            cells.append(heat_cell(m, figure(m, f.value, f.sums), f.status) if f else heat_cell(m, figure(m, None), st.NO_DATA))
        rows.append(HeatRow(c, cells))
    rows, sort = _sorted_rows(rows, measures, sort, descending)
    return HeatMap(unit, period, measures, rows, children, {path for path, _ in figures}, sort, descending)


# --- the measure page -------------------------------------------------------------------------


class SeriesRow(NamedTuple):
    period: Period
    sums: Sums
    value: Figure
    last_year: Figure
    reference: Figure


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
    has_reference: bool = False  # a published national figure exists for some period of the series
    spc: object = None  # SpcView: the control chart of the monthly series, when it has enough points
    spc_rules: object = None  # SpcRules of the measure (per month only)
    spc_rebases: list = field(default_factory=list)  # ShownRebase: those that hold at the unit (per month only)

    @property
    def near(self) -> str:
        return near_text(self.status.target)

    @property
    def measure(self) -> Measure:
        return self.m

    @property
    def badge(self) -> str:
        return badge_class(self.status.status)

    @property
    def zero_based(self) -> bool:
        """The chart's y axis starts at zero (shares); otherwise the page says it does not."""
        return self.m.unit_info.is_share

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
    sums = selectors.sums_by_period(unit, [m], first.same_last_year, last, as_of_today)[m.id]
    reference = selectors.reference_unit(unit)
    published = selectors.reference_series(m, reference, first, last) if reference else {}
    series = [SeriesRow(p, sums[p], figure(m, sums[p].value(m), sums[p]),
                        figure(m, sums[p.same_last_year].value(m), sums[p.same_last_year]),
                        figure(m, published[p].value(m), published[p]) if p in published else figure(m, None))
              for p in periods.periods_between(first, last)]
    reference = reference if any(r.reference.value is not None for r in series) else None
    names = {u.path: u for u in OrgUnit.objects.filter(parent=unit)}
    ranked = [(names.get(path), path, sums.value(m), sums) for path, sums in selectors.child_values(unit, m, period, as_of_today)]
    ranked.sort(key=lambda x: (x[2] is None, -(x[2] or 0) if m.direction == st.HIGHER else (x[2] or 0)))
    behind = selectors.observations_behind(m, unit, period, as_of_today)
    chart = charts.svg(chart_spec(unit, m, series, status.target, reference is not None))
    control, rules, rebases = None, None, []
    if gran == periods.MONTH:
        rules = SpcRules.of(selectors.spc_settings([m.code]).get(m.code))
        holding = selectors.rebases_for(unit, [m.code]).get(m.code, [])
        control = spc_view(m, series, status.target, rules, holding, unit)
        rebases = control.rebases if control is not None else shown_rebases(holding, unit)
    return MeasurePage(
        unit=unit, m=m, period=period, granularity=gran, as_of_today=as_of_today, status=status,
        value=figure(m, status.value, status.sums), target=target_figure(status.target), series=series,
        ranked=[RankedRow(u, path, figure(m, v), s) for u, path, v, s in ranked],
        observations=behind, behind_count=behind.count(),
        sex={k: figure(m, v) for k, v in selectors.sex_split(m, unit, period, as_of_today).items()},
        chart=chart, improvement=annotations.collect([m], unit, period).get(m.pk), has_reference=reference is not None,
        spc=control, spc_rules=rules, spc_rebases=rebases,
    )


SPC_MIN_POINTS = 12  # fewer points give limits too uncertain to judge a process by
SIGNAL_TEXT = {spc.OUTSIDE: "utanför styrgränsen", spc.TREND: "trend: 7 punkter i följd uppåt eller nedåt",
               spc.TWO_OF_THREE: "2 av 3 punkter nära styrgränsen",
               spc.SHIFT: "skift: 7 punkter i följd på samma sida om medelvärdet"}  # with the default run length
VARIATION_TEXT = {spc.COMMON: "Slumpmässig variation", spc.IMPROVEMENT: "Särskild orsak – förbättring",
                  spc.CONCERN: "Särskild orsak – försämring", spc.NEUTRAL_HIGH: "Särskild orsak – högre",
                  spc.NEUTRAL_LOW: "Särskild orsak – lägre"}
ASSURANCE_TEXT = {spc.CONSISTENT_PASS: "Målet nås varje månad så länge processen är oförändrad",
                  spc.CONSISTENT_FAIL: "Målet nås inte utan en förändring av processen",
                  spc.INCONSISTENT: "Målet nås vissa månader men inte andra"}
# The dashboard's icons (static/lagesbild/spc/<key>.svg): the variation of the latest month with the
# side it lies on, and the assurance; each with the Swedish text that is its accessible name.
ICON_TEXT = {
    "common_cause": "Slumpmässig variation",
    "improvement_high": "Särskild orsak – förbättring, höga värden",
    "improvement_low": "Särskild orsak – förbättring, låga värden",
    "concern_high": "Särskild orsak – försämring, höga värden",
    "concern_low": "Särskild orsak – försämring, låga värden",
    "neutral_high": "Särskild orsak – högre värden (varken bättre eller sämre)",
    "neutral_low": "Särskild orsak – lägre värden (varken bättre eller sämre)",
    **ASSURANCE_TEXT,
}
LEGEND_TEXT = {  # the dashboard legend's short words for the same icons
    "common_cause": "slumpmässig variation", "improvement_high": "förbättring (H)", "improvement_low": "förbättring (L)",
    "concern_high": "försämring (H)", "concern_low": "försämring (L)", "neutral_high": "högre, utan riktning",
    "neutral_low": "lägre, utan riktning", spc.CONSISTENT_PASS: "målet nås varje månad",
    spc.CONSISTENT_FAIL: "målet nås inte utan förändring", spc.INCONSISTENT: "målet nås vissa månader",
}


def signal_text(signal: Optional[str], side: Optional[str], run: int = spc.RUN) -> str:
    """The rule that fired, in Swedish: 'skift: 6 punkter i följd på samma sida om medelvärdet (låg)'."""
    if not signal:
        return ""
    text = SIGNAL_TEXT[signal].replace(f"{spc.RUN} punkter", f"{run} punkter")
    return text + (" (hög)" if side == spc.HIGH else " (låg)")


@dataclass(frozen=True)
class SpcRules:
    """A measure's chart settings (models.SpcSetting), the defaults without one."""

    fix_after: Optional[int] = None
    run: int = spc.RUN

    @classmethod
    def of(cls, setting) -> "SpcRules":
        return cls(setting.fix_after, setting.run_length) if setting is not None else cls()

    @property
    def text(self) -> str:
        base = f"medelvärde och gränser från de första {self.fix_after} punkterna i varje grupp" if self.fix_after \
            else "medelvärde och gränser från alla punkter i varje grupp"
        return f"{base}; trend och skift vid {self.run} punkter i följd"


def rebase_starts(months: list[Period], rebases) -> dict[int, list]:
    """{index of the point a new group starts at: the rebases that start it}. A rebase starts its
    group at the first month of the series at or after its month (a month without a value is not
    in the series); one at or before the first point, or after the last, changes nothing."""
    out: dict[int, list] = {}
    for r in rebases:
        i = next((k for k, p in enumerate(months) if p.start >= r.month), None)
        if i:
            out.setdefault(i, []).append(r)
    return out


def control_chart(m: Measure, known: list[tuple[Period, Decimal]], target, rules: SpcRules = SpcRules(),
                  rebases=()) -> Optional[tuple[spc.Chart, dict[int, list]]]:
    """The XmR chart (calc.spc) of a measure's monthly values that exist, with its direction, the
    target at the unit, its settings and the rebases that hold there; None below SPC_MIN_POINTS.
    The measure page and the dashboard's icons both come from here."""
    if len(known) < SPC_MIN_POINTS:
        return None
    starts = rebase_starts([p for p, _ in known], rebases)
    direction = m.direction if m.direction in (spc.HIGHER, spc.LOWER) else spc.NEUTRAL
    goal = float(target.value) if target is not None and target.value is not None else None
    chart = spc.chart([p.label for p, _ in known], [float(v) for _, v in known], [i in starts for i in range(len(known))],
                      direction=direction, target=goal, fix_after=rules.fix_after, run=rules.run)
    return chart, starts


def control_icons(m: Measure, months: list[Period], values: list[float], target, rules: SpcRules = SpcRules(),
                  rebases=()) -> Optional[SpcIcons]:
    """The dashboard's icons: what ``control_chart`` says of the last month (calc.spc.latest, which
    reads the last rebase group only); None below SPC_MIN_POINTS."""
    if len(values) < SPC_MIN_POINTS:
        return None
    starts = rebase_starts(months, rebases) if rebases else {}
    direction = m.direction if m.direction in (spc.HIGHER, spc.LOWER) else spc.NEUTRAL
    goal = float(target.value) if target is not None and target.value is not None else None
    last = spc.latest(values, [i in starts for i in range(len(values))] if starts else None,
                      direction=direction, target=goal, fix_after=rules.fix_after, run=rules.run)
    return SpcIcons.of_latest(last)


@dataclass(frozen=True)
class SpcIcons:
    """The dashboard's two icons for a measure: the latest month's variation and the assurance."""

    variation: str  # a key of ICON_TEXT
    assurance: Optional[str]

    @classmethod
    def of(cls, chart: spc.Chart) -> "SpcIcons":
        last = chart.points[-1]
        return cls.of_latest(spc.Latest(last.signal, last.side, last.variation, chart.assurance))

    @classmethod
    def of_latest(cls, last: spc.Latest) -> "SpcIcons":
        key = last.variation
        if key in (spc.IMPROVEMENT, spc.CONCERN):
            key = f"{key}_{last.side}"
        return cls(key, last.assurance)

    @property
    def variation_text(self) -> str:
        return "Variation senaste månaden: " + ICON_TEXT[self.variation]

    @property
    def assurance_text(self) -> str:
        return "Målsäkring: " + ICON_TEXT[self.assurance] if self.assurance else ""


@dataclass
class SpcRow:
    period: str
    value: Figure
    mean: str
    lower: str
    upper: str
    signal: str
    variation: str  # spc's variation key, for the style
    rebase: str = ""  # the reasons of the rebases that start a new group here

    @property
    def variation_text(self) -> str:
        return VARIATION_TEXT[self.variation]


class ShownRebase(NamedTuple):
    rebase: object  # models.Rebase
    unit_name: str
    starts: str  # the month of the chart its group starts at ('mar 2025'); '' when it changes nothing in the chart
    inherited: bool  # recorded at a unit above this one
    later: bool = False  # its month has no value: the group starts at the next month that has one


@dataclass
class SpcView:
    rows: list[SpcRow]
    chart: str
    latest: str  # the last point's variation key
    assurance: Optional[str]
    rules: SpcRules = SpcRules()
    rebases: list[ShownRebase] = field(default_factory=list)
    icons: Optional[SpcIcons] = None

    @property
    def latest_text(self) -> str:
        return VARIATION_TEXT[self.latest]

    @property
    def has_new_groups(self) -> bool:
        """A rebase starts a new group within the chart (drawn as a vertical rule)."""
        return any(r.rebase for r in self.rows)

    @property
    def assurance_text(self) -> str:
        return ASSURANCE_TEXT.get(self.assurance, "")


def spc_view(m: Measure, series: list[SeriesRow], target, rules: SpcRules = SpcRules(), rebases=(),
             unit: Optional[OrgUnit] = None) -> Optional[SpcView]:
    """The XmR chart of the monthly values that exist, its table and the rebases that hold at the
    unit; None below SPC_MIN_POINTS."""
    known = [r for r in series if r.value.value is not None]
    made = control_chart(m, [(r.period, r.value.value) for r in known], target, rules, rebases)
    if made is None:
        return None
    chart, starts = made
    goal = float(target.value) if target is not None and target.value is not None else None

    def shown(x: Optional[float]) -> str:
        return format_value(m, Decimal(repr(x))) if x is not None else fmt.DASH

    rows, points = [], []
    for i, (r, p) in enumerate(zip(known, chart.points)):
        signal = signal_text(p.signal, p.side, rules.run)
        reasons = "; ".join(b.reason for b in starts.get(i, ()))
        rows.append(SpcRow(r.period.label, r.value, shown(p.mean), shown(p.lower), shown(p.upper), signal, p.variation,
                           reasons))
        points.append({"period": r.period.label, "value": p.value, "mean": p.mean, "lower": p.lower, "upper": p.upper,
                       "variation": p.variation, "group": p.group,
                       "tip": f"{r.period.label}: {r.value.text} – {VARIATION_TEXT[p.variation].lower()}"
                              + (f", {signal}" if signal else "") + (f"; ny baslinje: {reasons}" if reasons else "")})
    new_groups = [{"period": known[i].period.label, "text": "; ".join(b.reason for b in bs)} for i, bs in sorted(starts.items())]
    spec = charts.spc_spec(points, f"{m.title}, styrdiagram", m.unit_info.axis_title,
                           {"value": goal} if goal is not None else None, zero=m.unit_info.is_share, rebases=new_groups)
    starts_at = {id(b): known[i].period for i, bs in starts.items() for b in bs}
    return SpcView(rows, charts.svg(spec), chart.points[-1].variation, chart.assurance, rules,
                   shown_rebases(rebases, unit, starts_at), SpcIcons.of(chart))


def shown_rebases(rebases, unit: Optional[OrgUnit], starts_at: Optional[dict] = None) -> list[ShownRebase]:
    """The rebases that hold at the unit as the page lists them; ``starts_at``: {id(rebase): the
    month (Period) of the chart its group starts at}."""
    starts_at = starts_at or {}
    out = []
    for b in rebases:
        p = starts_at.get(id(b))
        out.append(ShownRebase(b, b.org_unit.name, p.label if p else "", unit is not None and b.org_unit_id != unit.pk,
                               p is not None and p.start > b.month))
    return out


def chart_spec(unit: OrgUnit, m: Measure, series: list[SeriesRow], target, with_reference: bool) -> dict:
    """The measure page's chart: the unit's series, the same periods a year earlier, the published
    national figure where it exists and the target line (reports.charts.time_series_spec)."""
    roles = [("unit", "value"), ("last_year", "last_year")] + ([("reference", "reference")] if with_reference else [])
    rows = [{"period": r.period.label, "series": role, "value": _float(getattr(r, attr).value),
             "text": getattr(r, attr).with_n} for role, attr in roles for r in series]
    goal = target_figure(target)
    names = {"unit": unit.name, "last_year": "Samma period året före", "reference": PUBLISHED_NATION,
             "target": f"Mål {goal.text}"}
    return charts.time_series_spec(rows, m.title, {"value": float(target.value), "text": goal.text} if target else None,
                                   m.unit_info.axis_title, names, zero=m.unit_info.is_share)


def _float(value: Optional[Decimal]) -> Optional[float]:
    return None if value is None else float(value)
