import io
from decimal import Decimal

import openpyxl
import pytest

from lagesbild.ingest.errors import InputError
from lagesbild.ingest.numbers import parse_decimal, parse_int
from lagesbild.ingest.readers import read_table

TEXT = "respondent;respondent_type;F1\r\nRegion Skåne;Region;Ja\r\nRegion Örebro län; region ;Vet ej\r\n"


@pytest.mark.parametrize(
    "data,encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_reads_what_swedish_excel_writes(data, encoding):
    t = read_table(data, "svar.csv")
    assert t.encoding == encoding
    assert t.delimiter == ";"
    assert t.header == ["respondent", "respondent_type", "F1"]
    assert t.rows == [(2, ["Region Skåne", "Region", "Ja"]), (3, ["Region Örebro län", "region", "Vet ej"])]


def test_comma_delimited_and_blank_lines_keep_row_numbers():
    t = read_table(b"respondent,F1\n\nA,Ja\n , \nB,Nej\n", "svar.csv")
    assert t.delimiter == ","
    assert t.rows == [(3, ["A", "Ja"]), (5, ["B", "Nej"])]


def test_short_rows_are_padded_and_long_rows_refused():
    assert read_table(b"a;b;c\n1;2\n", "x.csv").rows == [(2, ["1", "2", ""])]
    with pytest.raises(InputError) as exc:
        read_table(b"a;b\n1;2;3\n", "x.csv")
    p = exc.value.problems[0]
    assert (p.file, p.row, p.value) == ("x.csv", 2, "3")


def test_trailing_blank_cells_are_dropped_from_header_and_rows():
    """Excel writes a ';' for every column it ever touched: blank cells past the header are no data."""
    t = read_table(b"a;b;;\r\n1;2;;\r\n3;4; ;\r\n", "x.csv")
    assert t.header == ["a", "b"]
    assert t.rows == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_repeated_values_are_cleaned_alike_and_rows_do_not_share_lists():
    t = read_table(b"a;b\r\n x ; 1 234 \r\nx;1 234\r\n", "x.csv")
    assert t.rows == [(2, ["x", "1 234"]), (3, ["x", "1 234"])]
    t.rows[0][1][0] = "changed"
    assert t.rows[1][1][0] == "x"


def test_csv_the_reader_refuses_is_a_located_error():
    with pytest.raises(InputError) as exc:
        read_table(b"a;b\r\n1;2\r\n" + b"x" * 200_000 + b";4\r\n", "x.csv")
    p = exc.value.problems[0]
    assert (p.file, p.row) == ("x.csv", 3)
    assert "går inte att tolka" in p.message


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b";;\r\n;;\r\n"])
def test_empty_file_is_an_error(data):
    with pytest.raises(InputError, match="filen är tom"):
        read_table(data, "tom.csv")


def test_utf16_is_refused_with_advice():
    with pytest.raises(InputError, match="UTF-16") as exc:
        read_table(TEXT.encode("utf-16"), "svar.csv")
    assert exc.value.problems[0].file == "svar.csv"


def test_bad_bytes_after_bom_are_located():
    with pytest.raises(InputError) as exc:
        read_table(b"\xef\xbb\xbfa;b\r\n1;2\r\nx;\xff\xfe\r\n", "svar.csv")
    assert exc.value.problems[0].row == 3


def test_xlsx_is_read_with_row_numbers_and_integers():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["respondent", "F1", "F2"])
    ws.append(["Region Gotland", " Ja ", 3.0])
    ws.append([None, None, None])
    ws.append(["Region Halland", None, 2.5])
    buf = io.BytesIO()
    wb.save(buf)
    t = read_table(buf.getvalue(), "svar.xlsx")
    assert t.encoding == "xlsx"
    assert t.rows == [(2, ["Region Gotland", "Ja", "3"]), (4, ["Region Halland", "", "2.5"])]


def test_broken_xlsx_is_a_located_error():
    with pytest.raises(InputError, match="Excel-filen går inte att öppna"):
        read_table(b"PK\x03\x04 not really a zip", "trasig.xlsx")


@pytest.mark.parametrize(
    "text,value",
    [("1 234,5", "1234.5"), ("1\u00a0234", "1234"), ("12,0", "12.0"), (" -3 ", "-3"), ("1.234,5", "1234.5"),
     ("1,234.5", "1234.5"), ("0,05", "0.05"), ("\u22122", "-2")],
)
def test_swedish_numbers(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3x", "NaN", "inf"])
def test_non_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_parse_int():
    assert parse_int("1 234") == 1234
    with pytest.raises(ValueError):
        parse_int("1,5")
