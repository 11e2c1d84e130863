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


# --- The write path: actor, pipeline and audit in the service ---------------------------


def audit_events(action):
    from lagesbild.org.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_import_records_both_files_through_the_pipeline_with_the_actor(demo_dir, national_user):
    spec, resp = files(demo_dir)
    r = import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    s = r.survey
    for record, kind, rows in ((s.spec_import, "survey-spec", 9), (s.responses_import, "survey-responses", 21)):
        assert (record.kind, record.channel, record.uploaded_by, record.outcome) == (kind, "cli", national_user, "ok")
        assert (record.rows, record.created, record.target) == (rows, rows, "sos-2025")
    (event,) = audit_events("survey.import")
    assert (event.channel, event.username, event.object_id) == ("cli", "analytiker", str(s.responses_import.pk))
    assert event.detail["outcome"] == "ok" and event.detail["created"] == 21
    # The same files again: both recorded as unchanged, one more audit event.
    again = import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.system())
    assert again.outcome == "unchanged"
    assert [e.detail["outcome"] for e in audit_events("survey.import")] == ["ok", "unchanged"]
    assert audit_events("survey.import")[1].channel == "system"


def test_a_refused_import_is_recorded_once_with_its_located_problems(demo_dir, national_user):
    spec, resp = files(demo_dir)
    bad_spec = spec.replace(b"focus_area: 1", b"focus_area: 9")
    with pytest.raises(InputError):
        import_survey(bad_spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    (failed,) = Import.objects.all()
    assert failed.outcome == "failed" and failed.channel == "cli"
    assert [p["file"] for p in failed.problems] == ["sos-2025.yaml"] and "fokusområde" in failed.problems[0]["message"]
    (event,) = audit_events("survey.import.refused")
    assert event.detail == {"problems": 1} and not audit_events("survey.import")
    assert not Survey.objects.exists()


def test_only_a_national_administrator_or_strategist_may_import(demo_dir, kalmar_user, national_reader):
    from django.core.exceptions import PermissionDenied

    spec, resp = files(demo_dir)
    for user in (kalmar_user, national_reader):
        with pytest.raises(PermissionDenied):
            import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(user))
    assert not Survey.objects.exists() and not Import.objects.exists()


# --- Issue 8, item 2: respondents are units of the population's kind --------------------


def test_a_respondent_that_is_no_region_is_a_located_error(demo_dir, national_user):
    """'Region Atlantis' in Sörmland's place was counted nationally and Sörmland vanished."""
    spec, resp = files(demo_dir)
    bad = resp.replace("Region Sörmland;".encode("cp1252"), b"Region Atlantis;")
    with pytest.raises(InputError) as exc:
        import_survey(spec, "sos-2025.yaml", bad, "atlantis.csv", actor=Actor.cli(national_user))
    (problem,) = exc.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("atlantis.csv", 4, "respondent", "Region Atlantis")
    assert "ingen känd region" in problem.message
    assert not Survey.objects.exists()
    assert Import.objects.get().outcome == "failed"


def test_a_respondent_may_be_named_by_its_code(demo_dir, national_user):
    spec, resp = files(demo_dir)
    by_code = resp.replace("Region Sörmland;".encode("cp1252"), b"04;")
    import_survey(spec, "sos-2025.yaml", by_code, "kod.csv", actor=Actor.cli(national_user))
    assert SurveyRespondent.objects.get(key="04").org_unit.name == "Region Sörmland"


# --- Issue 8, item 9: focus areas of the survey's own action plan -------------------------


def test_focus_areas_are_linked_within_the_surveys_own_plan(demo_dir, national_user):
    """Another plan numbers its focus areas 1–5 too; a 2025 survey links the plan of 2025."""
    from lagesbild.catalogue.models import ActionPlan, FocusArea

    own = ActionPlan.objects.get(period_start__lte=2025, period_end__gte=2025)
    earlier = ActionPlan.objects.create(code="tidigare", title="Tidigare plan", period_start=2019, period_end=2024)
    for n in range(1, 6):
        FocusArea.objects.create(plan=earlier, number=n, name=f"Tidigare fokusområde {n}")
    spec, resp = files(demo_dir)
    import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    linked = SurveyIndicator.objects.filter(survey__key="sos-2025", focus_area__isnull=False)
    assert linked.count() == 9 and {i.focus_area.plan_id for i in linked} == {own.pk}
    # A 2024 survey belongs to the plan in force in 2024.
    import_survey((demo_dir / "sos-2024.yaml").read_bytes(), "sos-2024.yaml",
                  (demo_dir / "sos-2024-svar.xlsx").read_bytes(), "sos-2024-svar.xlsx", actor=Actor.cli(national_user))
    ui1 = SurveyIndicator.objects.get(survey__key="sos-2024", key="UI1")
    assert ui1.focus_area.plan_id == earlier.pk and ui1.focus_area.name == "Tidigare fokusområde 1"


# --- Issue 8, item 12: the result cache --------------------------------------------------


def test_the_result_cache_keeps_no_model_instances(demo_dir, national_user):
    from django.db.models import Model

    from lagesbild.surveys import selectors

    selectors._CACHE.clear()
    spec, resp = files(demo_dir)
    r = import_survey(spec, "sos-2025.yaml", resp, "sos-2025-svar.csv", actor=Actor.cli(national_user))
    stored = compute_stored(r.survey)
    assert stored.unit_ids["Region Kalmar län"] is not None

    def models_in(value, depth=0):
        if isinstance(value, Model):
            return [value]
        if depth > 3:
            return []
        if isinstance(value, dict):
            return [m for k, v in value.items() for m in models_in(k, depth + 1) + models_in(v, depth + 1)]
        if isinstance(value, (list, tuple)):
            return [m for v in value for m in models_in(v, depth + 1)]
        return []

    assert selectors._CACHE.values() and not models_in(selectors._CACHE.values())


def test_the_result_cache_is_safe_across_threads(demo_dir, national_user):
    """Many threads reading and evicting at once: every answer is right, nothing raises."""
    from concurrent.futures import ThreadPoolExecutor

    from lagesbild.surveys import selectors

    cache = selectors._ResultCache(size=2)
    keys = [(i,) for i in range(6)]

    def work(n):
        for i in range(2000):
            key = keys[(n + i) % len(keys)]
            hit = cache.get(key)
            if hit is None:
                cache.put(key, key * 2)
            else:
                assert hit == key * 2
        return True

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(8)))
    assert len(cache.values()) <= 2
