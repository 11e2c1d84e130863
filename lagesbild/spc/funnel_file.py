"""`lagesbild spc funnel`: a file of units with numerator and denominator (CSV or XLSX) to the funnel
plot's JSON (calc.funnel). No database. Every problem is located by file, row, column and value."""

from __future__ import annotations

from pathlib import Path

from lagesbild.calc import funnel as fp
from lagesbild.ingest.errors import ProblemList
from lagesbild.ingest.numbers import parse_int
from lagesbild.ingest.readers import read_bytes, read_table
from lagesbild.ingest.tabular import aliased_columns

COLUMNS = {"unit": ("unit", "enhet", "enhetskod"), "numerator": ("numerator", "täljare", "taljare"),
           "denominator": ("denominator", "nämnare", "namnare")}


def read(path: str | Path) -> tuple[list[tuple[str, int, int]], list[str]]:
    """The units with a positive denominator as (unit, numerator, denominator) in the file's order,
    and the units without data (denominator 0, or both cells blank). InputError with every problem."""
    name = Path(path).name
    table = read_table(read_bytes(path), name)
    columns = aliased_columns(table.header, COLUMNS)
    problems = ProblemList()
    for field in COLUMNS:
        if field not in columns:
            problems.add(name, f"kolumnen {field!r} saknas", row=table.header_row, column=field)
    problems.raise_if_any()
    header = {field: table.header[i] for field, i in columns.items()}
    units, without, seen = [], [], {}
    for row, values in table.rows:
        unit, num_text, den_text = (values[columns[f]] for f in ("unit", "numerator", "denominator"))
        if not unit:
            problems.add(name, "enheten saknas", row=row, column=header["unit"])
        elif unit in seen:
            problems.add(name, f"enheten förekommer redan på rad {seen[unit]}", row=row, column=header["unit"], value=unit)
        else:
            seen[unit] = row
        if not num_text and not den_text:
            without.append(unit)
            continue
        counts = []
        for field, text in (("numerator", num_text), ("denominator", den_text)):
            try:
                value = parse_int(text)
            except ValueError as exc:
                problems.add(name, f"{'täljaren' if field == 'numerator' else 'nämnaren'} ska vara ett heltal: {exc}",
                             row=row, column=header[field], value=text)
                continue
            if value < 0:
                problems.add(name, "antalet kan inte vara negativt", row=row, column=header[field], value=text)
                continue
            counts.append(value)
        if len(counts) < 2:
            continue
        num, den = counts
        if den == 0:
            if num:
                problems.add(name, "täljaren är större än nämnaren (0)", row=row, column=header["numerator"], value=num_text)
            else:
                without.append(unit)
        elif num > den:
            problems.add(name, f"täljaren är större än nämnaren ({den_text})", row=row, column=header["numerator"],
                         value=num_text)
        else:
            units.append((unit, num, den))
    if not units:
        problems.add(name, "ingen enhet har en nämnare större än 0", row=table.header_row)
    problems.raise_if_any()
    return units, without


def compute(path, *, adjust: bool = True) -> dict:
    """The funnel of the units in ``path`` (calc.funnel.as_json), with the units without data and
    whether the overdispersion adjustment was asked for and applies (φ > 1)."""
    units, without = read(path)
    body = fp.as_json(fp.funnel(units, adjust=adjust))
    body["adjustment_applies"] = adjust and body["overdispersed"]
    body["without_data"] = without
    return body
