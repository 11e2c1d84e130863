"""The catalogue file formats: located errors, Swedish Excel, and exact round trips."""

import io as stdio
from datetime import date

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild.catalogue import io
from lagesbild.catalogue.io import MeasureSpec
from lagesbild.catalogue.services import STARTER_FILE
from lagesbild.ingest.errors import InputError

MINIMAL = """\
measures:
  - code: vri
    title: Vårdrelaterade infektioner
    measure_type: resultat
    unit: percent
    direction: lower
"""


def starter() -> list[MeasureSpec]:
    return io.parse_yaml(STARTER_FILE.read_text(encoding="utf-8"), STARTER_FILE.name)


def problems(call) -> list:
    with pytest.raises(InputError) as exc:
        call()
    return exc.value.problems


def test_minimal_measure_gets_the_defaults():
    (spec,) = io.parse_yaml(MINIMAL, "m.yaml")
    assert spec == MeasureSpec(code="vri", title="Vårdrelaterade infektioner", measure_type="resultat",
                               unit="percent", direction="lower")
    assert (spec.version, spec.decimals, spec.frequency, spec.focus_area, spec.row) == (1, 1, "month", None, 2)


def test_starter_catalogue_round_trips_through_yaml_and_csv():
    specs = starter()
    assert len(specs) == 14
    assert io.parse_yaml(io.dump_yaml(specs), "x.yaml") == specs
    assert io.parse_csv_table(io.read_table(io.dump_csv(specs), "x.csv")) == specs
    # What parse_file picks by name and content gives the same.
    assert io.parse_file(io.dump_csv(specs), "katalog.csv") == specs
    assert io.parse_file(io.dump_yaml(specs).encode(), "katalog.yaml") == specs


def test_csv_is_for_swedish_excel():
    data = io.dump_csv(starter())
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].split(b"\r\n", 1)[0].decode()
    assert header.split(";") == list(io.FIELDS)
    table = io.read_table(data, "x.csv")
    assert table.delimiter == ";" and table.encoding == "utf-8-sig"
    row = dict(zip(table.header, table.rows[0][1]))
    assert row["code"] == "riskbedomning-70-24h" and "\n" in row["exclusions"]  # paragraphs survive


def test_formula_like_text_is_escaped_for_spreadsheets_and_restored():
    spec = MeasureSpec(code="x", title="=HYPERLINK(\"http://evil\")", measure_type="process", unit="count",
                       direction="lower", definition="- punkt ett\n'citat'\n@namn", purpose="'=redan")
    data = io.dump_csv([spec])
    assert b'"\'=HYPERLINK' in data and b"'- punkt ett" in data
    assert io.parse_csv_table(io.read_table(data, "x.csv")) == [spec]
    assert io.parse_yaml(io.dump_yaml([spec]), "x.yaml") == [spec]


def test_hand_made_excel_csv_with_swedish_headers_and_labels():
    text = (
        "Kod;Namn;Typ;Enhet;Riktning;Fokusområde;Mätfrekvens;Täljare;Nämnare;Giltig från;Jämförbar med\r\n"
        "fall-skada;Fall med skada;Resultatmått;Procent;Lägre är bättre;1;Kvartal;Fall med skada;Vårdtillfällen;"
        "2025-01-01;1, 2\r\n"
    )
    (spec,) = io.parse_file(text.encode("cp1252"), "mått.csv")
    assert (spec.code, spec.measure_type, spec.unit, spec.direction, spec.focus_area, spec.frequency) == (
        "fall-skada", "resultat", "percent", "lower", 1, "quarter")
    assert spec.numerator_definition == "Fall med skada" and spec.valid_from == date(2025, 1, 1)
    assert spec.comparable_with == (1, 2)


def test_xlsx_with_numbers_and_date_cells():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["code", "version", "title", "measure_type", "unit", "direction", "decimals", "valid_from", "definition"])
    ws.append(["hse-x", 2, "HSE", "resultat", "index", "higher", 0, date(2025, 1, 1), "Rad ett\nRad två"])
    buf = stdio.BytesIO()
    wb.save(buf)
    (spec,) = io.parse_file(buf.getvalue(), "katalog.xlsx")
    assert (spec.version, spec.decimals, spec.valid_from, spec.definition) == (2, 0, date(2025, 1, 1), "Rad ett\nRad två")
    assert spec.row == 2


