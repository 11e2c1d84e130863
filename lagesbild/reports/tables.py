"""Any table to Excel: the same rows a page shows, with numbers as numbers and, for rates,
the value as a live formula over the numerator and denominator columns.

An export declares its columns once: each ``Column`` says its header, how to get its value from
a row of the presenter (``get``), its number format (fixed, or per row) and, optionally, the live
formula that computes it from other cells of the same row. Every text is written as a string
(never a formula, whatever it begins with): only the formulas declared here are formulas.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Optional, Sequence, Union

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

# Built-in formats that Excel shows with the reader's locale separators ("7 584" in Swedish).
WHOLE = "#,##0"
ONE_DECIMAL = "#,##0.0"
DATE = "yyyy-mm-dd"
DEFAULT_FORMATS = {"int": WHOLE, "decimal": ONE_DECIMAL, "date": DATE}

Format = Union[str, Callable[[Any], Optional[str]], None]
# (the row, a function from another column's key to that column's cell in this row) -> formula
Formula = Callable[[Any, Callable[[str], str]], Optional[str]]


@dataclass
class Column:
    title: str
    kind: str = "text"  # text | int | decimal | date
    width: int = 14
    get: Optional[Callable[[Any], Any]] = None   # the value from a row (for Sheet.of)
    number_format: Format = None                 # a format, or a function of the row; default by kind
    formula: Optional[Formula] = None            # our own live formula; the value is its cached result
    key: str = ""                                # how formulas refer to this column

    def format_for(self, item: Any) -> Optional[str]:
        f = self.number_format(item) if callable(self.number_format) else self.number_format
        return f or DEFAULT_FORMATS.get(self.kind)


@dataclass
class Sheet:
    name: str
    title: str
    columns: list[Column]
    rows: list[Sequence] = field(default_factory=list)  # plain values, one per column
    notes: list[str] = field(default_factory=list)
    items: Optional[list[Any]] = None                    # presenter rows, read through the columns' getters

    @classmethod
    def of(cls, name: str, title: str, columns: list[Column], items: list[Any], notes: Sequence[str] = ()) -> "Sheet":
        """A sheet whose rows are read from ``items`` by the columns' getters, formats and formulas."""
        return cls(name, title, columns, notes=list(notes), items=list(items))


def _cell_value(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


class _Formats:
    def __init__(self, wb) -> None:
        self.wb = wb
        self.cache: dict[str, Any] = {}

    def __call__(self, num_format: Optional[str]):
        if not num_format:
            return None
        if num_format not in self.cache:
            self.cache[num_format] = self.wb.add_format({"num_format": num_format})
        return self.cache[num_format]


def _write(ws, formats: _Formats, r: int, c: int, col: Column, value: Any, num_format: Optional[str],
           formula: Optional[str] = None) -> None:
    if formula is not None:
        ws.write_formula(r, c, formula, formats(num_format), "" if value is None else _cell_value(value))
        return
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_string(r, c, "Ja" if value else "Nej")
    elif col.kind in ("int", "decimal") and isinstance(value, (int, float, Decimal)):
        ws.write_number(r, c, float(value), formats(num_format))
    elif col.kind == "date" and isinstance(value, (date, datetime)):
        ws.write_datetime(r, c, value, formats(num_format))
    else:
        ws.write_string(r, c, str(value))


def write_workbook(sheets: list[Sheet]) -> bytes:
    buf = io.BytesIO()
    # Nothing a user or a file supplied becomes a formula or a link, even through write().
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True})
    formats = _Formats(wb)
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name[:31])
        ws.write_string(0, 0, sheet.title, bold)
        for i, note in enumerate(sheet.notes, start=1):
            ws.write_string(i, 0, note)
        top = len(sheet.notes) + 2
        for c, col in enumerate(sheet.columns):
            ws.write_string(top, c, col.title, head)
            ws.set_column(c, c, col.width)
        count = _write_items(ws, formats, sheet, top) if sheet.items is not None else _write_rows(ws, formats, sheet, top)
        if count:
            ws.autofilter(top, 0, top + count, len(sheet.columns) - 1)
        ws.freeze_panes(top + 1, 1)
    wb.close()
    return buf.getvalue()


def _write_rows(ws, formats: _Formats, sheet: Sheet, top: int) -> int:
    for i, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            col = sheet.columns[c]
            _write(ws, formats, top + 1 + i, c, col, value, col.format_for(None))
    return len(sheet.rows)


def _write_items(ws, formats: _Formats, sheet: Sheet, top: int) -> int:
    index = {col.key: c for c, col in enumerate(sheet.columns) if col.key}
    for i, item in enumerate(sheet.items or []):
        r = top + 1 + i

        def cell(key: str, r=r) -> str:
            return xl_rowcol_to_cell(r, index[key])

        for c, col in enumerate(sheet.columns):
            value = col.get(item) if col.get else None
            formula = col.formula(item, cell) if col.formula else None
            _write(ws, formats, r, c, col, value, col.format_for(item), formula)
    return len(sheet.items or [])
