"""The Excel workbook a national analyst sends out: a summary and one sheet per indicator.

Every figure on the summary is a live formula over the indicator sheets, and every figure on
an indicator sheet is a formula over its respondent table, so a reader can follow (and
recalculate) each percentage down to the single answer. Cached values are written with each
formula so readers that do not recalculate still see the presenter's figures.

The writer renders a survey presenter's report (``lagesbild.surveys.presenters.present``),
duck-typed: it knows the format, not the domain. Every text from a user or a file is written
as a string, never as a formula. No Django here: the command line writes the file without a
database.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO, Callable, Optional, Union

import xlsxwriter
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

SUMMARY = "Sammanfattning"
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RESERVED_SHEET_NAMES = {"history"}

Out = Union[str, os.PathLike, BinaryIO]


def sheet_names(ids: list[str], taken: tuple[str, ...] = (SUMMARY,)) -> dict[str, str]:
    """A valid, unique Excel sheet name per indicator id (max 31 characters, no []:*?/\\)."""
    used = {t.casefold() for t in taken}
    names: dict[str, str] = {}
    for iid in ids:
        base = SHEET_NAME_FORBIDDEN.sub("_", iid).strip("'")[:MAX_SHEET_NAME] or "Indikator"
        if base.casefold() in RESERVED_SHEET_NAMES:
            base += "_"
        name, i = base, 1
        while name.casefold() in used:
            i += 1
            suffix = f"~{i}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(name.casefold())
        names[iid] = name
    return names


def sheet_ref(sheet: str, cell: str) -> str:
    """A cross-sheet reference, always quoted: 'UI1'!$B$9."""
    return "'" + sheet.replace("'", "''") + "'!" + cell


# --- Workbook --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyCells:
    """Absolute addresses of an indicator sheet's figures."""

    numerator: str
    n: str
    excluded: str
    percent: str


def write_survey_xlsx(report, out: Out) -> None:
    """Write the workbook for a presenter's survey report to ``out`` (a path or a binary file).

    When the report is comparable with an earlier survey, the summary adds the previous year's
    figures and the change in percentage points.
    """
    target = os.fspath(out) if isinstance(out, (str, os.PathLike)) else out
    wb = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False})
    wb.set_properties({"title": report.title, "subject": "Utvecklingsindikatorer"})
    formats = _formats(wb)
    summary = wb.add_worksheet(SUMMARY)
    names = sheet_names([row.id for row in report.rows])
    cells = {
        row.id: write_indicator_sheet(wb.add_worksheet(names[row.id]), row, report, formats) for row in report.rows
    }
    _write_summary(summary, report, names, cells, formats)
    wb.close()


def _formats(wb: Workbook) -> dict[str, Any]:
    return {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "bold": wb.add_format({"bold": True}),
        "header": wb.add_format(
            {"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom", "bg_color": "#DDEBF7"}
        ),
        "int": wb.add_format({"num_format": "0"}),
        "pct": wb.add_format({"num_format": "0.0"}),
        "pct_bold": wb.add_format({"num_format": "0.0", "bold": True}),
        "int_bold": wb.add_format({"num_format": "0", "bold": True}),
    }


def _number(value: Optional[Decimal]) -> Union[float, str]:
    """A cached formula value: the Decimal as float, '' when there is none."""
    return "" if value is None else float(value)


# --- Indicator sheet -------------------------------------------------------------------


def write_indicator_sheet(ws: Worksheet, row, report, f: dict) -> KeyCells:
    """Description, key figures and the respondent table; returns the figures' addresses."""
    qids = [q for q, _ in row.questions]
    top = _write_description(ws, row, report, f)
    figures_row = top + 1
    header_row = figures_row + 3
    outcome_col = 2 + len(qids)
    _write_respondents(ws, row, qids, header_row, f)
    cells = _write_figures(ws, row, figures_row, outcome_col, header_row + 1, f)
    ws.freeze_panes(header_row + 1, 1)
    last_row = header_row + max(len(row.outcomes), 1)
    ws.autofilter(header_row, 0, last_row, outcome_col + 1)
    _indicator_widths(ws, row, qids)
    return cells


def _write_description(ws: Worksheet, row, report, f: dict) -> int:
    """Title, statement, rule, missing handling and question texts; returns the next free row."""
    ws.write_string(0, 0, f"{row.id} – {row.title}", f["title"])
    ws.write_string(1, 0, row.statement)
    missing = row.missing_text
    if report.missing_labels:
        missing += f" (okänt svar: tomt eller {', '.join(report.missing_labels)})"
    lines = [("Regel", row.rule_text), ("Okända svar", missing)]
    if row.description:
        lines.append(("Beskrivning", row.description))
    lines += [(f"Fråga {qid}", text) for qid, text in row.questions if text]
    for i, (label, text) in enumerate(lines, start=3):
        ws.write_string(i, 0, label, f["bold"])
        ws.write_string(i, 1, text)
    return 3 + len(lines)


