"""Reading measured values: roll-up by summing in the database, targets, status and trends.

Every figure at every level is Σnumerator / Σdenominator over the observations in the unit's
subtree, summed by the database: the unit's own rows plus its stored subtree sums (kept current
by ``subtree_sums`` in every writer's transaction), or an indexed prefix query on the
materialised path over the leaves. No Python loop over units; Python only folds months into
longer periods (a handful of rows).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable, Optional

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import StrIndex, Substr

from lagesbild.calc import periods, ratio, status as st
from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.catalogue.selectors import measures_on
from lagesbild.org.models import OrgUnit
from lagesbild.org.selectors import subtree_q  # noqa: F401 (also used by measurements.api)

from .models import Observation, Rebase, SpcSetting, SubtreeSum, Target

# Which stored granularities can be summed into a period of a given granularity.
COMPATIBLE = {
    periods.MONTH: (periods.MONTH,),
    periods.QUARTER: (periods.MONTH, periods.QUARTER),
    periods.TERTIAL: (periods.MONTH, periods.TERTIAL),
    periods.YEAR: periods.GRANULARITIES,
}


@dataclass
class Sums:
    numerator: int = 0
    denominator: Optional[int] = None
    rows: int = 0

    def add(self, num: int, den: Optional[int], rows: int) -> None:
        self.numerator += num or 0
        if den is not None:
            self.denominator = (self.denominator or 0) + den
        self.rows += rows

    def value(self, measure: Measure) -> Optional[Decimal]:
        if self.rows == 0:
            return None
        return ratio.rate(self.numerator, self.denominator, measure.unit, measure.decimals)


def _grouped(unit: OrgUnit, measure_ids: Iterable[int], start: date, end: date, as_of_today: bool,
             sex: Optional[str] = None) -> Iterable[dict]:
    """Σ per (measure, period start, granularity) over the unit's subtree, as rows of dicts.

    As the organisation was, and for all sexes: the unit's own observations plus the stored
    sums of everything below it (``SubtreeSum``), two index lookups in one UNION ALL. Mapped
    onto today's structure, or for one sex: one grouped query over the leaves below.
    """
    ids = list(measure_ids)
    if as_of_today or sex is not None:
        qs = Observation.objects.filter(subtree_q(unit, as_of_today), measure_id__in=ids,
                                        period_start__gte=start, period_start__lt=end)
        if sex is not None:
            qs = qs.filter(sex=sex)
        return (
            qs.values("measure_id", "period_start", "granularity")
            .annotate(num=Sum("numerator"), den=Sum("denominator"), rows=Count("*"))
            .order_by()
        )
    own = (
        Observation.objects.filter(org_unit=unit, measure_id__in=ids, period_start__gte=start, period_start__lt=end)
        .values("measure_id", "period_start", "granularity")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), rows=Count("*"))
        .order_by()
    )
    below = (
        SubtreeSum.objects.filter(org_unit=unit, measure_id__in=ids, period_start__gte=start, period_start__lt=end)
        .values("measure_id", "period_start", "granularity", num=F("numerator"), den=F("denominator"),
                rows=F("row_count"))
    )
    return own.union(below, all=True)


def sums_by_period(
    unit: OrgUnit, measures: list[Measure], first: Period, last: Period, as_of_today: bool = False,
    sex: Optional[str] = None,
) -> dict[int, dict[Period, Sums]]:
    """{measure id: {period: sums}} for every period from ``first`` to ``last`` (same granularity)."""
    g = first.granularity
    out: dict[int, dict[Period, Sums]] = {m.id: defaultdict(Sums) for m in measures}
    for row in _grouped(unit, out, first.start, last.end, as_of_today, sex):
        if row["granularity"] not in COMPATIBLE[g]:
            continue
        p = Period.containing(row["period_start"], g)
        out[row["measure_id"]][p].add(row["num"], row["den"], row["rows"])
    return out


def value_for(measure: Measure, unit: OrgUnit, period: Period, as_of_today: bool = False) -> Optional[Decimal]:
    """The measure's value for the unit and period, rounded as presented; None without data."""
    return sums_by_period(unit, [measure], period, period, as_of_today)[measure.id][period].value(measure)


