"""Complaints and claims through each source's own mapping: read leniently where exports vary,
refused with located problems where they are wrong, idempotent on the case number, scoped, the
free text never in an error; and the complaint pages drill down to the cases within scope."""

import logging
from datetime import date

import pytest

from lagesbild.core.actor import Actor
from lagesbild.incidents import complaint_export, services
from lagesbild.incidents.models import Complaint, Source
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.org.models import AuditEvent, OrgUnit
from tests.conftest import _user

SYSTEM = Actor.system()
SECRET = "Patienten Karin Berg fick fel besked"
MAPPING = """\
kind: complaints
source: Patientnämnden
channel: patientnämnden
columns:
  case: Ärende-ID
  received: Inkom datum
  unit: HSA-id
  category: Huvudkategori
  sex: Kön
  forwarded: Skickat till vården
  action_taken: Åtgärd vidtagen
  description: Sammanfattning
"""
HEADER = "Ärende-ID;Inkom datum;HSA-id;Huvudkategori;Kön;Skickat till vården;Åtgärd vidtagen;Sammanfattning\r\n"
ROWS = ("PN-1;2025-03-01;AVD1;Bemötande;Kvinna;Ja;Ja;" + SECRET + "\r\n",
        "PN-2;2025-03-02; avd2 ;Resultat; man ;ja;nej;\r\n",
        "PN-3;2025-04-01;AVD2;;;Nej;;\r\n",
        "PN-4;2024-05-01;AVD1;Bemötande;K;Nej;;\r\n")


def _export(*rows: str, header: str = HEADER) -> bytes:
    return b"\xef\xbb\xbf" + (header + "".join(rows)).encode("utf-8")


def test_the_mapping_is_validated_and_located():
    with pytest.raises(InputError) as caught:
        complaint_export.parse_mapping("kind: complaints\nsource: X\nchannel: brev\ncolumns:\n  case: A\n  hej: B\n",
                                       "x.yaml")
    where = {(p.path, p.message.split(";")[0]) for p in caught.value.problems}
    assert ("channel", "okänd kanal") in where
    assert ("columns/hej", "okänt fält") in where
    assert ("columns/received", "fältet krävs") in where and ("columns/unit", "fältet krävs") in where
    with pytest.raises(InputError) as caught:
        complaint_export.parse_mapping("kind: complaints\nsource: X\ncolumns: {case: A, received: B, unit: C}\n", "x.yaml")
    assert [p.path for p in caught.value.problems] == ["channel"]  # a channel for the export or per row
    m = complaint_export.parse_mapping(MAPPING, "pn.yaml")
    assert m.channel == "patientnamnd" and m.columns["sex"] == "Kön"


def test_values_are_read_as_real_exports_write_them():
    rows = complaint_export.read_rows(_export(*ROWS), "pn.csv", complaint_export.parse_mapping(MAPPING, "pn.yaml"))
    got = {c.case: c for _, c, _ in rows}
    assert (got["PN-1"].sex, got["PN-1"].forwarded, got["PN-1"].action_taken) == ("K", True, True)
    assert (got["PN-2"].unit, got["PN-2"].sex, got["PN-2"].forwarded, got["PN-2"].action_taken) == (
        "avd2", "M", True, False)
    assert (got["PN-3"].category, got["PN-3"].sex, got["PN-3"].forwarded, got["PN-3"].action_taken) == (
        "", "", False, None)
    assert got["PN-4"].received == date(2024, 5, 1) and rows[0][2] == SECRET


def test_a_changed_layout_is_refused_naming_the_missing_column():
    header = HEADER.replace("Huvudkategori", "Kategori")
    with pytest.raises(InputError) as caught:
        complaint_export.read_rows(_export(*ROWS, header=header), "pn.csv", complaint_export.parse_mapping(MAPPING, "p"))
    (problem,) = caught.value.problems
    assert problem.column == "Huvudkategori" and "saknas i exporten" in problem.message and problem.row == 1


def test_bad_values_are_located_and_the_description_is_never_echoed():
    rows = ("PN-1;2025-13-01;AVD1;Bemötande;Kvinna;Ja;Ja;" + SECRET + "\r\n",
            "PN-1;2025-03-01;AVD1;Bemötande;Okänd figur;Kanske;Ja;" + SECRET + "\r\n")
    with pytest.raises(InputError) as caught:
        complaint_export.read_rows(_export(*rows), "pn.csv", complaint_export.parse_mapping(MAPPING, "pn.yaml"))
    where = {(p.row, p.column, p.value) for p in caught.value.problems}
    assert (2, "Inkom datum", "2025-13-01") in where
    assert (3, "Ärende-ID", "PN-1") in where  # a duplicate case number
    assert (3, "Kön", "Okänd figur") in where and (3, "Skickat till vården", "Kanske") in where
    assert SECRET not in str(caught.value) and all(SECRET not in (p.value or "") for p in caught.value.problems)


@pytest.fixture
def wards(db):
    region = OrgUnit.objects.get(code="08")
    return [OrgUnit.objects.create(code=code, name=code, kind="enhet", parent=region) for code in ("AVD1", "AVD2")]


@pytest.fixture
def source(wards):
    return services.save_source("pn", MAPPING, actor=SYSTEM)


