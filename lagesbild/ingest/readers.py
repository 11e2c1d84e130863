"""Readers by format: one registry decides how a file is read, from its content and its name.

A file whose content contradicts its name (a text file named `.xlsx`, an old binary `.xls`)
gets one clear problem instead of a cascade of missing-column errors. New formats (JSON, FHIR
NDJSON) register here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Callable

from . import limits
from .errors import InputError
from .tabular import Table, read_csv, read_xlsx

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary Excel format (.xls)


@dataclass(frozen=True)
class Reader:
    format: str
    label: str                       # in Swedish, for messages: "en Excel-fil"
    extensions: tuple[str, ...]
    sniff: Callable[[bytes], bool]   # does the content look like this format?
    read: Callable[..., Table]


REGISTRY: dict[str, Reader] = {}


def register(reader: Reader) -> None:
    REGISTRY[reader.format] = reader


register(Reader("xlsx", "en Excel-fil (.xlsx)", (".xlsx", ".xlsm"), lambda d: d.startswith(XLSX_MAGIC), read_xlsx))
register(Reader("csv", "en textfil (CSV)", (".csv", ".txt", ".tsv", ""),
                lambda d: not d.startswith((XLSX_MAGIC, OLE_MAGIC)), read_csv))


def reader_for(data: bytes, file: str) -> Reader:
    """The reader for ``data``: chosen by content; a name that promises another format is an error."""
    ext = PurePath(file or "").suffix.lower()
    if data.startswith(OLE_MAGIC):
        raise InputError.one(file, "filen är i det gamla Excel-formatet (.xls); spara den som .xlsx eller CSV")
    by_content = next((r for r in REGISTRY.values() if r.sniff(data)), None)
    by_name = next((r for r in REGISTRY.values() if ext and ext in r.extensions), None)
    if by_content is None:
        raise InputError.one(file, "okänt filformat; använd CSV eller XLSX")
    if by_name is not None and by_name is not by_content:
        raise InputError.one(file, f"filen heter {ext} men är inte {by_name.label}; den ser ut att vara "
                                   f"{by_content.label}")
    return by_content


def read_table(data: bytes, file: str, keep_lines: bool = False) -> Table:
    """Parse bytes into a Table with the registered reader; InputError for an empty, oversized or
    unreadable file. ``keep_lines`` keeps line breaks inside cells (paragraphs of text)."""
    message = limits.too_large_message(len(data))
    if message:
        raise InputError.one(file, message)
    if not data.strip():
        raise InputError.one(file, "filen är tom")
    return reader_for(data, file).read(data, file, keep_lines)


def read_bytes(path) -> bytes:
    """A file's bytes; a file that cannot be read is a located problem, not a traceback."""
    from pathlib import Path

    p = Path(path)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError.one(str(p), f"filen går inte att läsa: {exc.strerror}") from None


def read_path(path) -> Table:
    from pathlib import Path

    return read_table(read_bytes(path), Path(path).name)