# Each bad input: YAML text, then (row, column, value, part of the message) of the one problem.
BAD_YAML = {
    "unknown unit": (MINIMAL.replace("unit: percent", "unit: promille"), (5, "measures[0] (vri).unit", "promille", "okänd enhet")),
    "unknown type": (MINIMAL.replace("measure_type: resultat", "measure_type: utfallsmått"),
                     (4, "measures[0] (vri).measure_type", "utfallsmått", "okänd typ")),
    "unknown direction": (MINIMAL.replace("direction: lower", "direction: ner"),
                          (6, "measures[0] (vri).direction", "ner", "okänd riktning")),
    "unknown frequency": (MINIMAL + "    frequency: veckovis\n", (7, "measures[0] (vri).frequency", "veckovis", "okänd frekvens")),
    "focus area 6": (MINIMAL + "    focus_area: 6\n", (7, "measures[0] (vri).focus_area", "6", "fokusområde 1–5")),
    "focus area text": (MINIMAL + "    focus_area: tre\n", (7, "measures[0] (vri).focus_area", "tre", "fokusområde 1–5")),
    "missing title": (MINIMAL.replace("    title: Vårdrelaterade infektioner\n", ""),
                      (2, "measures[0] (vri).title", None, "obligatoriskt fält saknas")),
    "bad date": (MINIMAL + "    valid_from: 2025-13-01\n", (7, "measures[0] (vri).valid_from", "2025-13-01", "ogiltigt datum")),
    "end before start": (MINIMAL + "    valid_from: 2025-01-01\n    valid_to: 2024-12-31\n",
                         (8, "measures[0] (vri).valid_to", "2024-12-31", "före giltig från")),
    "bad slug": (MINIMAL.replace("code: vri", "code: VRI 2"), (2, "measures[0] (VRI 2).code", "VRI 2", "gemena")),
    "reserved code": (MINIMAL.replace("code: vri", "code: importera"), (2, "measures[0] (importera).code", "importera", "reserverad")),
    "duplicate": (MINIMAL + MINIMAL.split("\n", 1)[1], (7, "measures[1] (vri).code", "vri v1", "förekommer redan i measures[0] (vri) på rad 2")),
    "unknown key": (MINIMAL + "    numerator: x\n", (7, "measures[0] (vri).numerator", "numerator", "okänt fält")),
    "yes as title": (MINIMAL.replace("title: Vårdrelaterade infektioner", "title: yes"),
                     (3, "measures[0] (vri).title", "true", "citattecken")),
    "version zero": (MINIMAL + "    version: 0\n", (7, "measures[0] (vri).version", "0", "heltal ≥ 1")),
    "decimals 9": (MINIMAL + "    decimals: 9\n", (7, "measures[0] (vri).decimals", "9", "decimaler")),
    "key twice": (MINIMAL + "    unit: count\n", (7, "measures[0] (vri).unit", None, "två gånger")),
}


@pytest.mark.parametrize("name", BAD_YAML)
def test_bad_yaml_gives_a_located_error(name):
    text, (row, column, value, message) = BAD_YAML[name]
    (p,) = problems(lambda: io.parse_yaml(text, "katalog.yaml"))
    assert (p.file, p.row, p.column, p.value) == ("katalog.yaml", row, column, value), p
    assert message in p.message
    assert "katalog.yaml" in str(p) and (f"rad {row}" in str(p))


def test_all_problems_are_reported_together():
    text = MINIMAL.replace("unit: percent", "unit: promille").replace("direction: lower", "direction: ner")
    text += "  - code: Dålig\n    title: x\n"
    found = problems(lambda: io.parse_yaml(text, "k.yaml"))
    assert [(p.row, p.column.rsplit(".", 1)[1]) for p in found] == [
        (5, "unit"), (6, "direction"), (7, "measure_type"), (7, "unit"), (7, "direction"), (7, "code")]


def test_unreadable_yaml_and_wrong_shapes():
    (p,) = problems(lambda: io.parse_yaml("measures:\n  - code: [\n", "k.yaml"))
    assert p.row is not None and "YAML går inte att läsa" in p.message
    (p,) = problems(lambda: io.parse_yaml("measures: []\n", "k.yaml"))
    assert p.column == "measures" and "icke-tom lista" in p.message
    (p,) = problems(lambda: io.parse_yaml("   \n", "k.yaml"))
    assert p.message == "filen är tom"
    (p,) = problems(lambda: io.parse_yaml("measures:\n  - 42\n", "k.yaml"))
    assert p.column == "measures[0]" and p.value == "42"


CSV_HEADER = "code;title;measure_type;unit;direction;focus_area;valid_from;valid_to\n"
BAD_CSV = {
    "unknown unit": ("vri;VRI;resultat;promille;lower;1;;", ("unit", "promille", "okänd enhet")),
    "focus area 0": ("vri;VRI;resultat;percent;lower;0;;", ("focus_area", "0", "fokusområde 1–5")),
    "missing direction": ("vri;VRI;resultat;percent;;1;;", ("direction", None, "obligatoriskt")),
    "bad date": ("vri;VRI;resultat;percent;lower;1;1 jan 2025;", ("valid_from", "1 jan 2025", "ogiltigt datum")),
    "end before start": ("vri;VRI;resultat;percent;lower;1;2025-06-01;2025-05-31", ("valid_to", "2025-05-31", "före")),
    "bad slug": ("vri ä;VRI;resultat;percent;lower;1;;", ("code", "vri ä", "gemena")),
}


