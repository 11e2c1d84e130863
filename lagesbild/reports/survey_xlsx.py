"""The Excel workbook a national analyst sends out: a summary and one sheet per indicator.

Every figure on the summary is a live formula over the indicator sheets, and every figure on
an indicator sheet is a formula over its respondent table, so a reader can follow (and
recalculate) each percentage down to the single answer. Cached values are written with each
formula so readers that do not recalculate still see the engine's figures.

No Django here: the command line writes the file without a database.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO, Mapping, Optional, Union

import xlsxwriter
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from lagesbild.calc import rules
from lagesbild.calc.ratio import round_half_up
from lagesbild.catalogue.framework import FOCUS_AREAS
from lagesbild.surveys.engine import IndicatorResult, SurveyResult
from lagesbild.surveys.spec import Question, SurveySpec, norm

SUMMARY = "Sammanfattning"
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RESERVED_SHEET_NAMES = {"history"}

SUMMARY_HEADERS = [
    ("Indikator", 11),
    ("Titel", 60),
    ("Fokusområde", 42),
    ("Täljare", 9),
    ("n", 7),
    ("Exkluderade", 12),
    ("Procent", 9),
    ("95 % KI nedre", 13),
    ("95 % KI övre", 13),
]
PREVIOUS_HEADERS = [("Föregående år (%)", 18), ("Förändring (procentenheter)", 26)]

MISSING_TEXT = {
    rules.KLEENE: "kleene – ett okänt svar exkluderar respondenten bara när det avgör utfallet",
    rules.STRICT: "strict – ett okänt svar på någon av regelns frågor exkluderar respondenten",
}

Out = Union[str, os.PathLike, BinaryIO]


# --- Shared wording (also used by the PowerPoint writer) -------------------------------


def population_words(population: Optional[str]) -> tuple[str, str]:
    """(plural, definite plural) for the survey population: 'region' -> ('regioner', 'regionerna')."""
    words = {"region": ("regioner", "regionerna"), "kommun": ("kommuner", "kommunerna")}
    return words.get(norm(population or ""), ("svarande", "respondenterna"))


def focus_area_name(number: Optional[int]) -> str:
    """'1. Öka kunskap om inträffade vårdskador' for focus area 1; '' when unknown or None."""
    names = dict(FOCUS_AREAS)
    return f"{number}. {names[number]}" if number in names else ""


def describe_rule(rule: rules.Rule, questions: Optional[Mapping[str, Question]] = None) -> str:
    """A rule as readable text: 'F1 ∈ {Ja} OCH F2 ∈ {Ja}'.

    Leaf values are normalised in the rule; they are shown in the spelling and order of the
    question's options when the specification declares them.
    """
    questions = questions or {}
    if isinstance(rule, rules.Leaf):
        labels = _leaf_labels(rule, questions.get(rule.key))
        # Labels such as "Ja, i samtliga verksamheter" hold commas: separate them by semicolons.
        sep = "; " if any("," in label for label in labels) else ", "
        return f"{rule.key} ∈ {{{sep.join(labels)}}}"
    if isinstance(rule, rules.Not):
        return f"INTE ({describe_rule(rule.part, questions)})"
    joiner = " OCH " if isinstance(rule, rules.All) else " ELLER "
    return joiner.join(_part(p, questions) for p in rule.parts)


def _part(rule: rules.Rule, questions: Mapping[str, Question]) -> str:
    text = describe_rule(rule, questions)
    nested = isinstance(rule, (rules.All, rules.Any)) and len(rule.parts) > 1
    return f"({text})" if nested else text


def _leaf_labels(leaf: rules.Leaf, question: Optional[Question]) -> list[str]:
    options = question.options if question else ()
    known = [o for o in options if norm(o) in leaf.values]
    spelled = {norm(o) for o in known}
    return known + sorted(v for v in leaf.values if v not in spelled)


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


def write_survey_xlsx(result: SurveyResult, out: Out, previous: Optional[SurveyResult] = None) -> None:
    """Write the workbook to ``out`` (a path or a binary file object).

    ``previous`` is an earlier result the caller has established as comparable; it adds
    the previous year's percent and the change in percentage points to the summary.
    """
    target = os.fspath(out) if isinstance(out, (str, os.PathLike)) else out
    wb = xlsxwriter.Workbook(target, {"in_memory": True})
    wb.set_properties({"title": result.spec.title, "subject": "Utvecklingsindikatorer"})
    formats = _formats(wb)
    summary = wb.add_worksheet(SUMMARY)
    names = sheet_names([ind.spec.id for ind in result.indicators])
    cells = {
        ind.spec.id: write_indicator_sheet(wb.add_worksheet(names[ind.spec.id]), ind, result.spec, formats)
        for ind in result.indicators
    }
    _write_summary(summary, result, previous, names, cells, formats)
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


def write_indicator_sheet(ws: Worksheet, ind: IndicatorResult, spec: SurveySpec, f: dict) -> KeyCells:
    """Description, key figures and the respondent table; returns the figures' addresses."""
    qids = ind.spec.questions
    row = _write_description(ws, ind, spec, f)
    figures_row = row + 1
    header_row = figures_row + 3
    outcome_col = 2 + len(qids)
    _write_respondents(ws, ind, qids, header_row, f)
    cells = _write_figures(ws, ind, figures_row, outcome_col, header_row + 1, f)
    ws.freeze_panes(header_row + 1, 1)
    last_row = header_row + max(len(ind.outcomes), 1)
    ws.autofilter(header_row, 0, last_row, outcome_col + 1)
    _indicator_widths(ws, ind, qids)
    return cells


