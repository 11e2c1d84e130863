"""The starter catalogue after migrations, and imports through the service on a real database."""

import pytest
from django.core.exceptions import PermissionDenied

from lagesbild.core.actor import Actor
from lagesbild.catalogue import io, services
from lagesbild.catalogue.models import Measure
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.org.models import AuditEvent, OrgUnit

pytestmark = pytest.mark.django_db

# code: (unit, direction, type, focus area, frequency, decimals)
STARTER = {
    "riskbedomning-70-24h": ("percent", "higher", "process", 3, "month", 1),
    "atgard-24h-fallrisk": ("percent", "higher", "process", 3, "month", 1),
    "atgard-24h-trycksar": ("percent", "higher", "process", 3, "month", 1),
    "atgard-24h-undernaring": ("percent", "higher", "process", 3, "month", 1),
    "trycksar-sjukhusforvarvade": ("percent", "lower", "resultat", 1, "tertial", 1),
    "basala-hygienrutiner": ("percent", "higher", "process", 3, "month", 1),
    "vardskador-vardtillfallen": ("percent", "lower", "resultat", 1, "year", 1),
    "vri": ("percent", "lower", "resultat", 1, "tertial", 1),
    "antibiotika-recept-1000": ("per_1000", "lower", "process", 3, "quarter", 0),
    "utskrivningsklara-vardagar": ("percent", "lower", "resultat", 2, "month", 1),
    "overbelaggningar-100": ("per_100", "lower", "process", 2, "month", 1),
    "utlokaliseringar-100": ("per_100", "lower", "process", 2, "month", 1),
    "hse-index": ("index", "higher", "resultat", None, "biennial", 0),
    "avvikelser-28-dagar": ("percent", "higher", "process", 4, "month", 1),
}


def snapshot():
    return sorted(
        (io.spec_from_measure(m).values().items().__repr__() for m in Measure.objects.select_related("focus_area", "foundation"))
    )


def test_starter_catalogue_is_present_after_migrations():
    got = {
        m.code: (m.unit, m.direction, m.measure_type, m.focus_area.number if m.focus_area else None, m.frequency, m.decimals)
        for m in Measure.objects.select_related("focus_area")
    }
    assert got == STARTER
    assert Measure.objects.filter(version=1).count() == 14
    hse = Measure.objects.get(code="hse-index")
    assert hse.foundation.name == "En god säkerhetskultur" and hse.focus_area is None
    for m in Measure.objects.all():
        # Every measure reads like a handbook entry.
        for name in ("definition", "numerator_definition", "denominator_definition", "data_source", "purpose",
                     "interpretation", "exclusions"):
            assert len(getattr(m, name)) > 30, (m.code, name)
    abx = Measure.objects.get(code="antibiotika-recept-1000")
    assert "uthämtade" in abx.numerator_definition and "invånare" in abx.denominator_definition
    assert "Synergi" in Measure.objects.get(code="avvikelser-28-dagar").data_source
    assert "markörbaserad journalgranskning" in Measure.objects.get(code="vardskador-vardtillfallen").definition


def test_loading_the_starter_catalogue_again_changes_nothing():
    before = snapshot()
    result = services.load_starter_catalogue()
    assert (len(result.created), len(result.updated), len(result.unchanged)) == (0, 0, 14)
    assert snapshot() == before


NEW = """\
measures:
  - code: fall-med-skada
    title: Fall med skada
    measure_type: resultat
    focus_area: 1
    unit: per_1000
    decimals: 1
    direction: lower
    numerator_definition: Antal fall med skada.
    denominator_definition: Antal vårddagar.
  - code: vri
    version: 2
    title: Vårdrelaterade infektioner (ECDC)
    measure_type: resultat
    focus_area: 1
    unit: percent
    direction: lower
    comparable_with: []
    valid_from: 2026-01-01
"""