@pytest.mark.django_db
def test_the_export_goes_in_once_and_a_changed_case_is_updated_in_place(source, caplog):
    caplog.set_level(logging.DEBUG)
    assert source.kind == Source.Kind.COMPLAINTS and source.name == "Patientnämnden"
    first = services.import_export(_export(*ROWS), "pn.csv", source=source, actor=SYSTEM)
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0) and first.outcome == Import.Outcome.OK
    assert Complaint.objects.get(case="PN-2").unit.code == "AVD2"
    assert Complaint.objects.get(case="PN-1").channel == "patientnamnd"
    again = services.import_export(_export(*ROWS), "pn.csv", source=source, actor=SYSTEM)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    pk = Complaint.objects.get(case="PN-3").pk
    changed = services.import_export(_export("PN-3;2025-04-01;AVD2;Resultat;;Ja;Ja;\r\n"), "pn-apr.csv",
                                     source=source, actor=SYSTEM)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 0)
    c = Complaint.objects.get(case="PN-3")
    assert c.pk == pk and (c.category, c.forwarded, c.action_taken) == ("Resultat", True, True)
    assert Complaint.objects.count() == 4  # the cases this export does not hold are kept
    assert SECRET not in caplog.text


@pytest.mark.django_db
def test_unknown_units_are_listed_with_counts_and_nothing_is_written(source):
    rows = ROWS + ("PN-5;2025-03-01;AVD9;Resultat;;Nej;;\r\n", "PN-6;2025-03-02;avd9;Resultat;;Nej;;\r\n")
    with pytest.raises(InputError) as caught:
        services.import_export(_export(*rows), "pn.csv", source=source, actor=SYSTEM)
    (problem,) = caught.value.problems
    assert problem.value == "AVD9" and problem.row == 6 and "2 ärenden" in problem.message
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_source_keeps_its_kind_once_it_has_cases(source):
    services.import_export(_export(*ROWS), "pn.csv", source=source, actor=SYSTEM)
    incident_mapping = "source: Patientnämnden\ncolumns: {case: A, reported: B, unit: C, type: D}\n"
    with pytest.raises(InputError, match="andra slaget"):
        services.save_source("pn", incident_mapping, actor=SYSTEM)


@pytest.mark.django_db
def test_the_purge_blanks_old_complaint_texts_too(source):
    services.import_export(_export(*ROWS), "pn.csv", source=source, actor=SYSTEM)
    assert services.purge_descriptions(12, actor=SYSTEM, today=date(2026, 4, 15)) == 1  # PN-1, before 2025-04-01
    assert Complaint.objects.get(case="PN-1").description == "" and Complaint.objects.count() == 4


@pytest.mark.django_db
def test_the_pages_drill_down_within_scope_and_the_case_list_is_audited(client, source):
    services.import_export(_export(*ROWS), "pn.csv", source=source, actor=SYSTEM)
    strategist = _user("strateg", "08", "strategist")
    client.force_login(strategist)
    page = client.get("/avvikelser/08/klagomal/?ar=2025").content.decode()
    assert "Patientnämnden" in page and "66,7\u00a0%" in page  # 2 of 3 forwarded
    assert "50,0\u00a0%" in page  # action taken in 1 of the 2 forwarded
    listed = client.get("/avvikelser/08/klagomal/arenden/?ar=2025&kanal=patientnamnd&atgard=1").content.decode()
    assert "PN-1" in listed and "PN-2" not in listed and SECRET in listed and "1 ärenden" in listed
    event = AuditEvent.objects.filter(action="complaints.cases.view").latest("pk")
    assert event.detail["cases"] == 1 and event.detail["atgard"] == "1"
    # A manager of another part of the region sees neither the figures nor the texts.
    other = OrgUnit.objects.create(code="08-X", name="Annan förvaltning", kind="forvaltning",
                                   parent=OrgUnit.objects.get(code="08"))
    client.force_login(_user("chef", other.code, "manager"))
    assert client.get("/avvikelser/AVD1/klagomal/?ar=2025").status_code == 403
    assert client.get("/avvikelser/AVD1/klagomal/arenden/?ar=2025").status_code == 403
    assert client.get("/avvikelser/08-X/klagomal/arenden/?ar=2025").content.decode().count("PN-") == 0


@pytest.mark.django_db
def test_the_excel_exports_recalculate_to_the_figures_of_the_pages(client, source, tmp_path):
    import openpyxl

    from tests.reports.test_survey_xlsx import recalculated

    services.import_export(_export(*ROWS), "pn.csv", source=source, actor=SYSTEM)
    client.force_login(_user("strateg", "08", "strategist"))
    response = client.get("/avvikelser/08/klagomal/?ar=2025&format=xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    path = tmp_path / "klagomal.xlsx"
    path.write_bytes(response.content)
    ws = openpyxl.load_workbook(path)["Klagomål"]
    rows = {(r[0].value, r[1].value): r for r in ws.iter_rows() if r[1].value}
    forwarded = rows[("Patientnämnden", "Skickade vidare till vården")]
    assert (forwarded[2].value, forwarded[3].value) == (2, 3) and forwarded[4].value.startswith("=IF(")
    values = recalculated(path, tmp_path)
    assert values[("KLAGOMÅL", forwarded[4].coordinate)] == 66.7
    change = rows[("Patientnämnden", "Ärenden 2025 mot 2024")]
    assert (change[2].value, change[3].value) == (3, 1) and values[("KLAGOMÅL", change[4].coordinate)] == 200.0
    assert SECRET not in str([c.value for row in ws.iter_rows() for c in row])
