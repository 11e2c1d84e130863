"""Reading stored surveys: rebuild the pure specification and responses, then compute."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

from lagesbild.org import scope

from . import engine
from .models import Survey, SurveyRespondent
from .responses import Respondent, Responses
from .spec import parse_spec


@dataclass
class StoredResult:
    survey: Survey
    result: engine.SurveyResult
    units: dict[str, object]  # respondent key -> OrgUnit or None


_CACHE: "OrderedDict[tuple, StoredResult]" = OrderedDict()
CACHE_SIZE = 8


def compute_stored(survey: Survey) -> StoredResult:
    """The survey's computed result. Kept per (survey, spec import, responses import): a new
    import creates new Import rows, so a stale result can never be served."""
    key = (survey.pk, survey.spec_import_id, survey.responses_import_id)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return StoredResult(survey, hit.result, hit.units)
    stored = _compute_stored(survey)
    _CACHE[key] = stored
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return stored


def _compute_stored(survey: Survey) -> StoredResult:
    spec = parse_spec(survey.spec_yaml, survey.spec_import.file_name)
    rows = list(SurveyRespondent.objects.filter(survey=survey).select_related("org_unit").order_by("row"))
    inside = [Respondent(r.key, r.respondent_type, r.row, r.answers) for r in rows if r.in_population]
    outside = [Respondent(r.key, r.respondent_type, r.row, r.answers) for r in rows if not r.in_population]
    responses = Responses(survey.responses_import.file_name, inside, outside, list(spec.questions))
    return StoredResult(survey, engine.compute(spec, responses), {r.key: r.org_unit for r in rows})


def previous_comparable(survey: Survey) -> Optional[Survey]:
    """The latest earlier survey this one declares itself comparable with, if stored."""
    ids = survey.comparable_with or []
    if not ids:
        return None
    return (
        Survey.objects.filter(key__in=ids, year__lt=survey.year)
        .select_related("spec_import", "responses_import")
        .order_by("-year")
        .first()
    )


def previous_survey(survey: Survey) -> Optional[Survey]:
    """The latest earlier survey of any kind, whether comparable or not."""
    return Survey.objects.filter(year__lt=survey.year).order_by("-year").first()


def visible_outcomes(user, stored: StoredResult, ind: engine.IndicatorResult) -> list[engine.Outcome]:
    """The respondent rows the user may see: all for a national user, else those in their scope."""
    if scope.is_national(user):
        return list(ind.outcomes)
    return [o for o in ind.outcomes if scope.can_see(user, stored.units.get(o.respondent.key))]


def surveys_for(user):
    """Survey results are national aggregates: every signed-in user may read them."""
    return Survey.objects.select_related("spec_import", "responses_import")