def test_import_is_an_idempotent_upsert(national_user):
    first = services.import_measures(NEW.encode(), "nya.yaml", actor=Actor.cli(national_user))
    assert first.outcome == Import.Outcome.OK
    assert (first.result.created, first.result.updated) == ([("fall-med-skada", 1), ("vri", 2)], [])
    assert Measure.objects.count() == 16 and Measure.objects.filter(code="vri").count() == 2
    before = snapshot()
    again = services.import_measures(NEW.encode(), "nya.yaml", actor=Actor.cli(national_user))
    assert again.outcome == Import.Outcome.UNCHANGED and len(again.result.unchanged) == 2
    assert snapshot() == before
    changed = services.import_measures(NEW.replace("Antal fall med skada.", "Fall med skada.").encode(), "nya.yaml",
                                       actor=Actor.cli(national_user))
    assert changed.result.updated == [("fall-med-skada", 1)]
    assert Measure.objects.get(code="fall-med-skada").numerator_definition == "Fall med skada."
    records = list(Import.objects.filter(kind="measures").order_by("id").values_list("outcome", "rows", "uploaded_by"))
    assert records == [("ok", 2, national_user.pk), ("unchanged", 2, national_user.pk), ("ok", 2, national_user.pk)]
    assert AuditEvent.objects.filter(action="catalogue.import", user=national_user).count() == 3


def test_exported_catalogue_imports_as_unchanged(national_user):
    data = io.dump_csv(Measure.objects.select_related("focus_area", "foundation").order_by("code"))
    result = services.import_measures(data, "matt-katalog.csv", actor=Actor.cli(national_user))
    assert result.outcome == Import.Outcome.UNCHANGED and len(result.result.unchanged) == 14


BAD = {
    "unknown unit": NEW.replace("unit: per_1000", "unit: promille"),
    "focus area 7": NEW.replace("focus_area: 1\n    unit: per_1000", "focus_area: 7\n    unit: per_1000"),
    "missing direction": NEW.replace("    direction: lower\n    numerator", "    numerator"),
    "duplicate": NEW + NEW.split("\n", 1)[1],
    "bad date": NEW.replace("2026-01-01", "2026-02-30"),
    "end before start": NEW + "    valid_to: 2025-12-31\n",
    "bad slug": NEW.replace("code: fall-med-skada", "code: Fall med skada"),
    "empty": "",
    "csv with an unknown direction": "code;title;measure_type;unit;direction\nny;Ny;process;count;uppåt\n",
    "csv with an unknown column": "code;title;measure_type;unit;direction;färg\nny;Ny;process;count;lower;röd\n",
}


@pytest.mark.parametrize("name", BAD)
def test_refused_import_changes_nothing_and_is_recorded(name, national_user):
    before = snapshot()
    file_name = "dålig.csv" if name.startswith("csv") else "dålig.yaml"
    with pytest.raises(InputError) as exc:
        services.import_measures(BAD[name].encode(), file_name, actor=Actor.cli(national_user))
    assert all(p.file == file_name for p in exc.value.problems)
    assert snapshot() == before
    record = Import.objects.get(kind="measures")
    assert record.outcome == Import.Outcome.FAILED and record.problems
    assert record.problems[0]["message"] == exc.value.problems[0].message
    assert AuditEvent.objects.filter(action="catalogue.import.refused").count() == 1


def test_a_bad_row_refuses_the_good_rows_too(national_user):
    text = NEW.replace("unit: percent", "unit: procentenheter")
    with pytest.raises(InputError) as exc:
        services.import_measures(text.encode(), "k.yaml", actor=Actor.cli(national_user))
    (p,) = exc.value.problems
    assert (p.row, p.column, p.value) == (16, "measures[1] (vri).unit", "procentenheter")
    assert not Measure.objects.filter(code="fall-med-skada").exists()


def test_reader_may_not_import(national_reader):
    with pytest.raises(PermissionDenied):
        services.import_measures(NEW.encode(), "nya.yaml", actor=Actor.cli(national_reader))
    assert Measure.objects.count() == 14 and not Import.objects.filter(kind="measures").exists()


def test_unit_of_a_version_with_data_cannot_change(national_user):
    from lagesbild.measurements.models import Observation

    vri = Measure.objects.get(code="vri")
    Observation.objects.create(measure=vri, org_unit=OrgUnit.objects.get(code="08"), period_start="2025-01-01",
                               granularity="tertial", numerator=3, denominator=50)
    data = io.dump_yaml([io.spec_from_measure(vri)]).replace("unit: percent", "unit: per_1000")
    with pytest.raises(InputError) as exc:
        services.import_measures(data.encode(), "vri.yaml", actor=Actor.cli(national_user))
    (p,) = exc.value.problems
    assert (p.column, p.value) == ("unit", "per_1000") and "ny version" in p.message
    assert Measure.objects.get(code="vri").unit == "percent"
    # A new version may use another unit.
    services.import_measures(data.replace("version: 1", "version: 2").encode(), "vri.yaml", actor=Actor.cli(national_user))
    assert Measure.objects.get(code="vri", version=2).unit == "per_1000"
