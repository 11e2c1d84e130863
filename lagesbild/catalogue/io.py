"""The measure catalogue as files: YAML and CSV/XLSX in, YAML and CSV out.

Pure Python, no Django import, so the command line and the data migration can use it. Every
problem is located (file, row, column or key path, value) and all of them are reported together
(``ProblemList`` → ``InputError``). ``dump_yaml`` and ``dump_csv`` write what the parsers read
back exactly: ``parse_yaml(dump_yaml(specs)) == specs`` and the same for CSV.

YAML format::

    measures:
      - code: riskbedomning-70-24h        # required, lower-case slug
        version: 1                        # default 1; (code, version) is unique
        title: Riskbedömning inom 24 timmar, 70 år och äldre   # required
        measure_type: process             # required: struktur | process | resultat
        unit: percent                     # required: percent | per_100 | per_1000 | per_100000 | count | index | days
        direction: higher                 # required: higher | lower (which is better)
        focus_area: 3                     # 1–5 of the national action plan, or omitted
        foundation: 2                     # 1–4, for a measure of a foundation rather than a focus area
        decimals: 1
        frequency: month                  # month | quarter | tertial | year | biennial | continuous
        definition: ...                   # and the other texts of the indicator handbook
        comparable_with: [1]              # earlier versions whose results may be compared
        valid_from: 2025-01-01
        valid_to: 2030-12-31

CSV and XLSX carry one measure per row with the same names as columns (Swedish headers such as
``kod``, ``namn``, ``täljare`` are accepted too). Choice values may be written as codes or as
their Swedish labels ("Procent", "Högre är bättre").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Iterable, Mapping, Optional

import yaml

from lagesbild.calc import units
from lagesbild.ingest import readers, tabular, yamltext
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.numbers import parse_int

# The choices of lagesbild.catalogue.models.Measure (a test keeps the two in step); units from the registry.
TYPES = {"struktur": "Struktur", "process": "Process", "resultat": "Resultat"}
UNITS = dict(units.CHOICES)
DIRECTIONS = {"higher": "Högre är bättre", "lower": "Lägre är bättre"}
FREQUENCIES = {
    "month": "Månad", "quarter": "Kvartal", "tertial": "Tertial", "year": "År",
    "biennial": "Vartannat år", "continuous": "Löpande",
}
# Other ways people write the same choice (compared case-folded, inner spaces folded).
_ALIASES = {
    "measure_type": {"structure": "struktur", "strukturmått": "struktur", "processmått": "process",
                     "outcome": "resultat", "result": "resultat", "resultatmått": "resultat", "utfall": "resultat"},
    "unit": units.ALIASES,
    "direction": {"högre": "higher", "högre värde är bättre": "higher", "lägre": "lower",
                  "lägre värde är bättre": "lower"},
    "frequency": {"månadsvis": "month", "monthly": "month", "kvartalsvis": "quarter", "quarterly": "quarter",
                  "årligen": "year", "årsvis": "year", "yearly": "year", "annual": "year",
                  "vartannat år": "biennial", "kontinuerligt": "continuous", "dagligen": "continuous"},
}
CHOICES = {"measure_type": TYPES, "unit": UNITS, "direction": DIRECTIONS, "frequency": FREQUENCIES}

FIELDS = (
    "code", "version", "title", "measure_type", "focus_area", "foundation", "unit", "decimals", "direction",
    "definition", "numerator_definition", "denominator_definition", "exclusions", "data_source", "frequency",
    "purpose", "interpretation", "limitations", "comparable_with", "valid_from", "valid_to",
)
REQUIRED = ("code", "title", "measure_type", "unit", "direction")
LINE_FIELDS = ("code", "title", "data_source")  # one line of text
TEXT_FIELDS = (
    "definition", "numerator_definition", "denominator_definition", "exclusions", "purpose", "interpretation",
    "limitations",
)
MAX_LENGTH = {"code": 80, "title": 300, "data_source": 300}
# Swedish column headers, as the handbook names the fields.
SWEDISH_HEADERS = {
    "kod": "code", "namn": "title", "titel": "title", "typ": "measure_type", "måtttyp": "measure_type",
    "fokusområde": "focus_area", "grundförutsättning": "foundation", "enhet": "unit", "decimaler": "decimals",
    "riktning": "direction", "täljare": "numerator_definition", "nämnare": "denominator_definition",
    "exkluderingar": "exclusions", "datakälla": "data_source", "frekvens": "frequency",
    "mätfrekvens": "frequency", "syfte": "purpose", "tolkning": "interpretation",
    "felkällor och begränsningar": "limitations", "begränsningar": "limitations",
    "jämförbar med": "comparable_with", "jämförbar med versioner": "comparable_with",
    "giltig från": "valid_from", "giltig till": "valid_to",
}
# Codes that would collide with the catalogue's own pages under /matt/.
RESERVED_CODES = {"importera", "export"}
CODE_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# A CSV cell that starts like a formula is written with a leading apostrophe, so a
# spreadsheet shows it as text; the parser takes the apostrophe off again.
_FORMULA_START = ("=", "+", "-", "@", "'")


@dataclass(frozen=True)
class MeasureSpec:
    """One version of a measure, validated; ``row`` and ``where`` say where it was read."""

    code: str
    title: str
    measure_type: str
    unit: str
    direction: str
    version: int = 1
    focus_area: Optional[int] = None
    foundation: Optional[int] = None
    decimals: int = 1
    definition: str = ""
    numerator_definition: str = ""
    denominator_definition: str = ""
    exclusions: str = ""
    data_source: str = ""
    frequency: str = "month"
    purpose: str = ""
    interpretation: str = ""
    limitations: str = ""
    comparable_with: tuple[int, ...] = ()
    valid_from: Optional[date] = None
    valid_to: Optional[date] = None
    row: Optional[int] = field(default=None, compare=False)
    where: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.code, self.version)

    def values(self) -> dict:
        """The stored fields in file order (focus area and foundation as numbers)."""
        return {name: getattr(self, name) for name in FIELDS}


# ---------------------------------------------------------------------------------------------
# Normalising values


def norm_line(text: str) -> str:
    """One line: trimmed, inner white space folded to single spaces."""
    return " ".join(text.split())


def norm_text(text: str) -> str:
    """Paragraph text: each line folded like ``norm_line``, at most one blank line in a row."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = norm_line(line)
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _key(text: str) -> str:
    return norm_line(str(text)).casefold()


