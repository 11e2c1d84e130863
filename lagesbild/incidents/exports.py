"""The incident and complaint pages as Excel: the counts as numbers and every share and change as
a live formula over them (a reader sees how each figure is computed). No free text: the workbook
holds figures only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from lagesbild.calc.incident_stats import percent
from lagesbild.reports import tables
from lagesbild.reports.tables import Column

PCT_1 = "0.0"
PCT_2 = "0.00"


def share_formula(decimals: int = 1):
    def formula(row, cell) -> str:
        d = cell("den")
        return f'=IF(OR({d}="",{d}=0),"",ROUND({cell("num")}/{d}*100,{decimals}))'
    return formula


def change_formula(row, cell) -> str:
    d = cell("den")
    return f'=IF(OR({d}="",{d}=0),"",ROUND(({cell("num")}-{d})/{d}*100,2))'


@dataclass
class Line:
    label: str
    numerator: Optional[int]
    denominator: Optional[int]
    value: Optional[str]  # the exact result as calc gives it ("42.0"), the formula's cached value
    how: str = ""
    group: str = ""


def _value(line: Line):
    return None if line.value is None else float(line.value)


def _columns(first: str, num: str, den: str, value: str, formula, places: str, group: str = "") -> list[Column]:
    cols = [Column(group, width=28, get=lambda r: r.group)] if group else []
    return cols + [
        Column(first, width=44, get=lambda r: r.label),
        Column(num, "int", 14, get=lambda r: r.numerator, key="num"),
        Column(den, "int", 14, get=lambda r: r.denominator, key="den"),
        Column(value, "decimal", 14, get=_value, number_format=places, formula=formula),
        Column("Beräkning", width=50, get=lambda r: r.how),
    ]


def incident_sheets(unit, year: int, f: dict, children) -> list[tables.Sheet]:
    handled = f["closed_within_28_days"]
    overview = [
        Line(f"Avvikelser {year} mot {year - 1}", f["incidents"], f["previous_year"], f["change_percent"],
             "(år − året före) / året före × 100, två decimaler"),
        Line("Hanterade inom 28 dagar", handled["numerator"], handled["denominator"], handled["percent"],
             "avslutade inom 28 dagar / registrerade minst 28 dagar före beräkningsdagen × 100"),
    ]
    sheets = [
        tables.Sheet.of("Översikt", f"Avvikelser {year} – {unit.name}", [
            Column("Mått", width=44, get=lambda r: r.label),
            Column("Täljare", "int", 14, get=lambda r: r.numerator, key="num"),
            Column("Nämnare", "int", 14, get=lambda r: r.denominator, key="den"),
            Column("Värde (%)", "decimal", 14, get=_value, number_format=lambda r: PCT_2 if "mot" in r.label else PCT_1,
                   formula=lambda r, cell: (change_formula if "mot" in r.label else share_formula(1))(r, cell)),
            Column("Beräkning", width=60, get=lambda r: r.how),
        ], overview, [f"Lex Maria {year}: {f['lex_maria']}. Handläggningstid median "
                      f"{f['lead_time_days']['median']} dagar, 90:e percentilen {f['lead_time_days']['p90']} dagar."]),
        tables.Sheet.of("Händelsetyper", f"Händelsetyper {year}", _columns(
            "Händelsetyp", "Antal", f"Alla {year}", "Andel (%)", share_formula(1), PCT_1),
            [Line(t["type"], t["count"], f["incidents"], percent(t["count"], f["incidents"])) for t in f["types"]]),
        tables.Sheet.of("Orsaker", f"Orsaker {year}", _columns(
            "Orsak", "Antal", f"Alla {year}", "Andel (%)", share_formula(1), PCT_1),
            [Line(c["cause"], c["count"], f["incidents"], c["percent"]) for c in f["causes"]]),
    ]
    if children:
        sheets.append(tables.Sheet.of("Per enhet", f"Avvikelser per enhet {year} och {year - 1}", _columns(
            "Enhet", str(year), str(year - 1), "Förändring (%)", change_formula, PCT_2),
            [Line(c.unit.name, c.count, c.previous_year, c.change_percent) for c in children]))
    return sheets


def complaint_sheets(unit, year: int, summary: dict) -> list[tables.Sheet]:
    lines, categories = [], []
    for c in summary["channels"]:
        lines += [
            Line(f"Ärenden {year} mot {year - 1}", c["count"], c["previous_year"], c["change_percent"],
                 "(år − året före) / året före × 100", c["label"]),
            Line("Skickade vidare till vården", c["forwarded"]["numerator"], c["forwarded"]["denominator"],
                 c["forwarded"]["percent"], "skickade vidare / kanalens ärenden × 100", c["label"]),
            Line("Åtgärd vidtagen (av de vidareskickade)", c["action_taken"]["numerator"],
                 c["action_taken"]["denominator"], c["action_taken"]["percent"],
                 "åtgärd vidtagen / skickade vidare × 100", c["label"]),
            Line("Kvinnor", c["sex"]["K"]["numerator"], c["count"], c["sex"]["K"]["percent"], "", c["label"]),
            Line("Män", c["sex"]["M"]["numerator"], c["count"], c["sex"]["M"]["percent"], "", c["label"]),
            Line("Kön ej angivet", c["sex"]["not_given"]["numerator"], c["count"], c["sex"]["not_given"]["percent"], "",
                 c["label"]),
        ]
        categories += [Line(k["category"], k["count"], c["count"], k["percent"], "", c["label"]) for k in c["categories"]]

    def formula(r, cell):
        return (change_formula if " mot " in r.label else share_formula(1))(r, cell)

    return [
        tables.Sheet.of("Klagomål", f"Klagomål och skadeanmälningar {year} – {unit.name}", [
            Column("Kanal", width=30, get=lambda r: r.group),
            Column("Mått", width=40, get=lambda r: r.label),
            Column("Täljare", "int", 14, get=lambda r: r.numerator, key="num"),
            Column("Nämnare", "int", 14, get=lambda r: r.denominator, key="den"),
            Column("Värde (%)", "decimal", 14, get=_value, number_format=lambda r: PCT_2 if " mot " in r.label else PCT_1,
                   formula=formula),
            Column("Beräkning", width=44, get=lambda r: r.how),
        ], lines),
        tables.Sheet.of("Kategorier", f"Klagomål per kategori {year}", _columns(
            "Kategori", "Antal", "Kanalens ärenden", "Andel (%)", share_formula(1), PCT_1, group="Kanal"), categories),
    ]


def workbook(sheets: list[tables.Sheet]) -> bytes:
    return tables.write_workbook(sheets)
