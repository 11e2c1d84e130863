"""Any table to Excel: the same rows a page shows, with numbers as numbers and, for rates,
the value as a live formula over the numerator and denominator columns."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional, Sequence

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell


@dataclass
class Column:
    title: str
    kind: str = "text"  # text | int | decimal | date
    width: int = 14


@dataclass
class Sheet:
    name: str
    title: str
    columns: list[Column]
    rows: list[Sequence]
    # Per row, optionally (value column, numerator column, denominator column, multiplier,
    # decimals): the value is written as =ROUND(num/den*multiplier; decimals), the computed
    # value cached, so a reader sees how the figure is made.
    row_formulas: list[Optional[tuple[int, int, int, int, int]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_workbook(sheets: list[Sheet]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True})
    fmt = {"int": wb.add_format({"num_format": "# ##0"}), "decimal": wb.add_format({"num_format": "0.0"}),
           "date": wb.add_format({"num_format": "yyyy-mm-dd"}), "text": None}
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name[:31])
        ws.write(0, 0, sheet.title, bold)
        for i, note in enumerate(sheet.notes, start=1):
            ws.write(i, 0, note)
        top = len(sheet.notes) + 2
        for c, col in enumerate(sheet.columns):
            ws.write(top, c, col.title, head)
            ws.set_column(c, c, col.width)
        for i, row in enumerate(sheet.rows):
            r = top + 1 + i
            f = sheet.row_formulas[i] if i < len(sheet.row_formulas) else None
            for c, value in enumerate(row):
                if f is not None and c == f[0]:
                    _, num_c, den_c, mult, dec = f
                    num, den = xl_rowcol_to_cell(r, num_c), xl_rowcol_to_cell(r, den_c)
                    cached = "" if value is None else float(value)
                    ws.write_formula(r, c, f'=IF(OR({den}="",{den}=0),"",ROUND({num}/{den}*{mult},{dec}))',
                                     fmt["decimal"], cached)
                    continue
                if value is None or value == "":
                    continue
                kind = sheet.columns[c].kind
                if kind in ("int", "decimal") and isinstance(value, (int, float, Decimal)):
                    ws.write_number(r, c, float(value), fmt[kind])
                elif kind == "date" and hasattr(value, "year"):
                    ws.write_datetime(r, c, value, fmt["date"])
                else:
                    ws.write_string(r, c, str(value))
        if sheet.rows:
            ws.autofilter(top, 0, top + len(sheet.rows), len(sheet.columns) - 1)
        ws.freeze_panes(top + 1, 1)
    wb.close()
    return buf.getvalue()