@pytest.mark.parametrize("name", BAD_CSV)
def test_bad_csv_gives_a_located_error(name):
    line, (column, value, message) = BAD_CSV[name]
    data = (CSV_HEADER + "ok;OK;process;count;higher;;;\n" + line + "\n").encode()
    (p,) = problems(lambda: io.parse_file(data, "katalog.csv"))
    assert (p.file, p.row, p.column, p.value) == ("katalog.csv", 3, column, value), p
    assert message in p.message


def test_csv_header_problems_and_duplicates():
    (p,) = problems(lambda: io.parse_file(b"code;title;measure_type;unit;direction;enheten\nx;X;process;count;lower;y\n", "k.csv"))
    assert (p.row, p.column, p.message.split(";")[0]) == (1, "enheten", "okänd kolumn")
    (p,) = problems(lambda: io.parse_file(b"code;title;measure_type;unit\nx;X;process;count\n", "k.csv"))
    assert (p.row, p.column, p.message) == (1, "direction", "obligatorisk kolumn saknas")
    dup = (CSV_HEADER + "vri;VRI;resultat;percent;lower;1;;\nvri;VRI igen;resultat;percent;lower;1;;\n").encode()
    (p,) = problems(lambda: io.parse_file(dup, "k.csv"))
    assert (p.row, p.column, p.value) == (3, "code", "vri v1") and "rad 2" in p.message
    # Swedish header names are reported as the file spells them.
    (p,) = problems(lambda: io.parse_file("Kod;Namn;Typ;Enhet;Riktning\nvri;VRI;resultat;promille;lower\n".encode(), "k.csv"))
    assert (p.row, p.column, p.value) == (2, "Enhet", "promille")


# ------------------------------------------------------------------------------------------ round trip

_ALPHABET = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(
    ["\n", "\t", " ", "=", "+", "-", "@", "'", '"', ";", ",", "#", ":", "|", ">", "\u00a0", "\r", "å"]
)
_LINE = st.text(_ALPHABET, max_size=40).map(io.norm_line)
_TEXT = st.text(_ALPHABET, max_size=120).map(io.norm_text)
_DATE = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def specs(draw):
    start, end = draw(_DATE), draw(_DATE)
    if start and end and end < start:
        start, end = end, start
    return MeasureSpec(
        code=draw(st.from_regex(r"[a-z0-9]{1,8}([-_][a-z0-9]{1,6}){0,2}", fullmatch=True).filter(
            lambda c: c not in io.RESERVED_CODES)),
        version=draw(st.integers(1, 32767)),
        title=draw(_LINE.filter(bool)),
        measure_type=draw(st.sampled_from(list(io.TYPES))),
        unit=draw(st.sampled_from(list(io.UNITS))),
        direction=draw(st.sampled_from(list(io.DIRECTIONS))),
        frequency=draw(st.sampled_from(list(io.FREQUENCIES))),
        focus_area=draw(st.none() | st.integers(1, 5)),
        foundation=draw(st.none() | st.integers(1, 4)),
        decimals=draw(st.integers(0, 6)),
        data_source=draw(_LINE),
        **{k: draw(_TEXT) for k in io.TEXT_FIELDS},
        comparable_with=tuple(sorted(set(draw(st.lists(st.integers(1, 32767), max_size=3))))),
        valid_from=start,
        valid_to=end,
    )


catalogues = st.lists(specs(), min_size=1, max_size=4, unique_by=lambda s: s.key)


@settings(max_examples=150, deadline=None)
@given(catalogues)
def test_yaml_round_trip_is_exact(catalogue):
    assert io.parse_yaml(io.dump_yaml(catalogue), "x.yaml") == catalogue


@settings(max_examples=150, deadline=None)
@given(catalogues)
def test_csv_round_trip_is_exact(catalogue):
    assert io.parse_csv_table(io.read_table(io.dump_csv(catalogue), "x.csv")) == catalogue


def test_choices_match_the_model():
    from lagesbild.catalogue.models import Measure

    assert io.TYPES == dict(Measure.Type.choices)
    assert io.UNITS == dict(Measure.Unit.choices)
    assert io.DIRECTIONS == dict(Measure.Direction.choices)
    assert io.FREQUENCIES == dict(Measure.Frequency.choices)
    model_fields = {f.name for f in Measure._meta.get_fields()}
    assert set(io.FIELDS) <= model_fields