def _targets_on(measures: Iterable[Measure], on: date, unit_q: Q) -> list[Target]:
    """Targets valid on a date for the measures' codes (a target set on one version of a measure
    holds for the measure), each with the caller's measure instance, keyed on through measure_id."""
    by_code = {m.code: m for m in measures}
    qs = (
        Target.objects.filter(unit_q, measure__code__in=list(by_code))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("org_unit").annotate(code=F("measure__code"))
    )
    out = []
    for t in qs:
        t.measure = by_code[t.code]  # the caller's instances: no second copy of the catalogue
        out.append(t)
    return out


def targets_around(unit: OrgUnit, measures: Iterable[Measure], on: date) -> list[Target]:
    """The targets valid on a date set at the unit, above it or below it: one query that serves both
    ``measure_statuses`` (those above) and ``child_statuses`` (all) on the dashboard."""
    return _targets_on(measures, on, Q(org_unit__path__in=ancestor_paths(unit)) | Q(org_unit__path__startswith=unit.path))


def effective_targets(unit: OrgUnit, measures: Iterable[Measure], on: date,
                      targets: Optional[list[Target]] = None) -> dict[int, Target]:
    """The target that holds for each measure at ``unit`` on a date: the one set nearest above.
    ``targets``: already fetched ones (``targets_around``), of which those above the unit count."""
    if targets is None:
        targets = _targets_on(measures, on, Q(org_unit__path__in=ancestor_paths(unit)))
    else:
        above = set(ancestor_paths(unit))
        targets = [t for t in targets if t.org_unit.path in above]
    best: dict[int, Target] = {}
    for t in targets:
        current = best.get(t.measure_id)
        if current is None or t.org_unit.depth > current.org_unit.depth:
            best[t.measure_id] = t
    return best


def ancestor_paths(unit: OrgUnit) -> list[str]:
    parts = unit.path.rstrip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@dataclass
class MeasureStatus:
    measure: Measure
    period: Period
    value: Optional[Decimal]
    sums: Sums
    target: Optional[Target]
    status: Optional[str]
    previous: Optional[Decimal]
    last_year: Optional[Decimal]
    trend: Optional[str]
    series: list[tuple[Period, Optional[Decimal]]] = field(default_factory=list)
    data_until: Optional[date] = None  # the latest month with data within the dashboard's window
    previous_sums: Sums = field(default_factory=Sums)
    last_year_sums: Sums = field(default_factory=Sums)
    # The control chart's months (``spc_months`` up to the period's last month) that have a value,
    # and those values as floats (what the chart computes with); empty unless asked for.
    spc_periods: list[Period] = field(default_factory=list)
    spc_values: list[float] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return st.LABELS.get(self.status, "Inget mål") if self.status else "Inget mål"


