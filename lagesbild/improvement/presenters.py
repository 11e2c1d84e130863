"""Turning improvement records into what the pages show (Swedish text, formatted numbers).

The gap view and the overdue list are assembled here once; the page and its Excel export
read the same report, and each export's columns are declared once (``*_COLUMNS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Optional

from lagesbild.calc import fmt
from lagesbild.calc import status as calc_status
from lagesbild.calc.periods import Period
from lagesbild.measurements.presenters import format_with_unit
from lagesbild.org.models import OrgUnit
from lagesbild.reports import tables

from . import measured, selectors
from .models import Action, ActionPlan, Analysis, FollowUp

TREND_TEXT = {"better": "Förbättring", "worse": "Försämring", "same": "Oförändrat"}


@dataclass
class FollowUpView:
    follow_up: FollowUp
    before_text: str
    after_text: str
    change_text: str
    trend: Optional[str]

    @property
    def trend_text(self) -> str:
        return TREND_TEXT.get(self.trend, "")


def _value_text(measure, period_label: str, value, source: str) -> str:
    if value is None and not period_label:
        return fmt.DASH
    text = format_with_unit(measure, value)
    if period_label:
        text = f"{period_label}: {text}"
    if value is not None and source:
        text += f" ({dict(FollowUp.Source.choices).get(source, source).lower()})"
    return text


def follow_up_view(f: FollowUp, measure) -> FollowUpView:
    before = _value_text(measure, f.period_before_label, f.value_before, f.value_before_source)
    after = _value_text(measure, f.period_after_label, f.value_after, f.value_after_source)
    change, trend = "", None
    if f.value_before is not None and f.value_after is not None:
        diff = f.value_after - f.value_before
        trend = calc_status.trend(f.value_after, f.value_before, measure.direction)
        if measure.unit_info.is_share:
            change = fmt.points(diff, measure.decimals)
        else:
            sign = "+" if diff > 0 else ("±" if diff == 0 else "")
            change = sign + format_with_unit(measure, diff)
    return FollowUpView(f, before, after, change, trend)


def default_after_period(analysis_period: Period, today: date) -> Period:
    """The latest complete period of the analysis's granularity, but never before the analysis."""
    last = Period.containing(today, analysis_period.granularity).previous
    return last if last > analysis_period else analysis_period.shift(1)


# --- tables shown on a page and exported to Excel ---------------------------------------------


@dataclass(frozen=True)
class ExcelColumn:
    """One column of an export, declared once: its header and how a row's value is taken."""

    column: tables.Column
    value: Callable[[Any], object]


def sheet(name: str, title: str, columns: list[ExcelColumn], rows: list) -> tables.Sheet:
    return tables.Sheet(name, title, [c.column for c in columns], [[c.value(r) for c in columns] for r in rows])


# --- the gap view ---------------------------------------------------------------------------


@dataclass
class GapLine:
    """One unit's row of the gap view: the exact facts and their text."""

    unit: OrgUnit
    plan: Optional[ActionPlan]
    lacks_plan: bool
    plan_note: str
    off_target: Optional[list]
    missing_analysis: list
    overdue: int
    has_gap: bool

    @property
    def kind_text(self) -> str:
        return self.unit.get_kind_display()

    @property
    def lacks_plan_text(self) -> str:
        return "ja" if self.lacks_plan else "nej"

    @property
    def plan_text(self) -> str:
        return self.plan.title if self.plan else self.plan_note

    @property
    def missing_text(self) -> str:
        if self.off_target is None:
            return "okänt"
        return "; ".join(m.title for m in self.missing_analysis)


@dataclass
class GapReport:
    region: OrgUnit
    year: int
    period: Period
    region_plan: Optional[ActionPlan]
    rows: list[GapLine]
    overdue_total: int  # every level of the region in the user's scope, enheter included

    @property
    def title(self) -> str:
        return f"Luckor i förbättringsarbetet – {self.region.name} {self.year}"

    @property
    def file_name(self) -> str:
        return f"luckor-{self.region.code}-{self.year}.xlsx"

    @property
    def gap_count(self) -> int:
        return sum(1 for r in self.rows if r.has_gap)

    @property
    def statuses_known(self) -> bool:
        return any(r.off_target is not None for r in self.rows)


GAP_COLUMNS = [
    ExcelColumn(tables.Column("Enhet", width=40), lambda r: r.unit.name),
    ExcelColumn(tables.Column("Typ"), lambda r: r.kind_text),
    ExcelColumn(tables.Column("Handlingsplan saknas"), lambda r: r.lacks_plan_text),
    ExcelColumn(tables.Column("Plan", width=40), lambda r: r.plan_text),
    ExcelColumn(tables.Column("Mått ej uppnått utan analys", width=60), lambda r: r.missing_text),
    ExcelColumn(tables.Column("Försenade åtgärder", "int"), lambda r: r.overdue),
]


def gap_report(user, region: OrgUnit, year: int, period: Period, today: date, include_enheter: bool = False,
               off_target: Optional[measured.OffTarget] = None) -> GapReport:
    rows = selectors.gaps(user, region, year, period, off_target=off_target, today=today,
                          include_enheter=include_enheter)
    lines = [GapLine(r.unit, r.plan, r.lacks_plan, r.plan_note, r.off_target, r.missing_analysis, r.overdue, r.has_gap)
             for r in rows]
    return GapReport(region, year, period, selectors.region_plan_for(region, year), lines,
                     selectors.overdue_actions(user, today, region).count())


def gap_sheet(report: GapReport) -> tables.Sheet:
    return sheet("Luckor", report.title, GAP_COLUMNS, report.rows)


# --- overdue actions ------------------------------------------------------------------------


@dataclass
class OverdueLine:
    action: Action
    days: int  # days past the due date

    @property
    def analysis(self) -> Analysis:
        return self.action.analysis


@dataclass
class OverdueReport:
    today: date
    unit: Optional[OrgUnit]
    exact: bool
    rows: list[OverdueLine]

    @property
    def title(self) -> str:
        return f"Försenade åtgärder {self.today:%Y-%m-%d}"

    @property
    def file_name(self) -> str:
        return f"forsenade-atgarder-{self.today:%Y-%m-%d}.xlsx"


OVERDUE_COLUMNS = [
    ExcelColumn(tables.Column("Åtgärd", width=50), lambda r: r.action.title),
    ExcelColumn(tables.Column("Enhet", width=30), lambda r: r.analysis.org_unit.name),
    ExcelColumn(tables.Column("Mått", width=40), lambda r: r.analysis.measure.title),
    ExcelColumn(tables.Column("Ansvarig", width=24), lambda r: r.action.owner_name),
    ExcelColumn(tables.Column("Klar senast", "date"), lambda r: r.action.due_date),
    ExcelColumn(tables.Column("Dagar sen", "int"), lambda r: r.days),
    ExcelColumn(tables.Column("Status"), lambda r: r.action.get_status_display()),
]


def overdue_report(user, today: date, unit: Optional[OrgUnit] = None, exact: bool = False) -> OverdueReport:
    actions = selectors.overdue_actions(user, today, unit, exact=exact)
    return OverdueReport(today, unit, exact, [OverdueLine(a, (today - a.due_date).days) for a in actions])


def overdue_sheet(report: OverdueReport) -> tables.Sheet:
    return sheet("Försenade åtgärder", report.title, OVERDUE_COLUMNS, report.rows)
