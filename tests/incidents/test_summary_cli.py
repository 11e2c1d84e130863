"""`lagesbild incidents summary`: an export read through a mapping, the contract's JSON, no database."""

import json

from lagesbild.cli import main

MAPPING = """source: Synergi Kalmar
columns:
  case: Ärendenr
  reported: Registrerad
  unit: Enhet
  type: Händelsetyp
  closed: Avslutad
  cause: Orsak
  lex_maria: Lex Maria
  description: Beskrivning
"""
HEADER = "Ärendenr;Registrerad;Enhet;Händelsetyp;Avslutad;Orsak;Lex Maria;Beskrivning\n"


def _files(tmp_path, rows: str, mapping: str = MAPPING):
    (tmp_path / "map.yaml").write_text(mapping, encoding="utf-8")
    (tmp_path / "export.csv").write_bytes((HEADER + rows).encode("cp1252"))
    return ["incidents", "summary", "--export", str(tmp_path / "export.csv"), "--mapping", str(tmp_path / "map.yaml"),
            "--year", "2025", "--as-of", "2026-01-05", "--json", str(tmp_path / "ut.json")]


def test_the_summary_json(tmp_path):
    argv = _files(tmp_path, "S-1;2025-01-02;AVD1;Vårdprocess;2025-01-10;Kommunikation;Ja;Patienten föll\n"
                            "S-2;2025-02-02 10:15;AVD2;Vårdprocess;;;Nej;\n"
                            "S-3;2024-02-02;AVD2;Läkemedel;2024-02-03;;;\n")
    assert main(argv) == 0
    data = json.loads((tmp_path / "ut.json").read_text(encoding="utf-8"))
    assert list(data) == ["year", "incidents", "previous_year", "change_percent", "types", "causes",
                          "closed_within_28_days", "lead_time_days", "lex_maria"]
    assert data["incidents"] == 2 and data["previous_year"] == 1 and data["change_percent"] == "100.00"
    assert data["causes"][0] == {"cause": "Ej angiven", "count": 1, "percent": "50.0"}
    assert data["closed_within_28_days"] == {"numerator": 1, "denominator": 2, "percent": "50.0"}
    assert data["lex_maria"] == 1


def test_a_changed_layout_names_the_missing_column(tmp_path, capsys):
    argv = _files(tmp_path, "S-1;2025-01-02;AVD1;Vårdprocess;;;;\n", MAPPING.replace("Orsak", "Orsakskod"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "'Orsakskod'" in err and "saknas i exporten" in err
    assert not (tmp_path / "ut.json").exists()


def test_bad_rows_are_located_and_a_description_is_never_echoed(tmp_path, capsys):
    argv = _files(tmp_path, "S-1;2025-01-02;AVD1;Vårdprocess;;;;\n"
                            "S-1;2025-13-02;AVD1;Vårdprocess;;;kanske;Anna Andersson 19121212-1212\n"
                            "S-3;2025-01-05;AVD1;;2025-01-01;;;\n")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "rad 3" in err and "förekommer redan på rad 2" in err
    assert "'2025-13-02'" in err and "'kanske'" in err
    assert "händelsetyp saknas" in err and "avslutat före registreringen" in err
    assert "Anna" not in err and "19121212" not in err


def test_the_mapping_is_checked(tmp_path, capsys):
    argv = _files(tmp_path, "S-1;2025-01-02;AVD1;Vårdprocess;;;;\n", "source: X\ncolumns:\n  case: Ärendenr\n  typ: Typ\n")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "columns/typ" in err and "columns/reported" in err and "fältet krävs" in err