def measure_statuses(
    unit: OrgUnit, measures: list[Measure], period: Period, as_of_today: bool = False, spark_months: int = 13,
    targets: Optional[list[Target]] = None, spc_months: int = 0,
) -> list[MeasureStatus]:
    """Value, target, status, trend, sparkline and data age for each measure at ``unit``, and with
    ``spc_months`` the monthly values of that many months for the control chart (``spc_periods``,
    ``spc_values``).

    One grouped query reads the months from the earliest period needed (the previous period,
    the same period last year, the sparkline's or the control chart's first month) to the end of
    ``period``; Python folds those few hundred sums into the periods. A second query fetches the targets.
    """
    last_month = Period.containing(period.end, periods.MONTH).previous
    spark_first = last_month.shift(-(spark_months - 1))
    spc_first = last_month.shift(-(spc_months - 1)) if spc_months else spark_first
    monthly_first = min(spark_first.start, spc_first.start)
    start = min(period.previous.start, period.same_last_year.start, monthly_first)
    wanted = {period, period.previous, period.same_last_year}
    by_period: dict[int, dict[Period, Sums]] = {m.id: defaultdict(Sums) for m in measures}
    monthly: dict[int, dict[Period, Sums]] = {m.id: defaultdict(Sums) for m in measures}
    data_until: dict[int, date] = {}
    compatible = COMPATIBLE[period.granularity]
    containing: dict[date, Period] = {}  # a few distinct first days, hundreds of rows
    month_of: dict[date, Period] = {}
    # The control chart's months as plain integer columns per measure (numerators, denominators,
    # rows), not a Sums object per month: 60 measures × 36 months of objects per request made the
    # garbage collector's full passes several times as frequent.
    spc_window = periods.periods_between(spc_first, last_month) if spc_months else []
    spc_at = {p.start: i for i, p in enumerate(spc_window)}
    spc_cols = {m.id: ([0] * len(spc_window), [None] * len(spc_window), [0] * len(spc_window))
                for m in measures} if spc_months else {}
    for row in _grouped(unit, by_period, start, period.end, as_of_today):
        m_id, first_day, g = row["measure_id"], row["period_start"], row["granularity"]
        if g in compatible:
            p = containing.get(first_day) or containing.setdefault(first_day, Period.containing(first_day, period.granularity))
            if p in wanted:
                by_period[m_id][p].add(row["num"], row["den"], row["rows"])
        if g == periods.MONTH:
            if first_day >= spark_first.start:
                p = month_of.get(first_day) or month_of.setdefault(first_day, Period(first_day, periods.MONTH))
                monthly[m_id][p].add(row["num"], row["den"], row["rows"])
            k = spc_at.get(first_day)
            if k is not None:
                nums, dens, counts = spc_cols[m_id]
                nums[k] += row["num"] or 0
                if row["den"] is not None:
                    dens[k] = (dens[k] or 0) + row["den"]
                counts[k] += row["rows"]
        if first_day > data_until.get(m_id, date.min):
            data_until[m_id] = first_day
    targets = effective_targets(unit, measures, period.start, targets)
    months = periods.periods_between(spark_first, last_month)
    out = []
    for m in measures:
        sums = by_period[m.id][period]
        value = sums.value(m)
        prev_sums, ly_sums = by_period[m.id][period.previous], by_period[m.id][period.same_last_year]
        prev, ly = prev_sums.value(m), ly_sums.value(m)
        t = targets.get(m.id)
        s = st.status(value, t.comparator, t.value, t.warning_band) if t else (st.NO_DATA if value is None else None)
        series = [(p, monthly[m.id][p].value(m)) for p in months]
        spc_periods, spc_values = [], []
        if spc_months:
            nums, dens, counts = spc_cols[m.id]
            for k, p in enumerate(spc_window):
                if counts[k]:
                    v = _float_value(nums[k], dens[k], m)
                    if v is not None:
                        spc_periods.append(p)
                        spc_values.append(v)
        out.append(MeasureStatus(m, period, value, sums, t, s, prev, ly, st.trend(value, prev, m.direction), series,
                                 data_until.get(m.id), prev_sums, ly_sums, spc_periods, spc_values))
    return out