def _choice_lookup(name: str) -> dict[str, str]:
    table = {_key(code): code for code in CHOICES[name]}
    table.update({_key(label): code for code, label in CHOICES[name].items()})
    table.update({_key(alias): code for alias, code in _ALIASES.get(name, {}).items()})
    return table


_LOOKUPS = {name: _choice_lookup(name) for name in CHOICES}


# ---------------------------------------------------------------------------------------------
# Building a spec from raw values, with located problems


@dataclass
class _Loc:
    """Where a raw record came from: its row, and how to name one of its keys."""

    row: Optional[int]
    column: Callable[[str], str]
    row_of: Callable[[str], Optional[int]]
    where: str = ""


class _Builder:
    def __init__(self, file: str, problems: ProblemList):
        self.file = file
        self.problems = problems
        self.seen: dict[tuple[str, int], str] = {}

    def err(self, loc: _Loc, key: str, message: str, value: object = None) -> None:
        self.problems.add(
            self.file, message, row=loc.row_of(key), column=loc.column(key),
            value=None if value is None else _show(value),
        )

    def text(self, loc: _Loc, key: str, value: object, one_line: bool) -> Optional[str]:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.err(loc, key, "ska vara text (sätt citattecken runt ja/nej/true/false)", value)
            return None
        text = str(value)
        if _CONTROL.search(text):
            self.err(loc, key, "texten innehåller otillåtna kontrolltecken", text)
            return None
        text = norm_line(text) if one_line else norm_text(text)
        limit = MAX_LENGTH.get(key)
        if limit and len(text) > limit:
            self.err(loc, key, f"texten är längre än {limit} tecken", text[:40] + "…")
            return None
        return text

    def integer(self, loc: _Loc, key: str, value: object, low: int, high: int, message: str) -> Optional[int]:
        if isinstance(value, bool):
            self.err(loc, key, message, value)
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            try:
                value = parse_int(value)
            except ValueError:
                self.err(loc, key, message, value)
                return None
        if not isinstance(value, int) or not low <= value <= high:
            self.err(loc, key, message, value)
            return None
        return value

    def choice(self, loc: _Loc, key: str, value: object) -> Optional[str]:
        code = _LOOKUPS[key].get(_key(value)) if isinstance(value, str) else None
        if code is None:
            allowed = ", ".join(CHOICES[key])
            names = {"measure_type": "typ", "unit": "enhet", "direction": "riktning", "frequency": "frekvens"}
            self.err(loc, key, f"okänd {names[key]}; tillåtna är {allowed}", value)
        return code

    def day(self, loc: _Loc, key: str, value: object) -> tuple[bool, Optional[date]]:
        if isinstance(value, datetime):
            return True, value.date()
        if isinstance(value, date):
            return True, value
        if isinstance(value, str):
            text = value.strip()
            if text.endswith(" 00:00:00"):  # a date cell from a spreadsheet
                text = text[: -len(" 00:00:00")]
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    return True, date.fromisoformat(text)
            except ValueError:
                pass
        self.err(loc, key, "ogiltigt datum; skriv ÅÅÅÅ-MM-DD", value)
        return False, None

    def versions(self, loc: _Loc, value: object) -> Optional[tuple[int, ...]]:
        items: Iterable[object]
        if isinstance(value, (list, tuple)):
            items = value
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [value]
        elif isinstance(value, str):
            items = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
        else:
            self.err(loc, "comparable_with", "ska vara en lista av versionsnummer", value)
            return None
        out = []
        for item in items:
            n = self.integer(loc, "comparable_with", item, 1, 32767, "ska vara en lista av versionsnummer (heltal ≥ 1)")
            if n is None:
                return None
            out.append(n)
        return tuple(sorted(set(out)))

    def build(self, raw: Mapping[str, object], loc: _Loc) -> Optional[MeasureSpec]:
        """Validate one record; report every problem; return the spec or None."""
        before = len(self.problems.items)
        present = {k: v for k, v in raw.items() if not _blank(v)}
        for key in REQUIRED:
            if key not in present:
                self.err(loc, key, "obligatoriskt fält saknas")
        values: dict[str, object] = {}
        for key, value in present.items():
            if key in LINE_FIELDS or key in TEXT_FIELDS:
                text = self.text(loc, key, value, one_line=key in LINE_FIELDS)
                if text is not None:
                    values[key] = text
            elif key in CHOICES:
                values[key] = self.choice(loc, key, value)
            elif key == "version":
                values[key] = self.integer(loc, key, value, 1, 32767, "versionen ska vara ett heltal ≥ 1")
            elif key == "decimals":
                values[key] = self.integer(loc, key, value, 0, 6, "antalet decimaler ska vara ett heltal 0–6")
            elif key == "focus_area":
                values[key] = self.integer(loc, key, value, 1, 5, "ska vara ett fokusområde 1–5")
            elif key == "foundation":
                values[key] = self.integer(loc, key, value, 1, 4, "ska vara en grundförutsättning 1–4")
            elif key == "comparable_with":
                values[key] = self.versions(loc, value)
            elif key in ("valid_from", "valid_to"):
                values[key] = self.day(loc, key, value)[1]
            else:
                self.err(loc, key, f"okänt fält; tillåtna är {', '.join(FIELDS)}", key)
        code = values.get("code")
        if isinstance(code, str) and code:
            if not CODE_RE.match(code):
                self.err(loc, "code", "koden får bara innehålla gemena a–z, siffror, bindestreck och understreck", code)
            elif code in RESERVED_CODES:
                self.err(loc, "code", "koden är reserverad för katalogens egna sidor", code)
        start, end = values.get("valid_from"), values.get("valid_to")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.err(loc, "valid_to", f"giltig till ligger före giltig från ({start.isoformat()})", end.isoformat())
        if len(self.problems.items) > before or len(self.problems.items) >= self.problems.limit:
            return None
        spec = MeasureSpec(**{k: v for k, v in values.items() if k in FIELDS}, row=loc.row, where=loc.where)
        first = self.seen.get(spec.key)
        if first is not None:
            self.err(loc, "code", f"(kod, version) förekommer redan i {first}", f"{spec.code} v{spec.version}")
            return None
        self.seen[spec.key] = loc.where or f"rad {loc.row}"
        return spec


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def spec_from_mapping(raw: Mapping[str, object], file: str = "API", where: str = "") -> MeasureSpec:
    """Validate one record given as a mapping (e.g. an API request body); raise InputError."""
    problems = ProblemList()
    loc = _Loc(None, lambda k: k, lambda k: None, where)
    spec = _Builder(file, problems).build(raw, loc)
    problems.raise_if_any()
    assert spec is not None
    return spec


