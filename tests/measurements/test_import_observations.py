from datetime import date

import pytest

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.measurements import services
from lagesbild.measurements.models import Observation, ReferenceObservation
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(Observation.objects.values_list("measure__code", "org_unit__code", "period_start", "sex", "numerator",
                                                  "denominator", "status"))


def test_import_upserts_and_reimport_changes_nothing(tree, share, region_admin):
    data = csv("t-andel;T-AVD1;2025-01;;;1 234;2 000;", "t-andel;t-avd2;2025-Q1;;;5;10;preliminär")
    r = services.import_observations(data, "obs.csv", actor=Actor.cli(region_admin))
    assert (r.outcome, r.created, r.updated, r.unchanged) == ("ok", 2, 0, 0)
    before = snapshot()
    assert before[0][4:] == (1234, 2000, "final")
    r = services.import_observations(data, "obs.csv", actor=Actor.cli(region_admin))
    assert (r.outcome, r.created, r.updated, r.unchanged) == ("unchanged", 0, 0, 2)
    assert snapshot() == before
    r = services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1 300;2 000;"), "rättelse.csv", actor=Actor.cli(region_admin))
    assert (r.created, r.updated) == (0, 1)
    assert Observation.objects.get(org_unit__code="T-AVD1").source_import.file_name == "rättelse.csv"


BAD = [
    ("okand;T-AVD1;2025-01;;;1;2;", "okänt mått", "okand"),
    ("t-andel;NOPE;2025-01;;;1;2;", "okänd enhet", "NOPE"),
    ("t-andel;T-AVD1;2025-13;;;1;2;", "okänd period", "2025-13"),
    ("t-andel;T-AVD1;2025-01;;;3;2;", "större än nämnaren", "3"),
    ("t-andel;T-AVD1;2025-01;;;tre;2;", "heltal", "tre"),
    ("t-andel;T-AVD1;2025-01;;;1,5;2;", "heltal", "1,5"),
    ("t-andel;T-AVD1;2025-01;X;;1;2;", "kön", "X"),
    ("t-andel;T-AVD1;2025-01;;;1;;", "nämnaren", ""),
]


@pytest.mark.parametrize("line,message,value", BAD)
def test_bad_rows_are_located_and_nothing_is_written(tree, share, region_admin, line, message, value):
    services.import_observations(csv("t-andel;T-AVD2;2025-01;;;1;2;"), "ok.csv", actor=Actor.cli(region_admin))
    before = snapshot()
    with pytest.raises(InputError) as exc:
        services.import_observations(csv("t-andel;T-AVD2;2025-02;;;1;2;", line), "fel.csv", actor=Actor.cli(region_admin))
    (p,) = exc.value.problems
    assert (p.file, p.row, p.value) == ("fel.csv", 3, value)
    assert message in p.message
    assert snapshot() == before
    assert Import.objects.filter(file_name="fel.csv", outcome="failed").count() == 1


def test_duplicate_keys_and_mixed_split_in_one_file(tree, share, region_admin):
    with pytest.raises(InputError) as exc:
        services.import_observations(csv(
            "t-andel;T-AVD1;2025-01;;;1;2;", "t-andel;T-AVD1;2025-01;;;1;3;",
            "t-andel;T-AVD2;2025-01;K;;1;2;", "t-andel;T-AVD2;2025-01;;;1;2;",
        ), "dubbel.csv", actor=Actor.cli(region_admin))
    rows = [(p.row, p.message.split(" ")[0]) for p in exc.value.problems]
    assert rows == [(3, "samma"), (5, "både")]


def test_period_outside_unit_validity(tree, share, region_admin):
    from datetime import date

    avd = tree["avd1"]
    avd.valid_to = date(2024, 12, 31)
    avd.save()
    with pytest.raises(InputError, match="giltighetstid"):
        services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "x.csv", actor=Actor.cli(region_admin))