def _write_respondents(ws: Worksheet, row, qids: list[str], header_row: int, f: dict) -> None:
    """Header and one row per respondent in the population; excluded outcomes stay blank."""
    headers = ["Respondent", "Typ", *qids, "Utfall", "Motivering"]
    for col, text in enumerate(headers):
        ws.write_string(header_row, col, text, f["header"])
    for i, o in enumerate(row.outcomes, start=header_row + 1):
        ws.write_string(i, 0, o.respondent.key)
        ws.write_string(i, 1, o.respondent.type)
        for col, qid in enumerate(qids, start=2):
            answer = o.respondent.answers.get(qid, "")
            if answer:
                ws.write_string(i, col, answer)
        if o.cell is not None:
            ws.write_number(i, 2 + len(qids), o.cell, f["int"])
        ws.write_string(i, 3 + len(qids), o.reason)


def _write_figures(ws: Worksheet, row, top: int, col: int, first: int, f: dict) -> KeyCells:
    """Täljare, n, Exkluderade and Procent as labels over formulas on the outcome column."""
    labels = ["Täljare", "n", "Exkluderade", "Procent"]
    for i, label in enumerate(labels):
        ws.write_string(top, i, label, f["header"])
    addr = [xl_rowcol_to_cell(top + 1, i) for i in range(4)]
    num, n, exc, pct = addr
    if row.outcomes:
        rng = xl_range_abs(first, col, first + len(row.outcomes) - 1, col)
        ws.write_formula(num, f"=SUM({rng})", f["int_bold"], row.numerator)
        ws.write_formula(n, f"=COUNT({rng})", f["int_bold"], row.n)
        ws.write_formula(exc, f"=COUNTBLANK({rng})", f["int_bold"], row.excluded)
    else:  # nobody in the population: nothing to count
        for cell in (num, n, exc):
            ws.write_number(cell, 0, f["int_bold"])
    ws.write_formula(pct, f'=IF({n}=0,"",ROUND(100*{num}/{n},1))', f["pct_bold"], _number(row.percent))
    return KeyCells(*(xl_rowcol_to_cell(top + 1, i, row_abs=True, col_abs=True) for i in range(4)))


def _indicator_widths(ws: Worksheet, row, qids: list[str]) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 12)
    for col, qid in enumerate(qids, start=2):
        longest = max((len(o.respondent.answers.get(qid, "")) for o in row.outcomes), default=0)
        ws.set_column(col, col, min(max(longest, len(qid), 10) + 2, 32))
    ws.set_column(2 + len(qids), 2 + len(qids), 11)
    ws.set_column(3 + len(qids), 3 + len(qids), 60)


# --- Summary: the columns, declared once ----------------------------------------------


@dataclass(frozen=True)
class SummaryCell:
    """What a column's writer needs: the sheet, the place, the row and where its figures are."""

    ws: Worksheet
    r: int
    row: Any                 # a presenter IndicatorRow
    sheet: str               # the indicator's sheet
    key: KeyCells
    at: Callable[[str], str]  # column name -> this row's cell address
    f: dict


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    width: int
    write: Callable[[SummaryCell, int], None]


def _text(value: Callable[[Any], str]) -> Callable[[SummaryCell, int], None]:
    return lambda c, col: c.ws.write_string(c.r, col, value(c.row))


def _figure(attr: str, fmt: str) -> Callable[[SummaryCell, int], None]:
    """A live reference to the indicator sheet's figure, with the presenter's value cached."""
    def write(c: SummaryCell, col: int) -> None:
        value = getattr(c.row, attr)
        cached = _number(value) if isinstance(value, Decimal) or value is None else value
        c.ws.write_formula(c.r, col, "=" + sheet_ref(c.sheet, getattr(c.key, attr)), c.f[fmt], cached)
    return write


def _interval(end: int) -> Callable[[SummaryCell, int], None]:
    def write(c: SummaryCell, col: int) -> None:
        if c.row.interval is not None:
            c.ws.write_number(c.r, col, float(c.row.interval[end]), c.f["pct"])
    return write


def _previous_count(attr: str) -> Callable[[SummaryCell, int], None]:
    def write(c: SummaryCell, col: int) -> None:
        if c.row.previous is not None:
            c.ws.write_number(c.r, col, getattr(c.row.previous, attr), c.f["int"])
    return write


def _previous_percent(c: SummaryCell, col: int) -> None:
    num, n = c.at("previous_numerator"), c.at("previous_n")
    cached = _number(c.row.previous.percent) if c.row.previous else ""
    c.ws.write_formula(c.r, col, f'=IF(OR({n}="",{n}=0),"",ROUND(100*{num}/{n},1))', c.f["pct"], cached)