# ---------------------------------------------------------------------------------------------
# YAML


class _LineDict(dict):
    """A mapping that remembers the line of each key, and keys that occurred twice."""

    line: int = 0
    key_lines: dict
    duplicates: list


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and reads dates as text (checked by the parser)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines, out.duplicates = {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            key = str(key)
        line = key_node.start_mark.line + 1
        if key in out:
            out.duplicates.append((key, line))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, file_name: str = "matt.yaml") -> list[MeasureSpec]:
    """Parse a catalogue in YAML (``measures: [...]`` or a bare list); raise InputError."""
    if not text.strip():
        raise InputError.one(file_name, "filen är tom")
    doc = yamltext.load(text, file_name, loader=_Loader)
    problems = ProblemList()
    items = doc
    if isinstance(doc, dict):
        for key in doc:
            if key != "measures":
                problems.add(file_name, "okänd nyckel på översta nivån; katalogen ska ha measures: [...]",
                             row=doc.key_lines.get(key), column=str(key))
        items = doc.get("measures")
    if not isinstance(items, list) or not items:
        problems.add(file_name, "katalogen ska innehålla en icke-tom lista measures", column="measures",
                     row=getattr(doc, "key_lines", {}).get("measures"))
        problems.raise_if_any()
    builder = _Builder(file_name, problems)
    specs = []
    for i, item in enumerate(items):
        path = f"measures[{i}]"
        if not isinstance(item, dict):
            problems.add(file_name, "varje mått ska vara en mappning med code, title, …", column=path, value=_show(item))
            continue
        code = item.get("code")
        label = f"{path} ({code})" if isinstance(code, str) and code.strip() else path
        for key, line in item.duplicates:
            problems.add(file_name, "nyckeln förekommer två gånger i samma mått", row=line, column=f"{label}.{key}")
        loc = _Loc(
            row=item.line,
            column=lambda k, label=label: f"{label}.{k}",
            row_of=lambda k, item=item: item.key_lines.get(k, item.line),
            where=f"{label} på rad {item.line}",
        )
        spec = builder.build({str(k): v for k, v in item.items()}, loc)
        if spec is not None:
            specs.append(spec)
    problems.raise_if_any()
    return specs


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key; paragraphs as literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _str_representer(dumper: _Dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(tuple, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True))