def test_other_regions_units_are_refused(tree, share, kalmar_user):
    from lagesbild.org.models import OrgUnit

    OrgUnit.objects.create(code="S-AVD", name="Skåne avd", kind="enhet", parent=OrgUnit.objects.get(code="12"))
    with pytest.raises(InputError) as exc:
        services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;", "t-andel;S-AVD;2025-01;;;1;2;"), "x.csv", actor=Actor.cli(kalmar_user))
    (p,) = exc.value.problems
    assert (p.row, p.value) == (3, "S-AVD") and "behörighet" in p.message
    assert not Observation.objects.exists()


def test_utf16_empty_and_missing_column(tree, share, region_admin):
    for data, needle in ((csv("t-andel;T-AVD1;2025-01;;;1;2;").decode("cp1252").encode("utf-16"), "UTF-16"),
                         (b"", "tom"), (b"measure;unit;numerator\r\nt-andel;T-AVD1;1\r\n", "'period' saknas")):
        with pytest.raises(InputError, match=needle):
            services.import_observations(data, "x.csv", actor=Actor.cli(region_admin))


def test_reference_rows_stay_out_of_rollups(tree, share, region_admin):
    services.import_observations(csv("t-andel;SE;2025;;;47;1000;"), "riket.csv", actor=Actor.cli(region_admin), reference=True)
    assert ReferenceObservation.objects.count() == 1 and not Observation.objects.exists()


def test_reimport_updates_only_the_rows_that_changed(tree, share, region_admin):
    """A status change alone is a change; an unchanged row keeps its import and its time stamp."""
    first = csv("t-andel;T-AVD1;2025-01;;;5;10;preliminär", "t-andel;T-AVD2;2025-01;K;;3;4;", "t-andel;T-AVD2;2025-01;M;;1;4;")
    services.import_observations(first, "jan.csv", actor=Actor.cli(region_admin))
    stamps = dict(Observation.objects.values_list("org_unit__code", "updated_at").filter(sex=""))
    r = services.import_observations(
        csv("t-andel;T-AVD1;2025-01;;;5;10;slutlig", "t-andel;T-AVD2;2025-01;K;;3;4;", "t-andel;T-AVD2;2025-01;M;;2;4;",
            "t-andel;T-AVD3;2025-01;;;0;7;"),
        "jan-slutlig.csv", actor=Actor.cli(region_admin))
    assert (r.outcome, r.created, r.updated, r.unchanged) == ("ok", 1, 2, 1)
    rows = {(o.org_unit.code, o.sex): o for o in Observation.objects.select_related("org_unit", "source_import")}
    assert rows[("T-AVD1", "")].status == "final" and rows[("T-AVD1", "")].updated_at > stamps["T-AVD1"]
    assert rows[("T-AVD2", "M")].numerator == 2 and rows[("T-AVD2", "M")].source_import.file_name == "jan-slutlig.csv"
    assert rows[("T-AVD2", "K")].source_import.file_name == "jan.csv"
    assert (rows[("T-AVD3", "")].numerator, rows[("T-AVD3", "")].denominator) == (0, 7)
    assert str(rows[("T-AVD3", "")].period_start) == "2025-01-01"


def test_reference_rows_are_upserted_on_their_own_key(tree, share, region_admin):
    services.import_observations(csv("t-andel;SE;2025;;;47;1000;"), "riket.csv", actor=Actor.cli(region_admin), reference=True)
    r = services.import_observations(csv("t-andel;SE;2025;;;47;1000;", "t-andel;SE;2024;;;40;1000;"), "riket.csv",
                                     actor=Actor.cli(region_admin), reference=True)
    assert (r.created, r.updated, r.unchanged) == (1, 0, 1)
    r = services.import_observations(csv("t-andel;SE;2025;;;48;1000;"), "riket-rättad.csv", actor=Actor.cli(region_admin), reference=True)
    assert (r.created, r.updated, r.unchanged) == (0, 1, 0)
    assert sorted(ReferenceObservation.objects.values_list("period_start", "numerator")) == [
        (date(2024, 1, 1), 40), (date(2025, 1, 1), 48)]
