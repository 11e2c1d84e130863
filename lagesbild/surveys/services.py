"""Changing stored surveys: the all-or-nothing import with provenance.

A survey import reads two files through the one ingest pipeline. The responses file's run
holds the whole import: its transaction, its outcome and its audit event ("survey.import" or
"survey.import.refused"). The specification gets its own run inside it, opened once both files
have been read and checked, so a stored survey names the Import of each file. A refused import
is recorded once, as a refused responses import whose located problems name the file at fault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from django.db import connection

from lagesbild.catalogue.models import ActionPlan, FocusArea
from lagesbild.core.actor import Actor
from lagesbild.ingest import pipeline
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.models import Import, sha256
from lagesbild.org import audit, permissions
from lagesbild.org.models import Membership, OrgUnit

from . import responses as responses_mod
from .models import Survey, SurveyIndicator, SurveyRespondent
from .spec import SurveySpec, norm, parse_spec

KIND_SPEC = "survey-spec"
KIND_RESPONSES = "survey-responses"
UPLOAD_ROLES = {Membership.Role.ADMIN, Membership.Role.STRATEGIST}


@dataclass
class ImportResult:
    survey: Survey
    outcome: str  # Import.Outcome
    respondents: int


def parse(spec_bytes: bytes, spec_name: str, responses_bytes: bytes, responses_name: str):
    """Read and validate both files; raise InputError with every located problem."""
    from lagesbild.ingest.readers import read_table
    from lagesbild.ingest.tabular import decode

    if not spec_bytes.strip():
        raise InputError.one(spec_name, "filen är tom")
    text, _ = decode(spec_bytes, spec_name)
    spec = parse_spec(text, spec_name)
    table = read_table(responses_bytes, responses_name)
    return spec, responses_mod.validate(spec, table)


def population_kind(population: Optional[str]) -> Optional[str]:
    """The kind of organisation unit a population names ('region' -> OrgUnit.Kind.REGION), if any."""
    fold = norm(population or "")
    return fold if fold in OrgUnit.Kind.values else None


def _unit_matcher():
    """Without a population kind, link a respondent to a region, kommun or the nation when its
    code or name matches (case-folded); an unmatched respondent is stored unlinked."""
    units = OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.REGION, OrgUnit.Kind.KOMMUN, OrgUnit.Kind.NATION])
    by_key: dict[str, int] = {}
    for u in units.order_by("valid_to", "pk"):
        by_key.setdefault(norm(u.code), u.pk)
        by_key.setdefault(norm(u.name), u.pk)
        if u.kind == OrgUnit.Kind.KOMMUN:
            by_key.setdefault(norm(f"{u.name} kommun"), u.pk)
    return lambda key: by_key.get(norm(key))


def link_respondents(spec: SurveySpec, resp) -> dict[str, Optional[int]]:
    """Respondent key -> org unit id. When the population names a kind of organisation unit,
    every respondent in it must be one of those units by code or exact name: otherwise a
    located error (a respondent nobody knows would be counted nationally in someone's place)."""
    kind = population_kind(spec.population)
    if kind is None:
        match = _unit_matcher()
        return {r.key: match(r.key) for group in (resp.respondents, resp.outside_population) for r in group}
    by_key: dict[str, int] = {}
    for code, name, pk in OrgUnit.objects.filter(kind=kind).order_by("valid_to", "pk").values_list("code", "name", "pk"):
        by_key.setdefault(code, pk)
        by_key.setdefault(name, pk)
    problems = ProblemList()
    links: dict[str, Optional[int]] = {r.key: None for r in resp.outside_population}
    label = OrgUnit.Kind(kind).label.lower()
    for r in resp.respondents:
        unit = by_key.get(r.key.strip())
        if unit is None:
            problems.add(resp.file, f"respondenten är ingen känd {label}; ange enhetens kod eller exakta namn",
                         row=r.row, column=responses_mod.RESPONDENT, value=r.key)
        links[r.key] = unit
    problems.raise_if_any()
    return links


def plan_for_year(year: int) -> Optional[ActionPlan]:
    """The survey's own action plan: the national plan in force in its year, else the one
    nearest in time (a survey before a plan's first year measures its starting point)."""
    plans = list(ActionPlan.objects.all())

    def distance(p: ActionPlan) -> tuple[int, int]:
        gap = p.period_start - year if year < p.period_start else max(0, year - p.period_end)
        return gap, -p.period_start
    return min(plans, key=distance, default=None)


def focus_areas_for(year: int) -> dict[int, FocusArea]:
    plan = plan_for_year(year)
    return {} if plan is None else {fa.number: fa for fa in FocusArea.objects.filter(plan=plan)}


def _same_files(spec_hash: str, resp_hash: str) -> Survey | None:
    """The stored survey whose current files are exactly these, if any: a re-import is a no-op."""
    return (
        Survey.objects.filter(spec_import__sha256=spec_hash, responses_import__sha256=resp_hash)
        .select_related("spec_import", "responses_import")
        .first()
    )


def _nation() -> Optional[OrgUnit]:
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.NATION, parent__isnull=True).first()