def _float_value(num: int, den: Optional[int], measure: Measure) -> Optional[float]:
    """``float(Sums(num, den, rows).value(measure))`` for rows > 0, by integer arithmetic: the same
    half-up rounding of the exact ratio (Decimal's 28 digits never decide a tie for counts below
    10¹²), a few times faster, for the thousands of monthly values of a dashboard's control charts.
    Held to Sums.value by the tests."""
    factor = ratio.MULTIPLIERS.get(measure.unit)
    if factor is None:  # a count: the numerator itself
        return float(num)
    if not den:
        return None
    if num < 0 or den < 0:
        value = ratio.rate(num, den, measure.unit, measure.decimals)
        return None if value is None else float(value)
    scale = 10 ** measure.decimals
    return ((2 * num * factor * scale + den) // (2 * den)) / scale


def period_statuses(unit: OrgUnit, measures: list[Measure], period: Period, as_of_today: bool = False,
                    targets: Optional[list[Target]] = None) -> list[MeasureStatus]:
    """Value, n, target and status of each measure at ``unit`` in ``period`` only: what
    ``measure_statuses`` gives without the sparkline, the previous period, last year, the trend and
    the data age (those fields are empty), for lists that show no more (the start page).

    The database sums each measure's rows of the period (in granularities that fold into it) to one
    row per measure and source (own rows, subtree sums): a few dozen rows, not months of them."""
    ids = [m.id for m in measures]
    window = dict(measure_id__in=ids, period_start__gte=period.start, period_start__lt=period.end,
                  granularity__in=COMPATIBLE[period.granularity])
    totals = dict(num=Sum("numerator"), den=Sum("denominator"))
    if as_of_today:
        rows = (Observation.objects.filter(subtree_q(unit, as_of_today), **window)
                .values("measure_id").annotate(**totals, rows=Count("*")).order_by())
    else:
        own = (Observation.objects.filter(org_unit=unit, **window)
               .values("measure_id").annotate(**totals, rows=Count("*")).order_by())
        below = (SubtreeSum.objects.filter(org_unit=unit, **window)
                 .values("measure_id").annotate(**totals, rows=Sum("row_count")).order_by())
        rows = own.union(below, all=True)
    sums: dict[int, Sums] = defaultdict(Sums)
    for row in rows:
        sums[row["measure_id"]].add(row["num"], row["den"], row["rows"])
    found = effective_targets(unit, measures, period.start, targets)
    out = []
    for m in measures:
        value, t = sums[m.id].value(m), found.get(m.id)
        s = st.status(value, t.comparator, t.value, t.warning_band) if t else (st.NO_DATA if value is None else None)
        out.append(MeasureStatus(m, period, value, sums[m.id], t, s, None, None, None))
    return out


def unit_statuses(unit: OrgUnit, period: Period, as_of_today: bool = False) -> list[MeasureStatus]:
    """The status at the unit of every measure, in the version valid for the period (used by the
    dashboard and the gap view)."""
    return measure_statuses(unit, measures_for(period), period, as_of_today)


def measures_for(period: Period, focus_area: Optional[int] = None) -> list[Measure]:
    """Each measure in the version valid at the start of ``period`` (catalogue.selectors.measures_on),
    by focus area (none last) and code on every database."""
    return measures_on(period.start, focus_area)


def _per_child(unit: OrgUnit, measure_ids: list[int], period: Period, as_of_today: bool) -> Iterable[dict]:
    """Σ per (child, measure) over each child's subtree for ``period``, as rows of dicts.

    As the organisation was: the children's own rows and their stored subtree sums. Mapped onto
    today's structure: one grouped query over the leaves, the child cut out of the path in SQL.
    """
    window = dict(period_start__gte=period.start, period_start__lt=period.end,
                  granularity__in=COMPATIBLE[period.granularity], measure_id__in=measure_ids)
    if not as_of_today:
        own = (Observation.objects.filter(org_unit__parent=unit, **window)
               .values("measure_id", child=F("org_unit__path"))
               .annotate(num=Sum("numerator"), den=Sum("denominator"), rows=Count("*")).order_by())
        below = (SubtreeSum.objects.filter(org_unit__parent=unit, **window)
                 .values("measure_id", child=F("org_unit__path"))
                 .annotate(num=Sum("numerator"), den=Sum("denominator"), rows=Sum("row_count")).order_by())
        return own.union(below, all=True)
    column = "org_unit__current_path"
    n = len(unit.path)
    child = Substr(column, 1, StrIndex(Substr(column, n + 1), Value("/")) + n)
    return (
        Observation.objects.filter(subtree_q(unit, as_of_today), **window)
        .exclude(**{column: unit.path})
        .annotate(child=child)
        .values("child", "measure_id")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), rows=Count("*"))
        .order_by()
    )


def _child_sums(unit: OrgUnit, measure_ids: list[int], period: Period, as_of_today: bool) -> dict[tuple[str, int], Sums]:
    out: dict[tuple[str, int], Sums] = defaultdict(Sums)
    for r in _per_child(unit, measure_ids, period, as_of_today):
        out[(r["child"], r["measure_id"])].add(r["num"], r["den"], r["rows"])
    return out


