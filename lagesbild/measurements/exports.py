"""The dashboard's and the measure page's Excel exports: columns declared once over the presenters'
rows, values as numbers in the measure's format, rates as live formulas over their counts."""

from __future__ import annotations

from typing import Optional

from lagesbild.calc import units
from lagesbild.reports import tables
from lagesbild.reports.tables import Column

from .presenters import COMPARATOR_SIGNS, ICON_TEXT, Dashboard, DashboardRow, MeasurePage, SeriesRow

NOTE = "Värde = AVRUNDA(täljare / nämnare × multiplikator; decimaler), summerat över enheterna under."


def _counts(sums) -> tuple[Optional[int], Optional[int]]:
    return (sums.numerator if sums.rows else None), sums.denominator


def _value_formula(m, sums, cell) -> Optional[str]:
    """Our own formula: the value from this row's numerator and denominator cells."""
    if not sums.denominator:
        return None
    return units.excel_value_formula(m.unit, cell("num"), cell("den"), m.decimals)


def _target_format(r: DashboardRow) -> Optional[str]:
    t = r.s.target
    return None if t is None else f'"{COMPARATOR_SIGNS[t.comparator]} "{r.measure.excel_format}'


def dashboard_columns(d: Dashboard) -> list[Column]:
    def measure_format(r: DashboardRow) -> str:
        return r.measure.excel_format

    return [
        Column("Mått", width=50, get=lambda r: r.measure.title),
        Column("Fokusområde", "int", 12, get=lambda r: r.measure.focus_area.number if r.measure.focus_area else None),
        Column("Enhet", width=12, get=lambda r: r.measure.get_unit_display()),
        Column("Täljare", "int", get=lambda r: _counts(r.s.sums)[0], key="num"),
        Column("Nämnare", "int", get=lambda r: _counts(r.s.sums)[1], key="den"),
        Column("Värde", "decimal", get=lambda r: r.value.value, number_format=measure_format,
               formula=lambda r, cell: _value_formula(r.measure, r.s.sums, cell)),
        Column("Mål", "decimal", 10, get=lambda r: r.target.value, number_format=_target_format),
        Column("Status", get=lambda r: r.s.status_label),
        Column("Föregående period", "decimal", get=lambda r: r.previous.value, number_format=measure_format),
        Column("Samma period i fjol", "decimal", get=lambda r: r.last_year.value, number_format=measure_format),
        Column(f"Jämförelse ({d.reference_label or '–'})", "decimal", 18, get=lambda r: r.reference.value,
               number_format=measure_format),
        # The dashboard's control chart icons in words (docs/spc.md); blank below SPC_MIN_POINTS months.
        Column("Variation (styrdiagram)", width=40, get=lambda r: ICON_TEXT[r.spc.variation] if r.spc else None),
        Column("Målsäkring", width=44,
               get=lambda r: ICON_TEXT[r.spc.assurance] if r.spc and r.spc.assurance else None),
    ]


def dashboard_workbook(d: Dashboard) -> bytes:
    notes = [NOTE] + ([d.reference_note] if d.reference_note else []) + (
        [f"{d.unit.name}: {d.coverage}."] if d.coverage else [])
    sheet = tables.Sheet.of("Lägesbild", f"{d.unit.name} – {d.period.label}", dashboard_columns(d), d.rows, notes)
    return tables.write_workbook([sheet])


def series_columns(page: MeasurePage) -> list[Column]:
    m = page.m
    return [
        Column("Period", width=12, get=lambda r: r.period.label),
        Column("Täljare", "int", get=lambda r: _counts(r.sums)[0], key="num"),
        Column("Nämnare", "int", get=lambda r: _counts(r.sums)[1], key="den"),
        Column("Värde", "decimal", get=lambda r: r.value.value, number_format=m.excel_format,
               formula=lambda r, cell: _value_formula(m, r.sums, cell)),
    ]


OBSERVATION_COLUMNS = [
    Column("Enhet", width=30, get=lambda o: o.org_unit.name),
    Column("Enhetskod", get=lambda o: o.org_unit.code),
    Column("Period", "date", get=lambda o: o.period_start),
    Column("Kön", width=6, get=lambda o: o.sex),
    Column("Åldersgrupp", get=lambda o: o.age_band),
    Column("Täljare", "int", get=lambda o: o.numerator),
    Column("Nämnare", "int", get=lambda o: o.denominator),
    Column("Import", width=30, get=lambda o: o.source_import.file_name if o.source_import else ""),
]


def measure_workbook(page: MeasurePage) -> bytes:
    series: list[SeriesRow] = page.series
    return tables.write_workbook([
        tables.Sheet.of("Tidsserie", f"{page.m.title} – {page.unit.name}", series_columns(page), series),
        tables.Sheet.of("Observationer", f"Observationer bakom {page.period.label}", OBSERVATION_COLUMNS,
                        list(page.observations)),
    ])