def import_survey(
    spec_bytes: bytes, spec_name: str, responses_bytes: bytes, responses_name: str, *, actor: Actor
) -> ImportResult:
    """Store a survey and its responses in one transaction, or nothing at all.

    Needs a national administrator or strategist (or the system). Re-importing the same two
    files changes nothing and is recorded as 'unchanged'. A new version of either file replaces
    the survey's indicators and respondents as a whole. A refused import is recorded (file
    name, hash, located problems) but writes no facts.
    """
    permissions.require(actor, UPLOAD_ROLES, _nation())

    with pipeline.run(KIND_RESPONSES, responses_name, responses_bytes, actor,
                      audit=audit.import_hook(actor, "survey.import")) as run:
        same = _same_files(sha256(spec_bytes), run.sha256)
        if same is not None:
            return _unchanged(run, same, spec_name, spec_bytes, actor)
        spec, resp = parse(spec_bytes, spec_name, responses_bytes, responses_name)
        links = link_respondents(spec, resp)
        with pipeline.run(KIND_SPEC, spec_name, spec_bytes, actor, target=spec.id) as spec_run:
            spec_import = spec_run.start(rows=len(spec.indicators))
            spec_run.finish(created=len(spec.indicators))
        n_rows = len(resp.respondents) + len(resp.outside_population)
        resp_import = run.start(rows=n_rows, encoding=resp.encoding, target=spec.id)
        survey = _store(spec, resp, links, spec_import, resp_import)
        run.finish(created=n_rows)
    return ImportResult(survey, Import.Outcome.OK, len(resp.respondents))


def _unchanged(run, same: Survey, spec_name: str, spec_bytes: bytes, actor: Actor) -> ImportResult:
    """Record both files as imported again without change."""
    prior_spec, prior_resp = same.spec_import, same.responses_import
    with pipeline.run(KIND_SPEC, spec_name, spec_bytes, actor, target=same.key) as spec_run:
        spec_run.start(rows=prior_spec.rows)
        spec_run.finish(unchanged=prior_spec.rows)
    run.start(rows=prior_resp.rows, encoding=prior_resp.encoding, target=same.key)
    run.finish(unchanged=prior_resp.rows)
    return ImportResult(same, Import.Outcome.UNCHANGED, same.respondents.filter(in_population=True).count())


def _store(spec: SurveySpec, resp, links: dict, spec_import: Import, resp_import: Import) -> Survey:
    fields = dict(
        title=spec.title, year=spec.year, population=spec.population or "",
        comparable_with=list(spec.comparable_with), spec_yaml=spec.source,
        spec_import=spec_import, responses_import=resp_import,
    )
    existing = Survey.objects.select_for_update().filter(key=spec.id).first()
    if existing:
        for k, v in fields.items():
            setattr(existing, k, v)
        existing.save()
        existing.indicators.all().delete()
        existing.respondents.all().delete()
        survey = existing
    else:
        survey = Survey.objects.create(key=spec.id, **fields)
    areas = focus_areas_for(spec.year)
    SurveyIndicator.objects.bulk_create(
        SurveyIndicator(
            survey=survey, key=ind.id, position=i, title=ind.title, focus_area=areas.get(ind.focus_area),
            statement=ind.statement, missing_mode=ind.missing, rule=ind.rule_source,
        )
        for i, ind in enumerate(spec.indicators)
    )
    rows = [
        (survey.pk, r.key, r.type, links.get(r.key), r.row, r.answers, inside)
        for inside, group in ((True, resp.respondents), (False, resp.outside_population))
        for r in group
    ]
    _insert_respondents(rows)
    return survey


RESPONDENT_COLUMNS = ("survey_id", "key", "respondent_type", "org_unit_id", "row", "answers", "in_population")


def _insert_respondents(rows: list[tuple]) -> None:
    """Store the respondents. On PostgreSQL through COPY, the answers as JSON text: Django's
    bulk_create sends a JSONField through ``UNNEST(jsonb[])``, which took most of a large import."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(SurveyRespondent._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in RESPONDENT_COLUMNS)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for survey_id, key, rtype, unit, row, answers, inside in rows:
                    copy.write_row((survey_id, key, rtype, unit, row, json.dumps(answers, ensure_ascii=False), inside))
        return
    SurveyRespondent.objects.bulk_create(
        (SurveyRespondent(**dict(zip(RESPONDENT_COLUMNS, row))) for row in rows), batch_size=2000
    )
