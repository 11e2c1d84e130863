"""What the foundation's readers refuse, and how fast: a file that is not what its name says, an
old .xls, a zip bomb, too many rows, hostile numbers. Each refusal is one located problem."""

import io
import time
import zipfile

import openpyxl
import pytest

from lagesbild.catalogue import io as catalogue_io
from lagesbild.ingest.errors import InputError, Problem
from lagesbild.ingest.numbers import parse_decimal
from lagesbild.ingest.readers import read_table

CSV = "code;name;kind;parent_code;valid_from;valid_to\r\n08-A;A;förvaltning;08;;\r\n"


def refusal(data: bytes, name: str) -> Problem:
    with pytest.raises(InputError) as exc:
        read_table(data, name)
    assert len(exc.value.problems) == 1, exc.value.problems
    return exc.value.problems[0]


def test_a_text_file_named_xlsx_is_not_an_excel_file():
    problem = refusal(CSV.encode("utf-8"), "enheter.xlsx")
    assert "är inte en Excel-fil" in problem.message
    assert problem.file == "enheter.xlsx"


@pytest.mark.django_db
def test_a_text_file_named_xlsx_gets_one_problem_from_an_importer():
    from lagesbild.core.actor import Actor
    from lagesbild.ingest.models import Import
    from lagesbild.org.services import import_units

    with pytest.raises(InputError) as exc:
        import_units(CSV.encode("utf-8"), "enheter.xlsx", actor=Actor.system())
    assert [p.message for p in exc.value.problems] == [
        "filen heter .xlsx men är inte en Excel-fil (.xlsx); den ser ut att vara en textfil (CSV)"
    ]
    assert Import.objects.get().outcome == Import.Outcome.FAILED


def test_an_old_binary_xls_gets_a_clear_message():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    problem = refusal(ole, "enheter.xls")
    assert "gamla Excel-formatet (.xls)" in problem.message and ".xlsx eller CSV" in problem.message


def _zip_bomb(sheet_bytes: int) -> bytes:
    """A well-formed XLSX whose one sheet unpacks to ``sheet_bytes`` of repetitive rows."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>' + row * (sheet_bytes // len(row)) + b"</sheetData></worksheet>")
    good = io.BytesIO()
    openpyxl.Workbook().save(good)
    out = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else src.read(info.filename)
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setenv("LAGESBILD_MAX_UNCOMPRESSED_MB", "2")
    bomb = _zip_bomb(60 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # small on the wire
    started = time.perf_counter()
    problem = refusal(bomb, "bomb.xlsx")
    assert time.perf_counter() - started < 2
    assert problem.message == "Excel-filen packas upp till 60 MB; högst 2 MB tas emot"


def test_the_row_limit(monkeypatch):
    monkeypatch.setenv("LAGESBILD_MAX_ROWS", "3")
    header = "code;name\r\n"
    assert len(read_table((header + "a;A\r\n" * 3).encode(), "rader.csv").rows) == 3
    problem = refusal((header + "a;A\r\n" * 4).encode(), "rader.csv")
    assert problem.message == "filen har fler än 3 datarader; dela upp den"
    assert problem.row == 5


def test_a_huge_exponent_is_refused_fast_with_a_message():
    started = time.perf_counter()
    with pytest.raises(ValueError) as exc:
        parse_decimal("1e1000000")
    assert time.perf_counter() - started < 0.5
    assert "orimligt stort" in str(exc.value)


def test_a_huge_exponent_in_a_catalogue_file_is_a_located_problem():
    text = ("code;title;measure_type;unit;direction;decimals\r\n"
            "ett-matt;Ett mått;process;percent;higher;1e1000000\r\n")
    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        catalogue_io.parse_file(text.encode(), "katalog.csv")
    assert time.perf_counter() - started < 2
    [problem] = exc.value.problems
    assert (problem.row, problem.column) == (2, "decimals")


@pytest.mark.parametrize("text, ok", [
    ("999999999999999", True), ("-999 999 999 999 999", True),
    ("1000000000000000", False), ("1e15", False), ("-1 000 000 000 000 000", False),
    ("9223372036854775808", False),
])
def test_numbers_of_15_digits_or_more_are_refused(text, ok):
    if ok:
        assert abs(parse_decimal(text)) < 10**15
    else:
        with pytest.raises(ValueError, match="orimligt stort"):
            parse_decimal(text)


def test_problem_path_is_in_its_text():
    problem = Problem("vardtillfallen.json", "fältet saknas", path="/entry/3/resource/subject")
    assert str(problem) == "vardtillfallen.json, sökväg /entry/3/resource/subject: fältet saknas"
    assert problem.as_dict()["path"] == "/entry/3/resource/subject"