def _write_description(ws: Worksheet, ind: IndicatorResult, spec: SurveySpec, f: dict) -> int:
    """Title, statement, rule, missing handling and question texts; returns the next free row."""
    ws.write_string(0, 0, f"{ind.spec.id} – {ind.spec.title}", f["title"])
    ws.write_string(1, 0, ind.statement(population_words(spec.population)[1]))
    missing = MISSING_TEXT.get(ind.spec.missing, ind.spec.missing)
    if spec.missing_labels:
        missing += f" (okänt svar: tomt eller {', '.join(spec.missing_labels)})"
    lines = [("Regel", describe_rule(ind.spec.rule, spec.questions)), ("Okända svar", missing)]
    if ind.spec.description:
        lines.append(("Beskrivning", ind.spec.description))
    for qid in ind.spec.questions:
        q = spec.questions.get(qid)
        if q and q.text:
            lines.append((f"Fråga {qid}", q.text))
    for i, (label, text) in enumerate(lines, start=3):
        ws.write_string(i, 0, label, f["bold"])
        ws.write_string(i, 1, text)
    return 3 + len(lines)


def _write_respondents(ws: Worksheet, ind: IndicatorResult, qids: list[str], header_row: int, f: dict) -> None:
    """Header and one row per respondent in the population; excluded outcomes stay blank."""
    headers = ["Respondent", "Typ", *qids, "Utfall", "Motivering"]
    for col, text in enumerate(headers):
        ws.write_string(header_row, col, text, f["header"])
    for i, o in enumerate(ind.outcomes, start=header_row + 1):
        ws.write_string(i, 0, o.respondent.key)
        ws.write_string(i, 1, o.respondent.type)
        for col, qid in enumerate(qids, start=2):
            answer = o.respondent.answers.get(qid, "")
            if answer:
                ws.write_string(i, col, answer)
        if o.cell is not None:
            ws.write_number(i, 2 + len(qids), o.cell, f["int"])
        ws.write_string(i, 3 + len(qids), o.reason)


def _write_figures(
    ws: Worksheet, ind: IndicatorResult, row: int, col: int, first: int, f: dict
) -> KeyCells:
    """Täljare, n, Exkluderade and Procent as labels over formulas on the outcome column."""
    labels = ["Täljare", "n", "Exkluderade", "Procent"]
    for i, label in enumerate(labels):
        ws.write_string(row, i, label, f["header"])
    addr = [xl_rowcol_to_cell(row + 1, i) for i in range(4)]
    num, n, exc, pct = addr
    if ind.outcomes:
        rng = xl_range_abs(first, col, first + len(ind.outcomes) - 1, col)
        ws.write_formula(num, f"=SUM({rng})", f["int_bold"], ind.numerator)
        ws.write_formula(n, f"=COUNT({rng})", f["int_bold"], ind.n)
        ws.write_formula(exc, f"=COUNTBLANK({rng})", f["int_bold"], ind.excluded)
    else:  # nobody in the population: nothing to count
        for cell in (num, n, exc):
            ws.write_number(cell, 0, f["int_bold"])
    ws.write_formula(pct, f'=IF({n}=0,"",ROUND(100*{num}/{n},1))', f["pct_bold"], _number(ind.percent))
    return KeyCells(*(xl_rowcol_to_cell(row + 1, i, row_abs=True, col_abs=True) for i in range(4)))