def child_values(unit: OrgUnit, measure: Measure, period: Period, as_of_today: bool = False) -> list[tuple[str, Sums]]:
    """Σ per child of ``unit`` (by the child's path), for the children with data."""
    return [(child, s) for (child, _), s in _child_sums(unit, [measure.id], period, as_of_today).items()]


def observations_behind(measure: Measure, unit: OrgUnit, period: Period, as_of_today: bool = False):
    """The leaf rows a figure is computed from, with the import that wrote each."""
    return (
        Observation.objects.filter(subtree_q(unit, as_of_today), measure=measure,
                                   period_start__gte=period.start, period_start__lt=period.end,
                                   granularity__in=COMPATIBLE[period.granularity])
        .select_related("org_unit", "source_import")
        .order_by("org_unit__path", "period_start", "sex", "age_band")
    )


def sex_split(measure: Measure, unit: OrgUnit, period: Period, as_of_today: bool = False) -> dict[str, Optional[Decimal]]:
    """Value per sex where the data is split (K, M); empty when it is not."""
    rows = (
        Observation.objects.filter(subtree_q(unit, as_of_today), measure=measure, sex__in=["K", "M"],
                                   period_start__gte=period.start, period_start__lt=period.end,
                                   granularity__in=COMPATIBLE[period.granularity])
        .values("sex").annotate(num=Sum("numerator"), den=Sum("denominator"), rows=Count("*")).order_by()
    )
    out = {}
    for r in rows:
        s = Sums()
        s.add(r["num"], r["den"], r["rows"])
        out[r["sex"]] = s.value(measure)
    return out


def periods_with_data(unit: OrgUnit, granularity: str) -> list[Period]:
    """The periods of ``granularity`` with observations in the unit's subtree, newest first.

    Two index lookups on the unit (its own rows and its stored subtree sums), distinct first days
    only; Python folds those few dozen dates into periods.
    """
    own = Observation.objects.filter(org_unit=unit).values_list("period_start", "granularity").distinct().order_by()
    below = SubtreeSum.objects.filter(org_unit=unit).values_list("period_start", "granularity").distinct().order_by()
    compatible = COMPATIBLE[granularity]
    found = {Period.containing(start, granularity) for start, g in own.union(below) if g in compatible}
    return sorted(found, reverse=True)


def latest_period_with_data(unit: OrgUnit, granularity: str = periods.YEAR) -> Optional[Period]:
    """The newest period of ``granularity`` with data in the unit's subtree (None without data)."""
    found = periods_with_data(unit, granularity)
    return found[0] if found else None


@dataclass
class ReferenceFigure:
    """A comparison figure: published rows ("riket") with the files they came from, or a roll-up."""

    value: Optional[Decimal]
    published: bool = False
    sources: tuple[str, ...] = ()
    n: Optional[int] = None  # the summed denominator


def reference_figures(measures: list[Measure], ref_unit: OrgUnit, period: Period) -> dict[int, ReferenceFigure]:
    """Comparison figures: the published reference rows of ``ref_unit`` where they exist, else
    (for a unit other than the nation) the roll-up of its subtree, e.g. another region."""
    from .models import ReferenceObservation

    sums: dict[int, Sums] = defaultdict(Sums)
    sources: dict[int, set[str]] = defaultdict(set)
    rows = (
        ReferenceObservation.objects.filter(org_unit=ref_unit, measure__in=measures, period_start__gte=period.start,
                                            period_start__lt=period.end, granularity__in=COMPATIBLE[period.granularity])
        .values("measure_id", "source_import__file_name")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), rows=Count("*")).order_by()
    )
    for r in rows:
        sums[r["measure_id"]].add(r["num"], r["den"], r["rows"])
        if r["source_import__file_name"]:
            sources[r["measure_id"]].add(r["source_import__file_name"])
    # The nation is compared only with published figures: a roll-up of the regions that happen
    # to be in this database is not "riket".
    missing = [m for m in measures if m.id not in sums] if ref_unit.kind != OrgUnit.Kind.NATION else []
    rolled = sums_by_period(ref_unit, missing, period, period) if missing else {}
    out: dict[int, ReferenceFigure] = {}
    for m in measures:
        if m.id in sums:
            out[m.id] = ReferenceFigure(sums[m.id].value(m), True, tuple(sorted(sources[m.id])), sums[m.id].denominator)
        elif m.id in rolled:
            s = rolled[m.id][period]
            out[m.id] = ReferenceFigure(s.value(m), n=s.denominator)
        else:
            out[m.id] = ReferenceFigure(None)
    return out