YAML_HEADER = (
    "# Lägesbild – måttkatalog. Ett mått per post; (code, version) är unik.\n"
    f"# Obligatoriskt: code, title, measure_type ({'|'.join(TYPES)}), unit ({'|'.join(UNITS)}),\n"
    f"#   direction ({'|'.join(DIRECTIONS)}).\n"
    f"# Valfritt: version, focus_area (1–5), foundation (1–4), decimals, frequency ({'|'.join(FREQUENCIES)}),\n"
    "#   texterna, comparable_with (versioner), valid_from och valid_to (ÅÅÅÅ-MM-DD).\n"
)


def _as_spec(item: object) -> MeasureSpec:
    if isinstance(item, MeasureSpec):
        return item
    return spec_from_measure(item)


def spec_from_measure(measure: object) -> MeasureSpec:
    """A MeasureSpec from a stored Measure (or anything with the same attributes)."""
    fa = getattr(measure, "focus_area", None)
    fo = getattr(measure, "foundation", None)
    values = {name: getattr(measure, name) for name in FIELDS if name not in ("focus_area", "foundation")}
    values["comparable_with"] = tuple(sorted(set(values.get("comparable_with") or ())))
    for key in LINE_FIELDS + TEXT_FIELDS:
        values[key] = values.get(key) or ""
    return MeasureSpec(**values, focus_area=fa.number if fa is not None else None,
                       foundation=fo.number if fo is not None else None)