def _indicator_widths(ws: Worksheet, ind: IndicatorResult, qids: list[str]) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 12)
    for col, qid in enumerate(qids, start=2):
        longest = max((len(o.respondent.answers.get(qid, "")) for o in ind.outcomes), default=0)
        ws.set_column(col, col, min(max(longest, len(qid), 10) + 2, 32))
    ws.set_column(2 + len(qids), 2 + len(qids), 11)
    ws.set_column(3 + len(qids), 3 + len(qids), 60)


# --- Summary ---------------------------------------------------------------------------


def _write_summary(
    ws: Worksheet,
    result: SurveyResult,
    previous: Optional[SurveyResult],
    names: dict[str, str],
    cells: dict[str, KeyCells],
    f: dict,
) -> None:
    spec = result.spec
    ws.write_string(0, 0, spec.title, f["title"])
    meta: list[tuple[str, Any]] = [
        ("År", spec.year),
        ("Population", population_words(spec.population)[0]),
        ("Svarande i populationen", len(result.responses.respondents)),
    ]
    if previous is not None:
        meta.append(("Föregående år", f"{previous.spec.title} ({previous.spec.year})"))
    for i, (label, value) in enumerate(meta, start=2):
        ws.write_string(i, 0, label, f["bold"])
        if isinstance(value, int):
            ws.write_number(i, 1, value)
        else:
            ws.write_string(i, 1, value)
    header_row = 3 + len(meta)
    headers = SUMMARY_HEADERS + (PREVIOUS_HEADERS if previous is not None else [])
    for col, (text, width) in enumerate(headers):
        ws.write_string(header_row, col, text, f["header"])
        ws.set_column(col, col, width)
    for i, ind in enumerate(result.indicators, start=header_row + 1):
        _write_summary_row(ws, i, ind, names[ind.spec.id], cells[ind.spec.id], f)
        if previous is not None:
            _write_previous(ws, i, ind, previous, f)
    last = header_row + len(result.indicators)
    ws.freeze_panes(header_row + 1, 1)
    ws.autofilter(header_row, 0, last, len(headers) - 1)
    _write_method(ws, last + 2, spec, previous is not None, f)


def _write_summary_row(ws: Worksheet, row: int, ind: IndicatorResult, sheet: str, k: KeyCells, f: dict) -> None:
    ws.write_string(row, 0, ind.spec.id)
    ws.write_string(row, 1, ind.spec.title)
    ws.write_string(row, 2, focus_area_name(ind.spec.focus_area))
    ws.write_formula(row, 3, "=" + sheet_ref(sheet, k.numerator), f["int"], ind.numerator)
    ws.write_formula(row, 4, "=" + sheet_ref(sheet, k.n), f["int"], ind.n)
    ws.write_formula(row, 5, "=" + sheet_ref(sheet, k.excluded), f["int"], ind.excluded)
    ws.write_formula(row, 6, "=" + sheet_ref(sheet, k.percent), f["pct"], _number(ind.percent))
    if ind.wilson is not None:
        ws.write_number(row, 7, float(ind.wilson[0]), f["pct"])
        ws.write_number(row, 8, float(ind.wilson[1]), f["pct"])


def _write_previous(ws: Worksheet, row: int, ind: IndicatorResult, previous: SurveyResult, f: dict) -> None:
    """Previous year's percent (a value) and the change in percentage points (a formula)."""
    before = _percent_of(previous, ind.spec.id)
    if before is not None:
        ws.write_number(row, 9, float(before), f["pct"])
    change = None if before is None or ind.percent is None else round_half_up(ind.percent - before, 1)
    now, then = xl_rowcol_to_cell(row, 6), xl_rowcol_to_cell(row, 9)
    formula = f'=IF(OR({now}="",{then}=""),"",ROUND({now}-{then},1))'
    ws.write_formula(row, 10, formula, f["pct"], _number(change))


def _percent_of(result: SurveyResult, indicator_id: str) -> Optional[Decimal]:
    try:
        return result.indicator(indicator_id).percent
    except KeyError:
        return None


def _write_method(ws: Worksheet, row: int, spec: SurveySpec, with_previous: bool, f: dict) -> None:
    """The short 'Så beräknas' explanation under the summary table."""
    unknown = "tomt svar" + (f" eller {', '.join(spec.missing_labels)}" if spec.missing_labels else "")
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
    if with_previous:
        lines.append("Förändring = Procent − Föregående år (%), i procentenheter.")
    ws.write_string(row, 0, "Så beräknas", f["bold"])
    for i, line in enumerate(lines, start=row + 1):
        ws.write_string(i, 0, line)
