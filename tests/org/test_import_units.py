"""Importing org units from CSV/XLSX: the tree, idempotence, located errors, scope and moves."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.org.models import AuditEvent, OrgUnit, Succession
from lagesbild.org.services import KIND_IMPORT, import_units, move_unit

from .conftest import SAMPLE

pytestmark = pytest.mark.django_db

HEADER = "code;name;kind;parent_code;valid_from;valid_to\n"


def snapshot():
    return sorted(OrgUnit.objects.values_list("code", "name", "kind", "parent__code", "path", "current_path", "depth",
                                              "valid_from", "valid_to"))


def test_sample_file_creates_the_tree(kalmar_admin, sample_bytes):
    result = import_units(sample_bytes, SAMPLE.name, actor=Actor.cli(kalmar_admin))
    assert result.outcome == "ok" and len(result.created) == 13 and result.rows == 13
    unit = OrgUnit.objects.get(code="08-SOM-MED-HJ")  # first in the file, before its parents
    assert unit.path == "SE/08/08-SOM/08-SOM-MED/08-SOM-MED-HJ/" and unit.depth == 4
    assert unit.current_path == unit.path and unit.kind == "enhet" and unit.valid_from == date(2015, 1, 1)
    assert unit.source_import == result.record
    assert OrgUnit.objects.get(code="08-SOM").kind == "forvaltning"  # "Förvaltning"
    assert OrgUnit.objects.get(code="08-PRIM").kind == "forvaltning"  # "FÖRVALTNING"
    assert OrgUnit.objects.get(code="08-PSY").kind == "forvaltning"  # "forvaltning"
    assert OrgUnit.objects.get(code="08-SOM-MED-12").name == "Medicinavdelning Västervik"  # cp1252
    assert list(OrgUnit.objects.filter(path__startswith="SE/08/").values_list("code", flat=True)) == [
        "08", "08-PRIM", "08-PRIM-HC-NYB", "08-PRIM-HC-OSK", "08-PSY", "08-PSY-VUX", "08-PSY-VUX-HDV",
        "08-SOM", "08-SOM-KIR", "08-SOM-KIR-AKA", "08-SOM-MED", "08-SOM-MED-11", "08-SOM-MED-12", "08-SOM-MED-HJ",
    ]
    # successor_code: the closed ward's history lands in its successor today.
    closed = OrgUnit.objects.get(code="08-SOM-MED-11")
    s = Succession.objects.get(predecessor=closed)
    assert (s.successor.code, s.date) == ("08-SOM-MED-12", date(2024, 1, 1))
    assert closed.valid_to == date(2023, 12, 31) and closed.current_path == s.successor.path
    rec = Import.objects.get(kind=KIND_IMPORT)
    assert (rec.outcome, rec.rows, rec.encoding, rec.uploaded_by) == ("ok", 13, "cp1252", kalmar_admin)
    assert AuditEvent.objects.filter(action="org.import", user=kalmar_admin, object_id=str(rec.pk)).count() == 1


def test_reimport_changes_nothing(kalmar_units, kalmar_admin, sample_bytes):
    before = snapshot()
    result = import_units(sample_bytes, SAMPLE.name, actor=Actor.cli(kalmar_admin))
    assert result.outcome == "unchanged" and result.unchanged == 13 and not result.created and not result.updated
    assert snapshot() == before and Succession.objects.count() == 1
    assert list(Import.objects.filter(kind=KIND_IMPORT).values_list("outcome", flat=True)) == ["unchanged", "ok"]
    # Every unit still points to the import that wrote it.
    assert set(OrgUnit.objects.filter(code__startswith="08-").values_list("source_import", flat=True)) == {
        kalmar_units.record.pk
    }


def test_the_same_units_as_xlsx_with_excel_dates_are_unchanged(kalmar_units, kalmar_admin, sample_bytes):
    text = sample_bytes.decode("cp1252").splitlines()
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in text:
        cells = line.split(";")
        ws.append([date.fromisoformat(c) if c[:2] == "20" else (c or None) for c in cells])
    buf = io.BytesIO()
    wb.save(buf)
    result = import_units(buf.getvalue(), "kalmar.xlsx", actor=Actor.cli(kalmar_admin))
    assert result.outcome == "unchanged", result.as_dict()


def test_update_changes_only_what_differs(kalmar_units, kalmar_admin):
    data = (HEADER + "08-SOM-KIR;Kirurgi och ortopedi;verksamhet;08-SOM;2015-01-01;\n"
            "08-SOM-KIR-AKA;Akutkirurgisk avdelning Kalmar;enhet;08-SOM-KIR;2015-01-01;\n").encode()
    result = import_units(data, "andring.csv", actor=Actor.cli(kalmar_admin))
    assert (result.outcome, result.updated, result.unchanged) == ("ok", ["08-SOM-KIR"], 1)
    assert OrgUnit.objects.get(code="08-SOM-KIR").name == "Kirurgi och ortopedi"
    assert OrgUnit.objects.get(code="08-SOM-KIR-AKA").source_import == kalmar_units.record


def test_swedish_column_names_and_comma_separated_utf8(kalmar_admin):
    data = ("Kod,Namn,Typ,Överordnad,Giltig från,Giltig till\n"
            "08-X,Öron-näsa-hals,Verksamhet,08,,\n").encode("utf-8-sig")
    import_units(data, "x.csv", actor=Actor.cli(kalmar_admin))
    assert OrgUnit.objects.get(code="08-X").name == "Öron-näsa-hals"


def _refused(data: bytes, user, name="fel.csv"):
    before = snapshot()
    with pytest.raises(InputError) as exc:
        import_units(data, name, actor=Actor.cli(user))
    assert snapshot() == before, "a refused import must leave the database untouched"
    failed = Import.objects.filter(kind=KIND_IMPORT, outcome="failed").latest("id")
    assert failed.problems == [p.as_dict() for p in exc.value.problems]
    return exc.value.problems


GOOD = "08-A;Område A;förvaltning;08;2020-01-01;\n"
BAD_FILES = {
    # name: (content, expected (row, column, value), words in the message)
    "duplicate code": (HEADER + GOOD + "08-A;Område A igen;förvaltning;08;;\n", (3, "code", "08-A"), "rad 2"),
    "unknown parent": (HEADER + GOOD + "08-B;B;enhet;08-FINNS-EJ;;\n", (3, "parent_code", "08-FINNS-EJ"), "okänd"),
    "bad date": (HEADER + GOOD + "08-B;B;enhet;08-A;2020-13-01;\n", (3, "valid_from", "2020-13-01"), "ÅÅÅÅ-MM-DD"),
    "swedish date": (HEADER + GOOD + "08-B;B;enhet;08-A;1/1/2020;\n", (3, "valid_from", "1/1/2020"), "ÅÅÅÅ-MM-DD"),
    "bad kind": (HEADER + GOOD + "08-B;B;avdelning;08-A;;\n", (3, "kind", "avdelning"), "okänd typ"),
    "end before start": (HEADER + "08-B;B;enhet;08;2020-01-01;2019-12-31\n", (2, "valid_to", "2019-12-31"), "före"),
    "illegal code": (HEADER + "08 B;B;enhet;08;;\n", (2, "code", "08 B"), "ogiltig kod"),
    "kind above parent": (HEADER + GOOD + "08-B;B;förvaltning;08-C;;\n08-C;C;enhet;08-A;;\n",
                          (3, "kind", "förvaltning"), "kan inte ligga under"),
    "blank parent": (HEADER + "08-B;B;enhet;;;\n", (2, "parent_code", ""), "saknas"),
    "successor without end": ("code;name;kind;parent_code;valid_from;valid_to;successor_code\n"
                              + GOOD + "08-B;B;enhet;08-A;;;08-A\n", (3, "successor_code", "08-A"), "nedlagd"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_rows_give_located_errors(case, kalmar_admin):
    content, (row, column, value), words = BAD_FILES[case]
    problems = _refused(content.encode("cp1252"), kalmar_admin)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [("fel.csv", row, column, value)], problems
    assert words in problems[0].message
    assert not OrgUnit.objects.filter(code="08-A").exists()


def test_a_cycle_in_the_file_is_located_on_each_row(kalmar_admin):
    data = (HEADER + GOOD + "08-B;B;enhet;08-C;;\n08-C;C;enhet;08-B;;\n").encode()
    problems = _refused(data, kalmar_admin)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "parent_code", "08-C"), (4, "parent_code", "08-B")]
    assert all("cykel" in p.message for p in problems)


def test_a_cycle_through_the_database_is_refused(kalmar_units, kalmar_admin):
    # 08-SOM would move under its own grandchild.
    data = (HEADER + "08-SOM;Område somatisk specialistvård;förvaltning;08-SOM-MED-HJ;2015-01-01;\n").encode()
    problems = _refused(data, kalmar_admin)
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "kind", "förvaltning"),  # a förvaltning under an enhet, too
        (2, "parent_code", "08-SOM-MED-HJ"),
    ]
    assert "08-SOM → 08-SOM-MED-HJ → 08-SOM-MED → 08-SOM" in problems[1].message


def test_successor_cycle_is_refused(kalmar_units, kalmar_admin):
    data = ("code;name;kind;parent_code;valid_from;valid_to;successor_code\n"
            "08-SOM-MED-12;Medicinavdelning Västervik;enhet;08-SOM-MED;2024-01-01;2024-12-31;08-SOM-MED-11\n").encode()
    problems = _refused(data, kalmar_admin)
    assert [(p.row, p.column) for p in problems] == [(2, "successor_code")] and "cykel" in problems[0].message


def test_all_problems_are_reported_together(kalmar_admin):
    data = (HEADER + "08-A;;region;08;2020-02-30;\n08-A;X;enhet;08;;\n").encode()
    problems = _refused(data, kalmar_admin)
    assert [(p.row, p.column) for p in problems] == [(2, "name"), (2, "valid_from"), (2, "kind"), (3, "code")]


@pytest.mark.parametrize(
    "data,words",
    [
        ((HEADER + GOOD).encode("utf-16"), "UTF-16"),
        (b"", "tom"),
        (b"\r\n  \r\n", "tom"),
        (HEADER.encode(), "bara en rubrikrad"),
    ],
    ids=["utf-16", "empty", "blank lines", "header only"],
)
def test_unreadable_files_are_refused(data, words, kalmar_admin):
    problems = _refused(data, kalmar_admin)
    assert len(problems) == 1 and problems[0].file == "fel.csv" and words in problems[0].message


def test_missing_column_is_named(kalmar_admin):
    data = "code;name;kind;parent_code;valid_from\n08-A;A;förvaltning;08;\n".encode()
    problems = _refused(data, kalmar_admin)
    assert [(p.row, p.column) for p in problems] == [(1, "valid_to")] and "saknas" in problems[0].message


def test_region_admin_cannot_import_under_another_region(kalmar_admin, skane_units):
    data = (HEADER + GOOD + "12-NY;Ny enhet i Skåne;enhet;12-SUS;;\n08-SKANE;Smygande;enhet;12;;\n").encode()
    problems = _refused(data, kalmar_admin)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "parent_code", "12-SUS"), (4, "parent_code", "12")]
    assert all("administrationsområde" in p.message for p in problems)


def test_region_admin_cannot_take_over_another_regions_unit(kalmar_admin, skane_units):
    data = (HEADER + "12-SUS-MED;Flyttad;verksamhet;08;;\n").encode()
    problems = _refused(data, kalmar_admin)
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "code", "12-SUS-MED")]
    assert OrgUnit.objects.get(code="12-SUS-MED").path == "SE/12/12-SUS/12-SUS-MED/"


def test_strategist_is_not_an_administrator(kalmar_user):
    problems = _refused((HEADER + GOOD).encode(), kalmar_user)
    assert [(p.row, p.column) for p in problems] == [(2, "parent_code")]


def test_reserved_codes_are_refused(kalmar_admin):
    problems = _refused((HEADER + "sok;Sök;enhet;08;;\n").encode(), kalmar_admin)
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "code", "sok")]


def test_moving_a_unit_moves_its_subtree(kalmar_units, kalmar_admin):
    data = (HEADER + "08-SOM-MED;Medicinkliniken;verksamhet;08-PSY;2015-01-01;\n").encode()
    result = import_units(data, "flytt.csv", actor=Actor.cli(kalmar_admin))
    assert result.moved == ["08-SOM-MED"] and result.updated == ["08-SOM-MED"]
    med = OrgUnit.objects.get(code="08-SOM-MED")
    assert (med.parent.code, med.path, med.depth) == ("08-PSY", "SE/08/08-PSY/08-SOM-MED/", 3)
    hj = OrgUnit.objects.get(code="08-SOM-MED-HJ")
    assert (hj.path, hj.current_path, hj.depth) == ("SE/08/08-PSY/08-SOM-MED/08-SOM-MED-HJ/",) * 2 + (4,)
    # The closed ward follows its successor to the new place.
    closed = OrgUnit.objects.get(code="08-SOM-MED-11")
    assert closed.current_path == "SE/08/08-PSY/08-SOM-MED/08-SOM-MED-12/"
    assert not OrgUnit.objects.filter(path__startswith="SE/08/08-SOM/08-SOM-MED/").exists()
    assert not OrgUnit.objects.filter(current_path__startswith="SE/08/08-SOM/08-SOM-MED/").exists()


def test_move_and_child_update_in_one_file_in_any_order(kalmar_units, kalmar_admin):
    data = (HEADER + "08-SOM-MED-HJ;Hjärtavdelning;enhet;08-SOM-MED;2015-01-01;\n"
            "08-SOM-MED;Medicinkliniken;verksamhet;08-PRIM;2015-01-01;\n").encode()
    import_units(data, "flytt.csv", actor=Actor.cli(kalmar_admin))
    hj = OrgUnit.objects.get(code="08-SOM-MED-HJ")
    assert (hj.name, hj.path) == ("Hjärtavdelning", "SE/08/08-PRIM/08-SOM-MED/08-SOM-MED-HJ/")


def test_move_unit_refuses_to_move_under_itself(kalmar_units):
    som, hj = OrgUnit.objects.get(code="08-SOM"), OrgUnit.objects.get(code="08-SOM-MED-HJ")
    with pytest.raises(ValidationError):
        move_unit(som, hj, actor=Actor.system())
    assert OrgUnit.objects.get(code="08-SOM").path == "SE/08/08-SOM/"


def test_move_unit_needs_admin_on_both_places(kalmar_units, skane_units, kalmar_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        move_unit(OrgUnit.objects.get(code="08-SOM"), OrgUnit.objects.get(code="12-SUS"), actor=Actor.cli(kalmar_admin))
    assert OrgUnit.objects.get(code="08-SOM").path == "SE/08/08-SOM/"
