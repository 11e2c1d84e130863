"""Patient records into the database: pseudonymised at once, incremental, all or nothing, and
the four measures written as observations derived from the import, equal to `patients compute`."""

from __future__ import annotations

import logging
import re
from collections import defaultdict

import pytest
from django.apps import apps
from django.db import connection

from lagesbild.calc import localtime
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.measurements.models import Observation
from lagesbild.org.models import OrgUnit
from lagesbild.patients import keys, services
from lagesbild.patients.models import Assessment, Episode, PreventiveAction
from tests.patients import files

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
KEY = keys.PseudonymKey("k1", b"a test key that is long enough to be used here")
AS_OF = localtime.parse(files.AS_OF)
CODES = ("riskbedomning-70-24h", "atgard-24h-fallrisk", "atgard-24h-trycksar", "atgard-24h-undernaring")


@pytest.fixture
def wards(db):
    region = OrgUnit.objects.get(code="08")
    return {code: OrgUnit.objects.create(code=code, name=f"Avdelning {code}", kind="enhet", parent=region)
            for code in ("AVD1", "AVD2")}


def _sources(folder, **rows):
    paths = files.write_scenario(folder, **rows)
    return {name: (path.read_bytes(), path.name) for name, path in paths.items()}


def _import(sources, actor=SYSTEM, key=KEY):
    return services.import_records(sources, actor=actor, key=key, as_of=AS_OF)


def _derived() -> list[tuple]:
    """The stored observations of the four measures, summed over sex as `patients compute` reports them."""
    found = defaultdict(lambda: {"K": [0, 0], "M": [0, 0]})
    for code, unit, start, sex, num, den in Observation.objects.filter(measure__code__in=CODES).values_list(
            "measure__code", "org_unit__code", "period_start", "sex", "numerator", "denominator"):
        found[(code, unit, start.strftime("%Y-%m"))][sex] = [num, den]
    out = []
    for (code, unit, period), by_sex in found.items():
        out.append((code, unit, period, sum(v[0] for v in by_sex.values()), sum(v[1] for v in by_sex.values()),
                    by_sex))
    return sorted(out, key=lambda r: (CODES.index(r[0]), r[1], r[2]))


def test_the_import_writes_the_same_figures_as_patients_compute(tmp_path, wards):
    result = _import(_sources(tmp_path))
    assert result.episodes["created"] == 7 and result.outcome == Import.Outcome.OK
    assert _derived() == [tuple(row) for row in files.EXPECTED]
    # derived: every observation points at the patient import, split by sex only
    rows = Observation.objects.filter(measure__code__in=CODES)
    assert {o.source_import_id for o in rows} == {result.record.pk} and result.record.kind == services.KIND
    assert set(rows.values_list("sex", flat=True)) == {"K", "M"}


def test_no_identity_number_reaches_the_database_or_the_log(tmp_path, wards, caplog):
    caplog.set_level(logging.DEBUG)
    _import(_sources(tmp_path))
    digits = {re.sub(r"\D", "", n) for n in files.IDENTITY_NUMBERS}
    digits |= {d[2:] for d in digits if len(d) == 12}  # the 10-digit forms as well
    stored = []
    for model in apps.get_models():
        for row in model.objects.all().values_list():
            stored.extend(str(v) for v in row)
    text = " ".join(stored) + caplog.text
    assert not [d for d in digits if d in re.sub(r"\D", "", " ".join(stored)) or d in text]
    pseudonyms = set(Episode.objects.values_list("pseudonym", flat=True))
    assert all(p.startswith("k1:") and len(p) == 3 + 64 for p in pseudonyms)
    # the woman admitted twice has one pseudonym; five people in all
    assert len(pseudonyms) == 6 and Episode.objects.get(episode="E1").pseudonym == Episode.objects.get(episode="E7").pseudonym
    if connection.vendor == "sqlite" and hasattr(connection.connection, "iterdump"):
        dump = "\n".join(connection.connection.iterdump())
        assert not [d for d in digits if d in re.sub(r"[-+ ]", "", dump)]


def test_the_same_files_again_change_nothing(tmp_path, wards):
    first = _import(_sources(tmp_path))
    stamps = dict(Observation.objects.values_list("pk", "updated_at"))
    again = _import(_sources(tmp_path))
    assert again.outcome == Import.Outcome.UNCHANGED and again.episodes["unchanged"] == 7
    assert again.assessments == {"created": 0, "deleted": 0} and again.observations["created"] == 0
    assert again.observations["updated"] == 0 and dict(Observation.objects.values_list("pk", "updated_at")) == stamps
    assert Observation.objects.filter(source_import=first.record).count() == len(stamps)


