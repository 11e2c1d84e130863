"""Changing stored surveys: the all-or-nothing import with provenance."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from lagesbild.catalogue.models import FocusArea
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import, sha256
from lagesbild.ingest.readers import read_table
from lagesbild.org.models import OrgUnit

from . import responses as responses_mod
from .models import Survey, SurveyIndicator, SurveyRespondent
from .spec import SurveySpec, norm, parse_spec

log = logging.getLogger(__name__)
KIND_SPEC = "survey-spec"
KIND_RESPONSES = "survey-responses"


@dataclass
class ImportResult:
    survey: Survey
    outcome: str  # Import.Outcome
    respondents: int


def parse(spec_bytes: bytes, spec_name: str, responses_bytes: bytes, responses_name: str):
    """Read and validate both files; raise InputError with every located problem."""
    from lagesbild.ingest.tabular import decode

    if not spec_bytes.strip():
        raise InputError.one(spec_name, "filen är tom")
    text, _ = decode(spec_bytes, spec_name)
    spec = parse_spec(text, spec_name)
    table = read_table(responses_bytes, responses_name)
    return spec, responses_mod.validate(spec, table)


def _unit_matcher():
    """Match a respondent to an org unit by code or by name, case-folded."""
    units = OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.REGION, OrgUnit.Kind.KOMMUN, OrgUnit.Kind.NATION])
    by_key: dict[str, OrgUnit] = {}
    for u in units:
        by_key.setdefault(norm(u.code), u)
        by_key.setdefault(norm(u.name), u)
        if u.kind == OrgUnit.Kind.KOMMUN:
            by_key.setdefault(norm(f"{u.name} kommun"), u)
    return lambda key: by_key.get(norm(key))


def _record_failure(exc: InputError, spec_name, spec_bytes, responses_name, responses_bytes, user) -> None:
    problems = [p.as_dict() for p in exc.problems]
    for kind, name, data in ((KIND_SPEC, spec_name, spec_bytes), (KIND_RESPONSES, responses_name, responses_bytes)):
        Import.objects.create(
            kind=kind, file_name=name[:255], sha256=sha256(data), size=len(data), uploaded_by=user,
            outcome=Import.Outcome.FAILED, problems=[p for p in problems if p["file"] == name],
        )


def _same_files(spec_hash: str, resp_hash: str) -> Survey | None:
    """The stored survey whose current files are exactly these, if any: a re-import is a no-op."""
    return (
        Survey.objects.filter(spec_import__sha256=spec_hash, responses_import__sha256=resp_hash)
        .select_related("spec_import", "responses_import")
        .first()
    )


def import_survey(
    spec_bytes: bytes, spec_name: str, responses_bytes: bytes, responses_name: str, user=None
) -> ImportResult:
    """Store a survey and its responses in one transaction, or nothing at all.

    Re-importing the same two files changes nothing and is recorded as 'unchanged'. A new
    version of either file replaces the survey's indicators and respondents as a whole.
    A refused import is recorded (file names, hashes, problems) but writes no facts.
    """
    spec_hash, resp_hash = sha256(spec_bytes), sha256(responses_bytes)
    same = _same_files(spec_hash, resp_hash)
    if same is not None:
        for kind, name, h, data, prior in (
            (KIND_SPEC, spec_name, spec_hash, spec_bytes, same.spec_import),
            (KIND_RESPONSES, responses_name, resp_hash, responses_bytes, same.responses_import),
        ):
            Import.objects.create(kind=kind, file_name=name[:255], sha256=h, size=len(data), uploaded_by=user,
                                  rows=prior.rows, outcome=Import.Outcome.UNCHANGED, target=same.key,
                                  encoding=prior.encoding)
        return ImportResult(same, Import.Outcome.UNCHANGED, same.respondents.filter(in_population=True).count())
    try:
        spec, resp = parse(spec_bytes, spec_name, responses_bytes, responses_name)
    except InputError as exc:
        _record_failure(exc, spec_name, spec_bytes, responses_name, responses_bytes, user)
        log.info("survey import refused: %d problems", len(exc.problems))
        raise
    with transaction.atomic():
        existing = Survey.objects.select_for_update().filter(key=spec.id).first()
        n_rows = len(resp.respondents) + len(resp.outside_population)
        spec_import = Import.objects.create(
            kind=KIND_SPEC, file_name=spec_name[:255], sha256=spec_hash, size=len(spec_bytes), uploaded_by=user,
            rows=len(spec.indicators), outcome=Import.Outcome.OK, target=spec.id,
        )
        resp_import = Import.objects.create(
            kind=KIND_RESPONSES, file_name=responses_name[:255], sha256=resp_hash, size=len(responses_bytes),
            uploaded_by=user, rows=n_rows, outcome=Import.Outcome.OK, target=spec.id, encoding=resp.encoding,
        )
        survey = _store(spec, resp, existing, spec_import, resp_import)
    log.info("survey %s imported: %d respondents, %d indicators", spec.id, len(resp.respondents), len(spec.indicators))
    return ImportResult(survey, Import.Outcome.OK, len(resp.respondents))


def _store(spec: SurveySpec, resp, existing: Survey | None, spec_import: Import, resp_import: Import) -> Survey:
    fields = dict(
        title=spec.title, year=spec.year, population=spec.population or "",
        comparable_with=list(spec.comparable_with), spec_yaml=spec.source,
        spec_import=spec_import, responses_import=resp_import,
    )
    if existing:
        for k, v in fields.items():
            setattr(existing, k, v)
        existing.save()
        existing.indicators.all().delete()
        existing.respondents.all().delete()
        survey = existing
    else:
        survey = Survey.objects.create(key=spec.id, **fields)
    areas = {fa.number: fa for fa in FocusArea.objects.all()}
    SurveyIndicator.objects.bulk_create(
        SurveyIndicator(
            survey=survey, key=ind.id, position=i, title=ind.title, focus_area=areas.get(ind.focus_area),
            statement=ind.statement, missing_mode=ind.missing, rule=ind.rule_source,
        )
        for i, ind in enumerate(spec.indicators)
    )
    match = _unit_matcher()
    SurveyRespondent.objects.bulk_create(
        (
            SurveyRespondent(
                survey=survey, key=r.key, respondent_type=r.type, org_unit=match(r.key), row=r.row,
                answers=r.answers, in_population=inside,
            )
            for inside, group in ((True, resp.respondents), (False, resp.outside_population))
            for r in group
        ),
        batch_size=2000,
    )
    return survey