def _compact(spec: MeasureSpec) -> dict:
    """The spec's values, leaving out what is empty (the parser gives the same defaults back)."""
    out = {}
    for name, value in spec.values().items():
        if name in ("version", "decimals", "frequency") or value not in (None, "", ()):
            out[name] = value
    return out


def dump_yaml(measures: Iterable[object]) -> str:
    """The catalogue as YAML that ``parse_yaml`` reads back to the same specs."""
    doc = {"measures": [_compact(_as_spec(m)) for m in measures]}
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return YAML_HEADER + body


# ---------------------------------------------------------------------------------------------
# CSV and XLSX


def read_table(data: bytes, file: str) -> tabular.Table:
    """CSV (any delimiter and encoding tabular reads) or XLSX into a table, keeping line breaks
    (paragraphs of handbook text)."""
    return readers.read_table(data, file, keep_lines=True)


def _unescape_cell(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        return text[1:]
    return text


def _escape_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def parse_csv_table(table: tabular.Table) -> list[MeasureSpec]:
    """Measures from a table (one per row, columns named as the fields); raise InputError."""
    problems = ProblemList()
    header_row = getattr(table, "header_row", 1)
    columns: dict[int, str] = {}
    for i, name in enumerate(table.header):
        key = _key(name)
        fname = key if key in FIELDS else SWEDISH_HEADERS.get(key)
        if fname is None:
            if name.strip():
                problems.add(table.file, f"okänd kolumn; tillåtna är {', '.join(FIELDS)}", row=header_row,
                             column=name, value=name)
            continue
        if fname in columns.values():
            problems.add(table.file, "kolumnen förekommer två gånger", row=header_row, column=name)
            continue
        columns[i] = fname
    for required in REQUIRED:
        if required not in columns.values():
            problems.add(table.file, "obligatorisk kolumn saknas", row=header_row, column=required)
    problems.raise_if_any()
    if not table.rows:
        raise InputError.one(table.file, "tabellen innehåller inga mått", row=header_row)
    header = {fname: table.header[i] for i, fname in columns.items()}
    builder = _Builder(table.file, problems)
    specs = []
    for row_no, cells in table.rows:
        raw = {}
        for i, fname in columns.items():
            value = cells[i]
            raw[fname] = _unescape_cell(value) if fname in LINE_FIELDS + TEXT_FIELDS else value
        loc = _Loc(row=row_no, column=lambda k: header.get(k, k), row_of=lambda k, r=row_no: r,
                   where=f"rad {row_no}")
        spec = builder.build(raw, loc)
        if spec is not None:
            specs.append(spec)
    problems.raise_if_any()
    return specs


def _csv_value(name: str, value: object) -> str:
    if value is None:
        return ""
    if name == "comparable_with":
        return ", ".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if name in LINE_FIELDS or name in TEXT_FIELDS:
        return _escape_cell(value)
    return str(value)


def dump_csv(measures: Iterable[object]) -> bytes:
    """The catalogue as CSV for Swedish Excel: UTF-8 with BOM, ';', one measure per row."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(FIELDS)
    for m in measures:
        spec = _as_spec(m)
        writer.writerow([_csv_value(name, getattr(spec, name)) for name in FIELDS])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Any file


def is_table_file(data: bytes, file_name: str) -> bool:
    name = file_name.lower()
    return data.startswith(readers.XLSX_MAGIC) or name.endswith((".csv", ".txt", ".tsv", ".xlsx"))


def parse_file(data: bytes, file_name: str) -> list[MeasureSpec]:
    """A catalogue file of any supported kind: YAML, or CSV/XLSX by name or content."""
    if not data.strip():
        raise InputError.one(file_name, "filen är tom")
    if is_table_file(data, file_name):
        return parse_csv_table(read_table(data, file_name))
    text, _ = tabular.decode(data, file_name)
    return parse_yaml(text, file_name)


__all__ = [
    "MeasureSpec", "FIELDS", "REQUIRED", "parse_yaml", "parse_csv_table", "parse_file", "read_table",
    "dump_yaml", "dump_csv", "spec_from_measure", "spec_from_mapping", "norm_text", "norm_line",
]
