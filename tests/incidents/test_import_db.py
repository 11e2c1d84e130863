"""Incident exports into the database through a saved mapping: all or nothing, idempotent on the
case number, unknown unit codes listed with their counts, scoped, descriptions never in a log or
an error, purged after the retention."""

import logging

import pytest

from lagesbild.core.actor import Actor
from lagesbild.incidents import services
from lagesbild.incidents.models import Incident
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.org.models import AuditEvent, OrgUnit
from tests.conftest import _user
from tests.incidents.test_summary_cli import HEADER, MAPPING

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
SECRET = "Patienten Anna Andersson föll i korridoren"


@pytest.fixture
def wards(db):
    region = OrgUnit.objects.get(code="08")
    return [OrgUnit.objects.create(code=code, name=code, kind="enhet", parent=region) for code in ("AVD1", "AVD2")]


@pytest.fixture
def source(wards):
    return services.save_source("synergi", MAPPING, actor=SYSTEM)


def _export(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode("cp1252")


ROWS = ("S-1;2025-01-02;AVD1;Vårdprocess;2025-01-10;Kommunikation;Ja;" + SECRET + "\n",
        "S-2;2025-02-02;avd2;Läkemedel;;;Nej;\n")


def test_the_export_goes_in_and_again_changes_nothing(source, caplog):
    caplog.set_level(logging.DEBUG)
    first = services.import_export(_export(*ROWS), "export.csv", source=source, actor=SYSTEM)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0) and first.outcome == Import.Outcome.OK
    stored = Incident.objects.get(case="S-1")
    assert stored.unit.code == "AVD1" and stored.lex_maria and stored.description == SECRET
    assert Incident.objects.get(case="S-2").unit.code == "AVD2"  # the code in another case
    again = services.import_export(_export(*ROWS), "export.csv", source=source, actor=SYSTEM)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2) and again.outcome == Import.Outcome.UNCHANGED
    assert SECRET not in caplog.text and "Anna" not in caplog.text


def test_a_changed_case_is_updated_in_place_and_others_are_kept(source):
    services.import_export(_export(*ROWS), "export.csv", source=source, actor=SYSTEM)
    pk = Incident.objects.get(case="S-2").pk
    result = services.import_export(_export("S-2;2025-02-02;AVD2;Läkemedel;2025-02-20;Läkemedelshantering;Nej;\n"),
                                    "export-feb.csv", source=source, actor=SYSTEM)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    changed = Incident.objects.get(case="S-2")
    assert changed.pk == pk and str(changed.closed) == "2025-02-20" and changed.source_import == result.record
    assert Incident.objects.filter(case="S-1").exists()  # not in this export: untouched


def test_unknown_unit_codes_are_listed_with_their_counts_and_nothing_is_stored(source):
    rows = ["S-1;2025-01-02;AVD9;Vårdprocess;;;;\n", "S-2;2025-01-03;AVD9;Vårdprocess;;;;\n",
            "S-3;2025-01-04;OKÄND;Vårdprocess;;;;" + SECRET + "\n", "S-4;2025-01-05;AVD1;Vårdprocess;;;;\n"]
    with pytest.raises(InputError) as caught:
        services.import_export(_export(*rows), "export.csv", source=source, actor=SYSTEM)
    problems = caught.value.problems
    assert [(p.value, p.row) for p in problems] == [("AVD9", 2), ("OKÄND", 4)]
    assert "2 händelser" in problems[0].message and "1 händelser" in problems[1].message
    assert not Incident.objects.exists()
    refused = Import.objects.get(kind=services.KIND, outcome=Import.Outcome.FAILED)
    assert SECRET not in str(refused.problems)