def test_a_record_that_comes_again_updates_in_place_and_a_deletion_is_honoured(tmp_path, wards):
    _import(_sources(tmp_path))
    # E2's trycksår assessment corrected to within 24 h of admission, E7 deleted; only those files
    corrected = [["E2", "fall", "2025-01-20 13:00", "Nej"], ["E2", "trycksar", "2025-01-21 11:00", "Ja"],
                 ["E2", "undernaring", "2025-01-20 14:00", "Nej"]]
    header = files.ASSESSMENT_HEADER
    path = files.write_csv(tmp_path / "rattelse.csv", header, corrected)
    result = _import({"assessments": (path.read_bytes(), path.name)})
    assert result.assessments == {"created": 2, "deleted": 1}
    assert Assessment.objects.filter(episode__episode="E1").count() == 3  # not named: untouched
    derived = {r[:3]: r[3:5] for r in _derived()}
    assert derived[("riskbedomning-70-24h", "AVD1", "2025-01")] == (2, 2)
    deletion = files.write_csv(tmp_path / "borttag.csv", [*files.EPISODE_HEADER, "deleted"],
                               [["E7", "", "", "", "", "Ja"]])
    result = _import({"episodes": (deletion.read_bytes(), deletion.name)})
    assert result.episodes["deleted"] == 1 and not Episode.objects.filter(episode="E7").exists()
    derived = {r[:3]: r[3:5] for r in _derived()}
    assert ("riskbedomning-70-24h", "AVD1", "2025-02") not in derived  # its only episode is gone
    assert Episode.objects.count() == 6 and PreventiveAction.objects.count() == 3


def test_without_the_key_nothing_is_read_or_stored(tmp_path, wards, monkeypatch):
    monkeypatch.delenv(keys.ENV, raising=False)
    with pytest.raises(InputError) as caught:
        services.import_records(_sources(tmp_path), actor=SYSTEM)
    assert keys.ENV in str(caught.value.problems[0])
    assert not Episode.objects.exists() and not Import.objects.filter(kind=services.KIND).exists()


@pytest.mark.parametrize("value", ["", "k1", "k1:short", "bad id!:" + "x" * 40])
def test_a_malformed_key_is_refused_without_echoing_the_secret(value, monkeypatch):
    monkeypatch.setenv(keys.ENV, value)
    with pytest.raises(keys.KeyMissing) as caught:
        keys.from_environment()
    assert ("x" * 40) not in str(caught.value) and "short" not in str(caught.value)


def test_an_unknown_unit_and_a_unit_outside_the_users_scope_are_refused_with_their_row(tmp_path, wards):
    from tests.conftest import _user

    rows = [list(r) for r in files.EPISODES]
    rows[1][2] = "AVD9"
    with pytest.raises(InputError) as caught:
        _import(_sources(tmp_path, episodes=rows))
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == ("episodes.csv", 3, "unit", "AVD9")
    assert not Episode.objects.exists()
    refused = Import.objects.get(kind=services.KIND, outcome=Import.Outcome.FAILED)
    assert "AVD9" in str(refused.problems)
    skane = _user("strateg-skane", "12", "strategist")
    with pytest.raises(InputError) as caught:
        _import(_sources(tmp_path), actor=Actor.cli(skane))
    assert "behörighet" in caught.value.problems[0].message and not Episode.objects.exists()


def test_purge_removes_old_episodes_and_keeps_their_figures(tmp_path, wards):
    from datetime import date

    _import(_sources(tmp_path))
    before = _derived()
    removed = services.purge(1, actor=SYSTEM, today=date(2025, 3, 15))  # discharged before 1 February
    assert removed == 1 and not Episode.objects.filter(episode="E1").exists()
    assert Assessment.objects.filter(episode__episode="E1").count() == 0
    assert _derived() == before


def test_the_cli_imports_with_the_key_from_the_environment(tmp_path, wards, monkeypatch, capsys):
    from lagesbild.cli import main

    monkeypatch.setenv(keys.ENV, "demo:" + "s" * 40)
    paths = files.write_scenario(tmp_path)
    code = main(["patients", "import", "--episodes", str(paths["episodes"]), "--assessments",
                 str(paths["assessments"]), "--actions", str(paths["actions"]), "--as-of", files.AS_OF, "--system"])
    assert code == 0 and "7 nya" in capsys.readouterr().out
    assert _derived() == [tuple(row) for row in files.EXPECTED]
    assert main(["patients", "import", "--episodes", str(paths["episodes"])]) == 2  # neither --user nor --system


