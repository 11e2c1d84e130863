"""`lagesbild spc compute`: a series file (CSV or XLSX with columns period, value and optionally
rebase) to the contract's JSON. No database. Every problem is located by file, row and column."""

from __future__ import annotations

import re
from pathlib import Path

from lagesbild.calc import spc
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.numbers import parse_decimal
from lagesbild.ingest.readers import read_bytes, read_table
from lagesbild.ingest.tabular import aliased_columns

COLUMNS = {"period": ("period", "period", "månad", "manad", "datum"), "value": ("value", "värde", "varde"),
           "rebase": ("rebase", "ny baslinje", "omstart")}
_ISO = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_REBASE = {"1": True, "ja": True, "0": False, "nej": False, "": False}


def read(path: str | Path) -> tuple[list[str], list[float], list[bool]]:
    """Periods, values and rebase marks in time order (ISO periods are sorted; others keep the
    file's order). InputError with every problem found."""
    name = Path(path).name
    table = read_table(read_bytes(path), name)
    columns = aliased_columns(table.header, COLUMNS)
    problems = ProblemList()
    for field in ("period", "value"):
        if field not in columns:
            problems.add(name, f"kolumnen {field!r} saknas", row=table.header_row, column=field)
    problems.raise_if_any()
    rows, seen = [], {}
    for row, values in table.rows:
        period = values[columns["period"]]
        text = values[columns["value"]]
        mark = values[columns["rebase"]].casefold() if "rebase" in columns else ""
        if not period:
            problems.add(name, "period saknas", row=row, column=table.header[columns["period"]])
        elif period in seen:
            problems.add(name, f"perioden förekommer redan på rad {seen[period]}", row=row,
                         column=table.header[columns["period"]], value=period)
        else:
            seen[period] = row
        try:
            value = float(parse_decimal(text))
        except ValueError as exc:
            problems.add(name, f"värdet går inte att läsa: {exc}", row=row, column=table.header[columns["value"]],
                         value=text)
            value = None
        if mark not in _REBASE:
            problems.add(name, "rebase ska vara 1 eller 0 (Ja eller Nej; tomt betyder 0)", row=row,
                         column=table.header[columns["rebase"]], value=mark)
        rows.append((period, value, _REBASE.get(mark, False)))
    if not rows:
        problems.add(name, "serien har inga punkter", row=table.header_row)
    problems.raise_if_any()
    if all(_ISO.fullmatch(p) for p, _, _ in rows):
        rows.sort(key=lambda r: r[0])
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def compute(path, *, direction: str = spc.NEUTRAL, target: str | None = None, fix_after: int | None = None,
            screen_outliers: bool = True, run: int = spc.RUN) -> dict:
    problems = ProblemList()
    goal = None
    if target is not None:
        try:
            goal = float(parse_decimal(target))
        except ValueError as exc:
            problems.add("--target", f"målvärdet går inte att läsa: {exc}", value=target)
    if fix_after is not None and fix_after < 2:
        problems.add("--fix-after", "ange minst 2 punkter", value=str(fix_after))
    try:
        periods, values, rebase = read(path)
    except InputError as exc:
        problems.items.extend(exc.problems)
    problems.raise_if_any()
    return spc.chart(periods, values, rebase, direction=direction, target=goal, fix_after=fix_after,
                     screen_outliers=screen_outliers, run=run).as_json()