def _change(c: SummaryCell, col: int) -> None:
    """Percentage points from the exact ratios (not from the two rounded percents), rounded once."""
    num, n, pnum, pn = c.at("numerator"), c.at("n"), c.at("previous_numerator"), c.at("previous_n")
    formula = f'=IF(OR({n}=0,{pn}="",{pn}=0),"",ROUND(100*({num}/{n}-{pnum}/{pn}),1))'
    c.ws.write_formula(c.r, col, formula, c.f["pct"], _number(c.row.change))


SUMMARY_COLUMNS = (
    Column("id", "Indikator", 11, _text(lambda row: row.id)),
    Column("title", "Titel", 60, _text(lambda row: row.title)),
    Column("focus_area", "Fokusområde", 42, _text(lambda row: row.focus_area_name)),
    Column("numerator", "Täljare", 9, _figure("numerator", "int")),
    Column("n", "n", 7, _figure("n", "int")),
    Column("excluded", "Exkluderade", 12, _figure("excluded", "int")),
    Column("percent", "Procent", 9, _figure("percent", "pct")),
    Column("ci_low", "95 % KI nedre", 13, _interval(0)),
    Column("ci_high", "95 % KI övre", 13, _interval(1)),
)
PREVIOUS_COLUMNS = (
    Column("previous_percent", "Föregående år (%)", 18, _previous_percent),
    Column("change", "Förändring (procentenheter)", 26, _change),
    Column("previous_numerator", "Föregående år, täljare", 14, _previous_count("numerator")),
    Column("previous_n", "Föregående år, n", 12, _previous_count("n")),
)


def summary_columns(comparable: bool) -> tuple[Column, ...]:
    return SUMMARY_COLUMNS + (PREVIOUS_COLUMNS if comparable else ())


def _write_summary(ws: Worksheet, report, names: dict[str, str], cells: dict[str, KeyCells], f: dict) -> None:
    ws.write_string(0, 0, report.title, f["title"])
    meta: list[tuple[str, Any]] = [
        ("År", report.year),
        ("Population", report.population_plural),
        ("Svarande i populationen", report.respondents),
    ]
    if report.comparable:
        meta.append(("Föregående år", f"{report.previous_title} ({report.previous_year})"))
    for i, (label, value) in enumerate(meta, start=2):
        ws.write_string(i, 0, label, f["bold"])
        if isinstance(value, int):
            ws.write_number(i, 1, value)
        else:
            ws.write_string(i, 1, value)
    header_row = 3 + len(meta)
    columns = summary_columns(report.comparable)
    position = {col.name: i for i, col in enumerate(columns)}
    for i, col in enumerate(columns):
        ws.write_string(header_row, i, col.header, f["header"])
        ws.set_column(i, i, col.width)
    for r, row in enumerate(report.rows, start=header_row + 1):
        cell = SummaryCell(ws, r, row, names[row.id], cells[row.id],
                           lambda name, r=r: xl_rowcol_to_cell(r, position[name]), f)
        for i, col in enumerate(columns):
            col.write(cell, i)
    last = header_row + len(report.rows)
    ws.freeze_panes(header_row + 1, 1)
    ws.autofilter(header_row, 0, last, len(columns) - 1)
    _write_method(ws, last + 2, report, f)


def _write_method(ws: Worksheet, row: int, report, f: dict) -> None:
    """The short 'Så beräknas' explanation under the summary table."""
    labels = report.missing_labels
    unknown = "tomt svar" + (f" eller {', '.join(labels)}" if labels else "")
    lines = [
        "Varje indikator har en egen flik med en rad per respondent i populationen, svaren på de frågor "
        "regeln läser och utfallet.",
        "Utfall 1 = uppfyller indikatorn: räknas i täljaren (och i n).",
        "Utfall 0 = uppfyller inte indikatorn: räknas bara i nämnaren n.",
        f"Tomt utfall = exkluderad på grund av okänt svar ({unknown}): räknas varken i täljare eller n.",
        "Täljare = SUMMA(utfall), n = ANTAL(utfall), Exkluderade = ANTAL.TOMMA(utfall).",
        "Procent = AVRUNDA(100 × täljare / n; 1) (engelsk Excel: ROUND); tomt när n = 0.",
        "95 % KI = Wilsons konfidensintervall för andelen, i procent.",
    ]
    if report.comparable:
        lines.append(
            "Förändring = AVRUNDA(100 × (täljare / n − föregående års täljare / föregående års n); 1), i "
            "procentenheter: från de exakta andelarna, inte från de avrundade procenten."
        )
    ws.write_string(row, 0, "Så beräknas", f["bold"])
    for i, line in enumerate(lines, start=row + 1):
        ws.write_string(i, 0, line)