def test_another_regions_user_cannot_touch_stored_episodes_through_the_other_files(tmp_path, wards):
    from tests.conftest import _user

    _import(_sources(tmp_path))
    skane = Actor.cli(_user("strateg-skane2", "12", "strategist"))
    path = files.write_csv(tmp_path / "intrang.csv", files.ASSESSMENT_HEADER, [["E1", "fall", "2025-01-10 09:30", "Ja"]])
    with pytest.raises(InputError) as caught:
        _import({"assessments": (path.read_bytes(), path.name)}, actor=skane)
    assert "behörighet" in caught.value.problems[0].message and caught.value.problems[0].value == "E1"
    deletion = files.write_csv(tmp_path / "bort.csv", [*files.EPISODE_HEADER, "deleted"], [["E1", "", "", "", "", "Ja"]])
    with pytest.raises(InputError):
        _import({"episodes": (deletion.read_bytes(), deletion.name)}, actor=skane)
    assert Assessment.objects.filter(episode__episode="E1").count() == 3 and Episode.objects.filter(episode="E1").exists()
    # nor take over a stored episode by sending it again on a ward of their own
    OrgUnit.objects.create(code="12-AVD", name="Skånes avdelning", kind="enhet", parent=OrgUnit.objects.get(code="12"))
    rows = [list(files.EPISODES[0])]
    rows[0][2] = "12-AVD"
    taken = files.write_csv(tmp_path / "tagen.csv", files.EPISODE_HEADER, rows)
    with pytest.raises(InputError):
        _import({"episodes": (taken.read_bytes(), taken.name)}, actor=skane)
    assert Episode.objects.get(episode="E1").unit.code == "AVD1"


FIFTH = """
measures:
  - code: riskbedomning-70-24h
    population: {min_age: 70, hours: 24}
    window: {from: admission, hours: 24}
    needs: {assessment: [fall, trycksar, undernaring]}
  - code: hud-och-risk-65-24h
    title: Hud- och riskbedömning inom 24 timmar, 65 år och äldre
    population: {min_age: 65, hours: 24}
    window: {from: admission, hours: 24}
    needs: {assessment: [fall, trycksar, undernaring]}
"""


def test_a_regions_fifth_measure_is_written_without_code(tmp_path, wards, settings):
    """A measures file with a fifth measure (age limit 65): the import writes it as observations
    like the standard ones; E3 (a woman of 69, assessed for fall only) joins its denominator."""
    from lagesbild.catalogue.models import Measure

    (tmp_path / "matt.yaml").write_text(FIFTH, encoding="utf-8")
    settings.LAGESBILD_PATIENT_MEASURES = str(tmp_path / "matt.yaml")
    Measure.objects.create(code="hud-och-risk-65-24h", title="Hud- och riskbedömning inom 24 timmar, 65 år och äldre",
                           measure_type="process", unit="percent", direction="higher", decimals=1)
    _import(_sources(tmp_path))
    got = {(unit, f"{start:%Y-%m}", sex): (num, den) for unit, start, sex, num, den in Observation.objects.filter(
        measure__code="hud-och-risk-65-24h").values_list("org_unit__code", "period_start", "sex", "numerator", "denominator")}
    assert got == {("AVD1", "2025-01", "K"): (1, 2), ("AVD1", "2025-01", "M"): (0, 1),
                   ("AVD1", "2025-02", "K"): (0, 1), ("AVD2", "2025-01", "K"): (1, 1)}
    assert Observation.objects.filter(measure__code="riskbedomning-70-24h").count() == 4


def test_a_measure_missing_from_the_catalogue_stops_the_import_with_its_code(tmp_path, wards, settings):
    (tmp_path / "matt.yaml").write_text(FIFTH, encoding="utf-8")
    settings.LAGESBILD_PATIENT_MEASURES = str(tmp_path / "matt.yaml")
    with pytest.raises(InputError) as caught:
        _import(_sources(tmp_path))
    assert caught.value.problems[0].value == "hud-och-risk-65-24h"
    assert "finns inte i katalogen" in caught.value.problems[0].message
    assert not Episode.objects.exists()