def reference_values(measures: list[Measure], ref_unit: OrgUnit, period: Period) -> dict[int, Optional[Decimal]]:
    """The values of ``reference_figures``."""
    return {k: f.value for k, f in reference_figures(measures, ref_unit, period).items()}


def reference_unit(unit: OrgUnit) -> Optional[OrgUnit]:
    """The default comparison: the nation ("riket") for anything below it."""
    if unit.parent_id is None:
        return None
    return OrgUnit.objects.filter(parent__isnull=True, kind=OrgUnit.Kind.NATION).first()


@dataclass
class ChildFigure:
    """A measure at a child unit: the sums over its subtree, the target that holds there, the status."""

    sums: Sums
    value: Optional[Decimal]
    target: Optional[Target]
    status: Optional[str]


def child_statuses(unit: OrgUnit, measures: list[Measure], period: Period,
                   as_of_today: bool = False, targets: Optional[list[Target]] = None) -> dict[tuple[str, int], ChildFigure]:
    """{(child path, measure id): figure} for the children of ``unit`` with data in ``period``.

    The sums per (child, measure) come from ``_per_child``; one more query fetches the targets
    set at the unit, above it or below it (the nearest above each child holds).
    """
    by_id = {m.id: m for m in measures}
    if targets is None:  # the dashboard passes the ones it fetched for its rows (targets_around)
        targets = targets_around(unit, measures, period.start)
    targets_of: dict[int, list[Target]] = defaultdict(list)
    for t in targets:
        targets_of[t.measure_id].append(t)
    out = {}
    for (child, m_id), s in _child_sums(unit, list(by_id), period, as_of_today).items():
        m = by_id[m_id]
        candidates = [t for t in targets_of[m_id] if child.startswith(t.org_unit.path)]
        t = max(candidates, key=lambda t: t.org_unit.depth, default=None)
        value = s.value(m)
        out[(child, m_id)] = ChildFigure(s, value, t, st.status(value, t.comparator, t.value, t.warning_band) if t else None)
    return out


def reference_series(measure: Measure, ref_unit: OrgUnit, first: Period, last: Period) -> dict[Period, Sums]:
    """The published comparison rows of ``ref_unit`` per period from ``first`` to ``last`` (no roll-up:
    a period without published rows is absent)."""
    from .models import ReferenceObservation

    out: dict[Period, Sums] = defaultdict(Sums)
    rows = (
        ReferenceObservation.objects.filter(org_unit=ref_unit, measure=measure, period_start__gte=first.start,
                                            period_start__lt=last.end,
                                            granularity__in=COMPATIBLE[first.granularity])
        .values("period_start").annotate(num=Sum("numerator"), den=Sum("denominator"), rows=Count("*")).order_by()
    )
    for r in rows:
        out[Period.containing(r["period_start"], first.granularity)].add(r["num"], r["den"], r["rows"])
    return out


def spc_settings(codes: Iterable[str]) -> dict[str, SpcSetting]:
    """The control-chart settings of the measures that have any, by measure code (one query)."""
    return {s.measure_code: s for s in SpcSetting.objects.filter(measure_code__in=list(codes))}


def rebases_for(unit: OrgUnit, codes: Iterable[str]) -> dict[str, list[Rebase]]:
    """The rebases that hold at ``unit`` – recorded at it or at a unit above it – by measure code,
    oldest month first (one query for all the measures of a dashboard)."""
    out: dict[str, list[Rebase]] = defaultdict(list)
    qs = (Rebase.objects.filter(measure_code__in=list(codes), org_unit__path__in=ancestor_paths(unit))
          .select_related("org_unit").order_by("month", "org_unit__depth", "pk"))
    for r in qs:
        out[r.measure_code].append(r)
    return out
