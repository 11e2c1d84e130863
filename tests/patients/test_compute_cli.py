"""`lagesbild patients compute`: the contract's JSON, no database, exit 2 on bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lagesbild.cli import main
from tests.idnumbers import with_bad_check_digit
from tests.patients import files

ROOT = Path(__file__).resolve().parents[2]


def args(paths, out, as_of=files.AS_OF):
    return ["patients", "compute", "--episodes", str(paths["episodes"]), "--assessments", str(paths["assessments"]),
            "--actions", str(paths["actions"]), "--as-of", as_of, "--json", str(out)]


def assert_no_identity_number(text: str) -> None:
    for n in files.IDENTITY_NUMBERS:
        digits = n.replace("-", "").replace("+", "")
        assert n not in text and digits not in text and digits[-10:] not in text and n[-11:] not in text


def test_the_scenario_gives_the_contract_json(tmp_path):
    out = tmp_path / "ut.json"
    assert main(args(files.write_scenario(tmp_path), out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data == {"as_of": files.AS_OF, "measures": files.expected_json()}
    assert list(data["measures"][0]) == ["measure", "unit", "period", "numerator", "denominator", "by_sex"]
    assert list(data["measures"][0]["by_sex"]) == ["K", "M"]
    assert_no_identity_number(out.read_text(encoding="utf-8"))


def test_as_of_cuts_the_windows(tmp_path):
    out = tmp_path / "ut.json"
    # At 2025-01-21 12:00 only E1 (admitted 10 January) has 24 h behind it; E2's first 24 h end exactly then.
    assert main(args(files.write_scenario(tmp_path), out, "2025-01-21 12:00")) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["measures"]
    assert [(r["measure"], r["numerator"], r["denominator"]) for r in rows] == [
        ("riskbedomning-70-24h", 1, 2), ("atgard-24h-fallrisk", 1, 1)]
    assert main(args(files.write_scenario(tmp_path), out, "2025-01-21T11:59:59")) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["measures"]
    assert rows[0]["denominator"] == 1


def test_as_of_with_an_offset_and_seconds(tmp_path):
    out = tmp_path / "ut.json"
    assert main(args(files.write_scenario(tmp_path), out, "2025-02-28T23:00:00Z")) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["as_of"] == "2025-02-28T23:00:00Z" and data["measures"] == files.expected_json()


def test_xlsx_input_gives_the_same_figures(tmp_path):
    paths = {
        "episodes": files.write_xlsx(tmp_path / "e.xlsx", ["Vårdtillfälle", "Personnummer", "Enhet", "Inskriven",
                                                           "Utskriven"], files.EPISODES),
        "assessments": files.write_xlsx(tmp_path / "a.xlsx", ["Vårdtillfälle", "Typ", "Utförd", "Risk"],
                                        files.ASSESSMENTS),
        "actions": files.write_xlsx(tmp_path / "x.xlsx", ["Vårdtillfälle", "Typ", "Påbörjad"], files.ACTIONS),
    }
    out = tmp_path / "ut.json"
    assert main(args(paths, out)) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["measures"] == files.expected_json()


def test_json_to_stdout(tmp_path, capsys):
    assert main(args(files.write_scenario(tmp_path), "-")) == 0
    assert json.loads(capsys.readouterr().out)["measures"] == files.expected_json()


def test_bad_input_exit_2_every_problem_located_no_output_no_number(tmp_path, capsys):
    out = tmp_path / "ut.json"
    eps = [row[:] for row in files.EPISODES]
    eps[1][1] = with_bad_check_digit(files.MAN_80)
    eps[2][3] = "2025-03-30 02:30"
    ass = files.ASSESSMENTS + [["E8", "fall", "2025-01-10 09:00", "Ja"]]
    assert main(args(files.write_scenario(tmp_path, eps, ass), out)) == 2
    err = capsys.readouterr().err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["actions.csv", "assessments.csv",
                                                                              "episodes.csv"]
    assert "episodes.csv, rad 3, kolumn 'personnummer'" in err
    assert "episodes.csv, rad 4, kolumn 'admitted_at'" in err
    assert "assessments.csv, rad 13, kolumn 'episode'" in err
    assert "3 problem" in err
    assert_no_identity_number(err)
    assert with_bad_check_digit(files.MAN_80) not in err


def test_a_bad_as_of_is_reported_with_the_file_problems(tmp_path, capsys):
    out = tmp_path / "ut.json"
    paths = files.write_scenario(tmp_path, actions=[["E1", "hud", "2025-01-10 09:00"]])
    assert main(args(paths, out, "2025-03-30 02:30")) == 2
    err = capsys.readouterr().err
    assert "--as-of" in err and "finns inte" in err and "actions.csv, rad 2, kolumn 'kind'" in err
    assert not out.exists()
    assert main(args(paths, out, "1 mars")) == 2 and not out.exists()


def test_an_existing_output_is_left_alone_on_bad_input(tmp_path):
    out = tmp_path / "ut.json"
    out.write_text("förra körningen", encoding="utf-8")
    eps = [row[:] for row in files.EPISODES]
    eps[0][4] = "2025-01-09 08:00"  # discharged before admitted
    assert main(args(files.write_scenario(tmp_path, eps), out)) == 2
    assert out.read_text(encoding="utf-8") == "förra körningen"


def test_a_real_process_without_django_or_a_database(tmp_path):
    out = tmp_path / "ut.json"
    code = ("import sys; from lagesbild.cli import main; rc = main(sys.argv[1:]); "
            "assert 'django' not in sys.modules, 'django was imported'; sys.exit(rc)")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["PYTHONPATH"] = str(ROOT)
    r = subprocess.run([sys.executable, "-c", code, *args(files.write_scenario(tmp_path), out)], capture_output=True,
                       text=True, cwd=tmp_path, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["measures"] == files.expected_json()


def test_a_real_process_with_bad_input(tmp_path):
    out = tmp_path / "ut.json"
    eps = [row[:] for row in files.EPISODES]
    eps[0][1] = with_bad_check_digit(files.WOMAN_75)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "lagesbild.cli", *args(files.write_scenario(tmp_path, eps), out)],
                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert r.returncode == 2 and not out.exists()
    assert "kontrollsiffran" in r.stderr and "Traceback" not in r.stderr
    assert eps[0][1] not in r.stderr + r.stdout
    assert_no_identity_number(r.stderr + r.stdout)


@pytest.mark.parametrize("missing", ["--as-of", "--json", "--episodes"])
def test_required_options(tmp_path, missing, capsys):
    argv = args(files.write_scenario(tmp_path), tmp_path / "ut.json")
    i = argv.index(missing)
    with pytest.raises(SystemExit) as exc:
        main(argv[:i] + argv[i + 2:])
    assert exc.value.code == 2
