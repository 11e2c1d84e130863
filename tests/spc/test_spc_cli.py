"""`lagesbild spc compute`: a series file to the contract's JSON, no database, exit 2 on bad input."""

import json

from lagesbild.cli import main


def _write(path, text: str, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_a_swedish_series_with_a_rebase_gives_the_contract_json(tmp_path):
    series = _write(tmp_path / "serie.csv", "Period;Värde;Rebase\n2025-03;1 011,5;\n2025-01;1 010,0;\n2025-02;1 012,0;\n"
                    "2025-04;1 030,0;1\n2025-05;1 032,0;\n", encoding="cp1252")
    out = tmp_path / "ut.json"
    assert main(["spc", "compute", "--series", str(series), "--json", str(out), "--direction", "higher",
                 "--target", "1 020"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data) == ["points", "assurance"]
    assert [p["period"] for p in data["points"]] == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    first, last = data["points"][0], data["points"][-1]
    assert list(first) == ["period", "value", "mean", "lower", "upper", "signal", "side", "variation"]
    assert first["value"] == 1010.0 and first["mean"] == 1011.1666666666666
    assert last["mean"] == 1031.0 and last["upper"] == 1031.0 + 2.66 * 2
    assert data["assurance"] == "consistent_pass"  # the last group's lower limit 1025.68 is above 1020


def test_bad_input_is_located_and_nothing_is_written(tmp_path, capsys):
    series = _write(tmp_path / "serie.csv", "period;value;rebase\n2025-01;10\n2025-01;x;\n2025-03;12;kanske\n")
    out = tmp_path / "ut.json"
    assert main(["spc", "compute", "--series", str(series), "--json", str(out), "--target", "abc"]) == 2
    err = capsys.readouterr().err
    assert "rad 3" in err and "förekommer redan på rad 2" in err
    assert "värdet går inte att läsa" in err and "'x'" in err
    assert "rad 4" in err and "rebase" in err
    assert "--target" in err
    assert not out.exists()


def test_a_missing_column_is_named(tmp_path, capsys):
    series = _write(tmp_path / "serie.csv", "månad;antal\n2025-01;10\n")
    assert main(["spc", "compute", "--series", str(series), "--json", str(tmp_path / "ut.json")]) == 2
    assert "kolumnen 'value' saknas" in capsys.readouterr().err
