"""The command line as other tools call it: a real process, real files, no database."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PUBLISHED_2025

LAGESBILD = str(Path(sys.executable).with_name("lagesbild"))


def cli(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run([LAGESBILD, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_compute_json_contract(demo_dir, tmp_path):
    out = tmp_path / "ut.json"
    r = cli("survey", "compute", "--spec", demo_dir / "sos-2025.yaml", "--responses", demo_dir / "sos-2025-svar.csv",
            "--json", out)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["survey"] == "sos-2025"
    assert [i["id"] for i in data["indicators"]] == list(PUBLISHED_2025)
    for ind in data["indicators"]:
        assert set(ind) == {"id", "title", "numerator", "n", "excluded", "percent"}
        assert (ind["percent"], ind["numerator"], ind["n"]) == PUBLISHED_2025[ind["id"]]
        assert ind["n"] + ind["excluded"] == 21
    assert data["indicators"][0]["title"] == "Arbetssätt för att identifiera vårdskador i regionerna"


def test_compute_without_json_prints_a_swedish_table(demo_dir):
    r = cli("survey", "compute", "--spec", demo_dir / "sos-2025.yaml", "--responses", demo_dir / "sos-2025-svar.csv")
    assert r.returncode == 0, r.stderr
    assert "81,3" in r.stdout and "Täljare" in r.stdout and "UI9" in r.stdout


def test_compute_reads_xlsx(demo_dir, tmp_path):
    r = cli("survey", "compute", "--spec", demo_dir / "sos-2024.yaml", "--responses", demo_dir / "sos-2024-svar.xlsx",
            "--json", "-")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["survey"] == "sos-2024" and len(data["indicators"]) == 5


def test_report_writes_both_files(demo_dir, tmp_path):
    r = cli("survey", "report", "--spec", demo_dir / "sos-2025.yaml", "--responses", demo_dir / "sos-2025-svar.csv",
            "--xlsx", tmp_path / "ui.xlsx", "--pptx", tmp_path / "ui.pptx")
    assert r.returncode == 0, r.stderr
    import openpyxl
    from pptx import Presentation

    assert "Sammanfattning" in openpyxl.load_workbook(tmp_path / "ui.xlsx").sheetnames
    assert len(Presentation(tmp_path / "ui.pptx").slides) > 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ui.pptx", "ui.xlsx"]  # no temporary files left


def _bad_case(tmp_path, demo_dir, name):
    spec = tmp_path / "spec.yaml"
    resp = tmp_path / "svar.csv"
    shutil.copy(demo_dir / "sos-2025.yaml", spec)
    original = (demo_dir / "sos-2025-svar.csv").read_bytes()
    resp.write_bytes(original)
    text = original.decode("cp1252")
    lines = text.rstrip("\r\n").split("\r\n")
    if name == "yaml":
        spec.write_text("survey: {id: x\nindicators: [", encoding="utf-8")
        return "spec.yaml, rad"
    if name == "no-column":
        resp.write_bytes(text.replace(";F13", ";F13x").encode("cp1252"))
        return "kolumnen för fråga 'F13' saknas; den används av indikator UI9"
    if name == "combinator":
        spec.write_text(spec.read_text(encoding="utf-8").replace("all:\n        - {question: F11", "xor:\n        - {question: F11"), encoding="utf-8")
        return "okänd kombinator"
    if name == "duplicate":
        resp.write_bytes("\r\n".join(lines + [lines[1]]).encode("cp1252"))
        return "svar.csv, rad 23, kolumn 'respondent': respondenten förekommer redan på rad 2 (värde: 'Region Stockholm')"
    if name == "label":
        fields = lines[2].split(";")
        fields[2] = "Kanske"
        resp.write_bytes("\r\n".join(lines[:2] + [";".join(fields)] + lines[3:]).encode("cp1252"))
        return "svar.csv, rad 3, kolumn 'F1': svaret finns inte bland frågans alternativ (Ja, Nej, Vet ej) (värde: 'Kanske')"
    if name == "empty":
        resp.write_bytes(b"")
        return "svar.csv: filen är tom"
    if name == "utf16":
        resp.write_bytes(text.encode("utf-16"))
        return "UTF-16"
    raise AssertionError(name)


@pytest.mark.parametrize("case", ["yaml", "no-column", "combinator", "duplicate", "label", "empty", "utf16"])
@pytest.mark.parametrize("verb", ["compute", "report"])
def test_bad_input_exits_2_with_located_message_and_writes_nothing(case, verb, tmp_path, demo_dir):
    expected = _bad_case(tmp_path, demo_dir, case)
    out = tmp_path / "out"
    out.mkdir()
    args = ["--json", out / "r.json"] if verb == "compute" else ["--xlsx", out / "r.xlsx", "--pptx", out / "r.pptx"]
    r = cli("survey", verb, "--spec", tmp_path / "spec.yaml", "--responses", tmp_path / "svar.csv", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert expected in r.stderr
    assert "Traceback" not in r.stderr
    assert list(out.iterdir()) == []


def test_cp1252_utf8_and_bom_give_the_same_result(tmp_path, demo_dir):
    text = (demo_dir / "sos-2025-svar.csv").read_bytes().decode("cp1252")
    outs = []
    for enc, prefix, sep in (("cp1252", b"", ";"), ("utf-8", b"", ","), ("utf-8", b"\xef\xbb\xbf", ";")):
        f = tmp_path / f"svar-{enc}-{len(prefix)}.csv"
        body = text if sep == ";" else "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in line.split(";")) for line in text.split("\r\n"))
        f.write_bytes(prefix + body.encode(enc))
        r = cli("survey", "compute", "--spec", demo_dir / "sos-2025.yaml", "--responses", f, "--json", "-")
        assert r.returncode == 0, r.stderr
        outs.append(json.loads(r.stdout))
    assert outs[0] == outs[1] == outs[2]


@pytest.mark.django_db(transaction=True)
def test_data_import_and_catalogue_export_through_the_cli(tmp_path, live_server):
    """The database commands: a real process against the test database (through DATABASE_URL or
    the SQLite file the test run uses)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from lagesbild.org.models import Membership, OrgUnit
    from lagesbild.catalogue.reference import ensure_reference_data

    db = settings.DATABASES["default"]
    ensure_reference_data()
    user = get_user_model().objects.create_user("cliadmin")
    Membership.objects.create(user=user, org_unit=OrgUnit.objects.get(code="08"), role="admin")
    units = tmp_path / "enheter.csv"
    units.write_bytes("code;name;kind;parent_code;valid_from;valid_to\r\n08-CLI;CLI-förvaltningen;förvaltning;08;;\r\n"
                      .encode("cp1252"))
    env_db = _database_url(db)
    r = cli_db(env_db, "data", "import", "--kind", "units", "--file", units, "--user", "cliadmin")
    assert r.returncode == 0, r.stderr
    assert "1 nya" in r.stdout
    r = cli_db(env_db, "data", "import", "--kind", "units", "--file", units, "--user", "cliadmin")
    assert "unchanged" in r.stdout
    bad = tmp_path / "fel.csv"
    bad.write_bytes(b"code;name;kind;parent_code;valid_from;valid_to\r\n08-X;X;okand;08;;\r\n")
    r = cli_db(env_db, "data", "import", "--kind", "units", "--file", bad, "--user", "cliadmin")
    assert r.returncode == 2 and "fel.csv, rad 2" in r.stderr
    r = cli_db(env_db, "catalogue", "export", "--format", "yaml")
    assert r.returncode == 0 and "riskbedomning-70-24h" in r.stdout