def test_a_changed_layout_is_refused_naming_the_missing_column(source):
    data = _export(*ROWS).replace("Orsak".encode("cp1252"), "Orsakskod".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        services.import_export(data, "export.csv", source=source, actor=SYSTEM)
    assert caught.value.problems[0].column == "Orsak" and "saknas i exporten" in caught.value.problems[0].message


def test_a_user_may_import_only_for_units_in_scope(source):
    from django.core.exceptions import PermissionDenied

    other = OrgUnit.objects.create(code="SK-AVD", name="Skåne", kind="enhet", parent=OrgUnit.objects.get(code="12"))
    source.org_unit = OrgUnit.objects.get(code="08")
    source.save()
    strategist = _user("strateg", "08", "strategist")
    with pytest.raises(InputError) as caught:
        services.import_export(_export("S-9;2025-01-02;SK-AVD;Vårdprocess;;;;\n"), "export.csv", source=source,
                               actor=Actor.cli(strategist))
    assert caught.value.problems[0].value == "SK-AVD" and "behörighet" in caught.value.problems[0].message
    with pytest.raises(PermissionDenied):  # a manager may not import at all
        services.import_export(_export(*ROWS), "export.csv", source=source, actor=Actor.cli(_user("chef", "AVD1", "manager")))
    assert other.pk and not Incident.objects.exists()


def test_purge_blanks_old_descriptions_and_keeps_the_incidents(source):
    from datetime import date

    services.import_export(_export(*ROWS), "export.csv", source=source, actor=SYSTEM)
    assert services.purge_descriptions(12, actor=SYSTEM, today=date(2026, 2, 15)) == 1  # before 2025-02-01
    assert Incident.objects.get(case="S-1").description == "" and Incident.objects.count() == 2
    assert AuditEvent.objects.filter(action="incidents.purge").exists()


def test_the_cli_saves_the_mapping_and_the_next_export_needs_only_the_source(tmp_path, wards, capsys):
    from lagesbild.cli import main

    (tmp_path / "synergi.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "export.csv").write_bytes(_export(*ROWS))
    assert main(["incidents", "import", "--export", str(tmp_path / "export.csv"), "--mapping",
                 str(tmp_path / "synergi.yaml"), "--system"]) == 0
    assert "2 nya" in capsys.readouterr().out
    assert main(["incidents", "import", "--export", str(tmp_path / "export.csv"), "--source", "Synergi Kalmar",
                 "--system"]) == 0
    assert "2 oförändrade" in capsys.readouterr().out
    assert main(["incidents", "import", "--export", str(tmp_path / "export.csv"), "--source", "Okänd", "--system"]) == 2
    assert AuditEvent.objects.filter(action="incidents.import").count() == 2


def test_the_28_day_share_is_written_monthly_as_derived_observations(source):
    from datetime import date

    from lagesbild.catalogue.models import Measure
    from lagesbild.measurements.models import Observation

    assert Measure.objects.filter(code="avvikelser-28-dagar").exists()  # the starter catalogue's
    rows = ["S-1;2025-01-02;AVD1;Vårdprocess;2025-01-30;;;\n",  # 28 days: in time
            "S-2;2025-01-10;AVD1;Vårdprocess;2025-02-08;;;\n",  # 29 days: late
            "S-3;2025-01-20;AVD1;Vårdprocess;;;;\n",  # open
            "S-4;2025-02-20;AVD1;Vårdprocess;;;;\n",  # registered 2025-02-20: not due on 2025-03-15
            "S-5;2025-01-05;AVD2;Vårdprocess;2025-01-06;;;\n"]
    result = services.import_export(_export(*rows), "export.csv", source=source, actor=SYSTEM, as_of=date(2025, 3, 15))
    got = {(o.org_unit.code, str(o.period_start), o.sex): (o.numerator, o.denominator, o.source_import_id)
           for o in Observation.objects.filter(measure__code="avvikelser-28-dagar").select_related("org_unit")}
    assert got == {("AVD1", "2025-01-01", ""): (1, 3, result.record.pk), ("AVD2", "2025-01-01", ""): (1, 1, result.record.pk)}
    assert result.observations["created"] == 2
    # a case moved to another month: both months recomputed
    later = services.import_export(_export("S-5;2025-02-05;AVD2;Vårdprocess;2025-02-06;;;\n"), "rättelse.csv",
                                   source=source, actor=SYSTEM, as_of=date(2025, 3, 15))
    assert later.observations == {"created": 1, "updated": 0, "unchanged": 0, "deleted": 1}
    assert set(Observation.objects.filter(measure__code="avvikelser-28-dagar", org_unit__code="AVD2")
               .values_list("period_start", flat=True)) == {date(2025, 2, 1)}
