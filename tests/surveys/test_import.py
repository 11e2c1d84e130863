"""The stored side: all-or-nothing import with provenance, idempotent re-import."""

import pytest

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import, sha256
from lagesbild.surveys.models import Survey, SurveyIndicator, SurveyRespondent
from lagesbild.surveys.selectors import compute_stored
from lagesbild.surveys.services import import_survey
from tests.conftest import PUBLISHED_2025

pytestmark = pytest.mark.django_db


def files(demo_dir):
    return (demo_dir / "sos-2025.yaml").read_bytes(), (demo_dir / "sos-2025-svar.csv").read_bytes()


def test_import_stores_everything_with_provenance(demo_dir, national_user):
    spec, resp = files(demo_dir)
    r = import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    assert r.outcome == "ok" and r.respondents == 21
    s = Survey.objects.get(key="sos-2025")
    assert s.responses_import.sha256 == sha256(resp) and s.responses_import.uploaded_by == national_user
    assert s.responses_import.encoding == "cp1252" and s.responses_import.rows == 21
    assert s.spec_import.sha256 == sha256(spec)
    assert SurveyIndicator.objects.filter(survey=s).count() == 9
    assert SurveyIndicator.objects.get(survey=s, key="UI8").focus_area.number == 4
    # Every respondent is linked to its region.
    rs = SurveyRespondent.objects.filter(survey=s)
    assert rs.count() == 21 and not rs.filter(org_unit__isnull=True).exists()
    assert rs.get(key="Region Kalmar län").org_unit.code == "08"
    stored = compute_stored(s)
    assert {i.spec.id: (str(i.percent), i.numerator, i.n) for i in stored.result.indicators} == PUBLISHED_2025


def test_reimport_of_the_same_files_changes_nothing(demo_dir, national_user):
    spec, resp = files(demo_dir)
    import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    before = list(SurveyRespondent.objects.values_list("pk", "key", "answers"))
    r = import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    assert r.outcome == "unchanged"
    assert list(SurveyRespondent.objects.values_list("pk", "key", "answers")) == before
    assert Import.objects.filter(outcome="unchanged").count() == 2


def test_new_version_replaces_the_answers(demo_dir, national_user):
    spec, resp = files(demo_dir)
    import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    lines = resp.decode("cp1252").split("\r\n")
    fields = lines[1].split(";")
    fields[4] = "Nej" if fields[4] != "Nej" else "Ja"  # Region Stockholm's F3
    text = "\r\n".join([lines[0], ";".join(fields), *lines[2:]])
    r = import_survey(spec, "sos-2025.yaml", text.encode("cp1252"), "sos-2025-svar-v2.csv", actor=Actor.cli(national_user))
    assert r.outcome == "ok"
    assert SurveyRespondent.objects.count() == 21
    assert Survey.objects.get().responses_import.file_name == "sos-2025-svar-v2.csv"
    assert SurveyRespondent.objects.get(key="Region Stockholm").answers["F3"] == fields[4]


@pytest.mark.parametrize(
    "mutate,needle",
    [
        (lambda t: t.replace(";F13", ";F13x"), "F13"),
        (lambda t: t + "Region Stockholm;Region;Ja;Ja;Ja;Ja;Nej;Ja;Ja;Ja;Ja;Ja;Ja;Ja;Ja;Nej;Ja;Ja;Ja\r\n", "förekommer redan"),
        (lambda t: t.replace("Region Gotland;Region;", "Region Gotland;Region;Kanske", 1), "Kanske"),
        (lambda t: "", "tom"),
    ],
    ids=["missing-column", "duplicate", "unknown-label", "empty"],
)
def test_a_bad_file_leaves_the_database_as_it_was(demo_dir, national_user, mutate, needle):
    spec, resp = files(demo_dir)
    import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    before = (list(Survey.objects.values_list("pk", "updated_at")), list(SurveyRespondent.objects.values_list("pk", "answers")))
    bad = mutate(resp.decode("cp1252")).encode("cp1252")
    with pytest.raises(InputError) as exc:
        import_survey(spec, "sos-2025.yaml", bad, "trasig.csv", actor=Actor.cli(national_user))
    assert needle in str(exc.value)
    after = (list(Survey.objects.values_list("pk", "updated_at")), list(SurveyRespondent.objects.values_list("pk", "answers")))
    assert after == before
    failed = Import.objects.filter(outcome="failed", file_name="trasig.csv").get()
    assert failed.problems and failed.problems[0]["file"] == "trasig.csv"