def _database_url(db) -> str:
    if db["ENGINE"].endswith("postgresql"):
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def cli_db(url, *args):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=url, LAGESBILD_TESTING="1")
    return subprocess.run([LAGESBILD, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.django_db(transaction=True)
def test_survey_import_through_the_cli_acts_as_the_given_actor(demo_dir, live_server):
    """`survey import` builds the actor and calls the service, which checks and audits."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from lagesbild.org.models import AuditEvent, Membership, OrgUnit
    from lagesbild.catalogue.reference import ensure_reference_data
    from lagesbild.surveys.models import Survey

    ensure_reference_data()
    Membership.objects.create(user=get_user_model().objects.create_user("clistrateg"),
                              org_unit=OrgUnit.objects.get(code="SE"), role="strategist")
    Membership.objects.create(user=get_user_model().objects.create_user("clikalmar"),
                              org_unit=OrgUnit.objects.get(code="08"), role="strategist")
    env_db = _database_url(settings.DATABASES["default"])
    files = ("--spec", demo_dir / "sos-2025.yaml", "--responses", demo_dir / "sos-2025-svar.csv")
    r = cli_db(env_db, "survey", "import", *files)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = cli_db(env_db, "survey", "import", *files, "--user", "clikalmar")
    assert r.returncode != 0 and not Survey.objects.exists()
    r = cli_db(env_db, "survey", "import", *files, "--user", "clistrateg")
    assert r.returncode == 0, r.stderr
    assert "sos-2025: ok, 21 svarande" in r.stdout
    r = cli_db(env_db, "survey", "import", *files, "--system")
    assert r.returncode == 0 and "unchanged" in r.stdout
    events = AuditEvent.objects.filter(action="survey.import").order_by("pk")
    assert [(e.channel, e.username, e.detail["outcome"]) for e in events] == [
        ("cli", "clistrateg", "ok"), ("system", "", "unchanged")
    ]
