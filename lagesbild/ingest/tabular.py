"""Read a table from CSV (any delimiter Swedish Excel writes, UTF-8 with or without BOM,
or cp1252) or XLSX into header + rows of trimmed strings, keeping the file's row numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Iterable, Sequence

from . import limits
from .errors import InputError

DELIMITERS = (";", ",", "\t")


@dataclass
class Table:
    file: str
    header: list[str]
    # (row number in the file as a person sees it: header is row 1, values)
    rows: list[tuple[int, list[str]]]
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 1

    def column_index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.header)}


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 with or without BOM, else cp1252; anything else is an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _bad_bytes(file, data[3:], exc) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise InputError.one(
            file,
            "filen är kodad som UTF-16 eller innehåller binära data; "
            "spara den som CSV (UTF-8 eller semikolonavgränsad från Excel) eller XLSX",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _bad_bytes(file, data, exc) from None


def _bad_bytes(file: str, data: bytes, exc: UnicodeDecodeError) -> InputError:
    line = data[: exc.start].count(b"\n") + 1
    return InputError.one(
        file,
        f"okänd teckenkodning: byte 0x{data[exc.start]:02x} går inte att läsa som UTF-8 eller "
        "Windows-1252; spara filen som UTF-8",
        row=line,
    )


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def clean(value: object, keep_lines: bool = False) -> str:
    """Trim and normalise a cell to a string: None is blank, 3.0 from Excel is '3', an Excel date
    is ISO 8601. White space is folded; with ``keep_lines`` line breaks survive (text paragraphs)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date().isoformat() if value.time() == time.min else value.isoformat(" ")
    elif isinstance(value, date):
        value = value.isoformat()
    text = str(value).replace("\u00a0", " ")
    if keep_lines:
        return text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return " ".join(text.split())


def folded(text: object) -> str:
    """A header or a label as people mean it: trimmed, inner white space folded, case folded."""
    return " ".join(str(text).split()).casefold()


def aliased_columns(header, aliases: dict) -> dict[str, int]:
    """Each field's column: the first header that, folded, is one of the field's aliases
    (``aliases``: field -> its folded names); fields with no such header are absent."""
    wanted = {alias: field for field, names in aliases.items() for alias in names}
    columns: dict[str, int] = {}
    for i, text in enumerate(header):
        field = wanted.get(folded(text))
        if field is not None:
            columns.setdefault(field, i)
    return columns


def read_csv(data: bytes, file: str, keep_lines: bool = False) -> Table:
    """A CSV file in any encoding and delimiter Swedish Excel writes."""
    text, encoding = decode(data, file)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(file, reader, encoding, delimiter, keep_lines)
    except csv.Error as exc:
        raise InputError.one(file, f"CSV-filen går inte att tolka: {exc}", row=reader.line_num) from None


def read_xlsx(data: bytes, file: str, keep_lines: bool = False) -> Table:
    """The first sheet of an XLSX workbook; a zip that would unpack beyond the bound is refused
    before it is opened."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(info.file_size for info in z.infolist())
    except zipfile.BadZipFile as exc:
        raise InputError.one(file, f"Excel-filen går inte att öppna: {exc}") from None
    if unpacked > limits.max_uncompressed_bytes():
        raise InputError.one(file, f"Excel-filen packas upp till {unpacked // limits.MB} MB; högst "
                                   f"{limits.max_uncompressed_bytes() // limits.MB} MB tas emot")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError.one(file, f"Excel-filen går inte att öppna: {exc}") from None
    try:
        return _table(file, wb.worksheets[0].iter_rows(values_only=True), "xlsx", "", keep_lines)
    finally:
        wb.close()


class _Cleaned(dict):
    """Cells repeat a lot (codes, periods, labels): clean each distinct value once."""

    def __init__(self, keep_lines: bool) -> None:
        super().__init__()
        self.keep_lines = keep_lines

    def __missing__(self, value: object) -> str:
        self[value] = text = clean(value, self.keep_lines)
        return text


def _table(file: str, raw: Iterable[Sequence[object]], encoding: str, delimiter: str,
           keep_lines: bool = False) -> Table:
    """One pass over the raw rows: clean every cell, skip blank lines, pad short rows, refuse
    values beyond the header's last column. Row numbers count records as a person sees them."""
    cleaned = _Cleaned(keep_lines)
    lookup = cleaned.__getitem__
    header: list[str] | None = None
    header_no = width = 0
    body: list[tuple[int, list[str]]] = []
    most = limits.max_rows()
    for i, r in enumerate(raw, start=1):
        try:
            row = list(map(lookup, r))
        except TypeError:  # an unhashable cell, never from csv or openpyxl, but be safe
            row = [clean(v, keep_lines) for v in r]
        if not any(row):  # blank lines are not rows
            continue
        if header is None:
            while row and not row[-1]:
                row.pop()
            header, header_no, width = row, i, len(row)
            continue
        n = len(row)
        if n > width:
            extra = [v for v in row[width:] if v]
            if extra:
                raise InputError.one(file, f"raden har fler värden ({n}) än rubrikraden ({width})", row=i, value=extra[0])
            del row[width:]
        elif n < width:
            row.extend([""] * (width - n))
        body.append((i, row))
        if len(body) > most:
            raise InputError.one(file, f"filen har fler än {most:,} datarader; dela upp den".replace(",", " "), row=i)
    if header is None:
        raise InputError.one(file, "filen är tom")
    return Table(file, header, body, encoding, delimiter, header_no)
