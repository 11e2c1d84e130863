"""An incident-system export read through a mapping (DESIGN.md, "Incident statistics").

The mapping is YAML: ``source:`` a name and ``columns:`` the fields mapped to the export's headers
(``case``, ``reported``, ``unit`` and ``type`` required; ``occurred``, ``closed``, ``cause``,
``severity``, ``lex_maria``, ``description`` optional). Every problem is located: the mapping's by
its path, the export's by row and column. A description is personal data: its value is never
echoed in a problem. No Django: `lagesbild incidents summary` runs without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lagesbild.calc.incident_stats import Incident
from lagesbild.ingest import yamltext
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.readers import read_bytes, read_table
from lagesbild.ingest.tabular import folded

REQUIRED = ("case", "reported", "unit", "type")
OPTIONAL = ("occurred", "closed", "cause", "severity", "lex_maria", "description")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?", re.ASCII)
LABELS = {"unit": "enhet", "type": "händelsetyp"}
_YES_NO = {"ja": True, "j": True, "1": True, "nej": False, "n": False, "0": False, "": False}


@dataclass(frozen=True)
class Mapping:
    source: str
    columns: dict[str, str]  # field -> header in the export


def parse_mapping(text: str, file: str) -> Mapping:
    problems = ProblemList()
    doc = yamltext.load(text, file)
    if not isinstance(doc, dict):
        raise InputError.one(file, "mappningen ska ha nycklarna source och columns")
    source, columns = source_and_columns(doc, file, problems, REQUIRED, OPTIONAL)
    problems.raise_if_any()
    return Mapping(source, columns)


def source_and_columns(doc: dict, file: str, problems: ProblemList, required, optional) -> tuple[str, dict[str, str]]:
    """A mapping's ``source:`` name and ``columns:`` (field -> header), every problem added to
    ``problems`` by its path; raises at once only when ``columns`` is not a mapping at all."""
    source = doc.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.add(file, "source ska vara ett namn på källan", path="source")
    columns = doc.get("columns")
    if not isinstance(columns, dict):
        problems.add(file, "columns ska mappa fält till exportens kolumnrubriker", path="columns")
        problems.raise_if_any()
    for name, header in columns.items():
        if name not in required + optional:
            problems.add(file, f"okänt fält; använd {', '.join(required + optional)}", path=f"columns/{name}")
        elif not isinstance(header, str) or not header.strip():
            problems.add(file, "ange kolumnrubriken i exporten", path=f"columns/{name}")
    for name in required:
        if name not in columns:
            problems.add(file, "fältet krävs", path=f"columns/{name}")
    return (source.strip() if isinstance(source, str) else ""), {
        k: v.strip() for k, v in columns.items() if isinstance(v, str)}


def load_mapping(path) -> Mapping:
    return parse_mapping(Path(path).read_text(encoding="utf-8"), Path(path).name)


def _date(text: str) -> date:
    m = _DATE.fullmatch(text)
    if m is None:
        raise ValueError("skriv datum som ÅÅÅÅ-MM-DD")
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def read(data: bytes, file: str, mapping: Mapping) -> list[Incident]:
    """The export's incidents; InputError with every problem (the mapped headers first)."""
    return [incident for _, incident in read_rows(data, file, mapping)]


def mapped_table(data: bytes, file: str, mapped: dict[str, str]):
    """The export's table and each mapped field's column index; InputError naming every mapped
    header the export lacks (a changed layout), before any row is read."""
    table = read_table(data, file, keep_lines=True)  # a description keeps its paragraphs
    at = {folded(h): i for i, h in reversed(list(enumerate(table.header)))}
    problems = ProblemList()
    columns = {}
    for field, header in mapped.items():
        if folded(header) not in at:
            problems.add(file, f"kolumnen {header!r} (fältet {field}) saknas i exporten; har exportens format ändrats?",
                         row=table.header_row, column=header)
        else:
            columns[field] = at[folded(header)]
    problems.raise_if_any()
    return table, columns


def read_rows(data: bytes, file: str, mapping: Mapping) -> list[tuple[int, Incident]]:
    """The export's incidents with the row each stands on."""
    table, columns = mapped_table(data, file, mapping.columns)
    problems = ProblemList()
    incidents, seen = [], {}

    def cell(values, field):
        return values[columns[field]] if field in columns else ""

    for row, values in table.rows:
        where = {}

        def bad(field, message, value=None):
            problems.add(file, message, row=row, column=mapping.columns[field],
                         value=None if field == "description" else value)
            where[field] = True

        case = cell(values, "case")
        if not case:
            bad("case", "ärendenummer saknas")
        elif case in seen:
            bad("case", f"ärendenumret förekommer redan på rad {seen[case]}", case)
        else:
            seen[case] = row
        for field in ("unit", "type"):
            if not cell(values, field):
                bad(field, f"{LABELS[field]} saknas")
        dates = {}
        for field in ("reported", "occurred", "closed"):
            text = cell(values, field)
            if not text:
                if field == "reported":
                    bad(field, "registreringsdatum saknas")
                dates[field] = None
                continue
            try:
                dates[field] = _date(text)
            except ValueError as exc:
                bad(field, f"datumet går inte att läsa: {exc}", text)
                dates[field] = None
        if dates["reported"] and dates["closed"] and dates["closed"] < dates["reported"]:
            bad("closed", "ärendet är avslutat före registreringen", cell(values, "closed"))
        flag = cell(values, "lex_maria").casefold()
        if flag not in _YES_NO:
            bad("lex_maria", "lex Maria ska vara Ja eller Nej", cell(values, "lex_maria"))
        if not where:
            incidents.append((row, Incident(case, dates["reported"], cell(values, "unit"), cell(values, "type"),
                                            dates["closed"], cell(values, "cause"), _YES_NO[flag], dates["occurred"],
                                            cell(values, "severity"), cell(values, "description"))))
    problems.raise_if_any()
    return incidents


def read_path(path, mapping: Mapping) -> list[Incident]:
    return read(read_bytes(path), Path(path).name, mapping)
