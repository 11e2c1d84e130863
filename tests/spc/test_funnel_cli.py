"""`lagesbild spc funnel`: a file of units to the funnel's JSON, no database, exit 2 on bad input.
The figures are the hand-computed case of tests/calc/test_funnel.py."""

import json

import openpyxl
import pytest

from lagesbild.cli import main

PHI, TAU2 = 5.690865758323376, 0.012705938905282868


def _write(path, text: str, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_a_swedish_csv_gives_the_funnel(tmp_path):
    # cp1252, semicolons, Swedish headers, a thousands space, a unit without data (0 of 0) and one
    # with both cells blank
    data = _write(tmp_path / "tratt.csv", "Enhet;Täljare;Nämnare\nAvd A;0;50\nAvd B;10;100\nAvd C;30;200\n"
                  "Avd D;60;300\nAvd E;12;40\nAvd F;0;0\nAvd G;;\n", encoding="cp1252")
    out = tmp_path / "ut.json"
    assert main(["spc", "funnel", "--data", str(data), "--json", str(out)]) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["mean"] == pytest.approx(112 / 690) and d["phi"] == pytest.approx(PHI) and d["tau2"] == pytest.approx(TAU2)
    assert d["overdispersed"] is True and d["adjustment_applies"] is True
    assert d["without_data"] == ["Avd F", "Avd G"]
    assert [u["unit"] for u in d["units"]] == ["Avd A", "Avd B", "Avd C", "Avd D", "Avd E"]
    a, e = d["units"][0], d["units"][4]
    assert list(a) == ["unit", "numerator", "denominator", "share", "z", "limits", "adjusted_limits", "outside",
                       "outside_adjusted"]
    assert (a["numerator"], a["denominator"], a["share"]) == (0, 50, 0.0) and a["z"] == pytest.approx(-5.864322532727351)
    assert a["limits"]["95"] == pytest.approx({"lower": 0.07430315091907218, "upper": 0.2761126176385261})
    assert a["adjusted_limits"]["99.8"] == pytest.approx({"lower": 1.2059095474497151e-05, "upper": 0.5404254819724245})
    assert a["outside"] == {"95": "low", "99.8": "low"} and a["outside_adjusted"] == {"95": "low", "99.8": "low"}
    assert e["outside"] == {"95": "high", "99.8": None} and e["outside_adjusted"] == {"95": None, "99.8": None}


def test_no_overdispersion_and_an_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["unit", "numerator", "denominator"])
    for row in (["A", 0, 50], ["B", 10, 100], ["C", 30, 200], ["D", 60, 300], ["E", 12, 40]):
        ws.append(row)
    wb.save(tmp_path / "tratt.xlsx")
    out = tmp_path / "ut.json"
    assert main(["spc", "funnel", "--data", str(tmp_path / "tratt.xlsx"), "--json", str(out), "--no-overdispersion"]) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["phi"] == pytest.approx(PHI) and d["tau2"] == 0 and d["adjustment_applies"] is False
    assert all(u["adjusted_limits"] == u["limits"] for u in d["units"])
    assert d["units"][4]["outside_adjusted"] == {"95": "high", "99.8": None}


def test_bad_input_is_located_and_nothing_is_written(tmp_path, capsys):
    data = _write(tmp_path / "tratt.csv", "unit;numerator;denominator\nA;5;4\nA;1;10\nB;x;10\nC;-1;10\n;1;2\nD;3;0\n")
    out = tmp_path / "ut.json"
    assert main(["spc", "funnel", "--data", str(data), "--json", str(out)]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "tratt.csv, rad 2, kolumn 'numerator': täljaren är större än nämnaren (4) (värde: '5')" in lines
    assert "tratt.csv, rad 3, kolumn 'unit': enheten förekommer redan på rad 2 (värde: 'A')" in lines
    assert any(line.startswith("tratt.csv, rad 4, kolumn 'numerator': täljaren ska vara ett heltal") and "'x'" in line
               for line in lines)
    assert "tratt.csv, rad 5, kolumn 'numerator': antalet kan inte vara negativt (värde: '-1')" in lines
    assert "tratt.csv, rad 6, kolumn 'unit': enheten saknas" in lines
    assert "tratt.csv, rad 7, kolumn 'numerator': täljaren är större än nämnaren (0) (värde: '3')" in lines
    assert not out.exists()


def test_a_missing_column_and_a_file_without_denominators(tmp_path, capsys):
    data = _write(tmp_path / "tratt.csv", "enhet,antal\nA,1\n")
    assert main(["spc", "funnel", "--data", str(data), "--json", str(tmp_path / "ut.json")]) == 2
    err = capsys.readouterr().err
    assert "kolumnen 'numerator' saknas" in err and "kolumnen 'denominator' saknas" in err
    empty = _write(tmp_path / "noll.csv", "unit,numerator,denominator\nA,0,0\n")
    assert main(["spc", "funnel", "--data", str(empty), "--json", str(tmp_path / "ut.json")]) == 2
    assert "ingen enhet har en nämnare större än 0" in capsys.readouterr().err
    assert main(["spc", "funnel", "--data", str(tmp_path / "finns-inte.csv"), "--json", str(tmp_path / "ut.json")]) == 2
    assert "finns-inte.csv" in capsys.readouterr().err and not (tmp_path / "ut.json").exists()
