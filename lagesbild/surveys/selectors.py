"""Reading stored surveys: rebuild the pure specification and responses, then compute."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

from lagesbild.org import scope
from lagesbild.org.models import OrgUnit

from . import engine, presenters
from .models import Survey, SurveyIndicator, SurveyRespondent
from .responses import Respondent, Responses
from .spec import parse_spec


@dataclass(frozen=True)
class StoredResult:
    survey: Survey
    result: engine.SurveyResult
    unit_ids: dict[str, Optional[int]]  # respondent key -> org unit id (None: not linked)


class _ResultCache:
    """A small LRU of computed results, safe across threads. It holds pure results and unit
    ids only, never model instances, so nothing of one request's database state outlives it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: "OrderedDict[tuple, tuple[engine.SurveyResult, dict]]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def values(self) -> list:
        with self._lock:
            return list(self._items.values())


CACHE_SIZE = 8
_CACHE = _ResultCache(CACHE_SIZE)


def compute_stored(survey: Survey) -> StoredResult:
    """The survey's computed result. Kept per (survey, spec import, responses import): a new
    import creates new Import rows, so a stale result can never be served."""
    key = (survey.pk, survey.spec_import_id, survey.responses_import_id)
    hit = _CACHE.get(key)
    if hit is None:
        hit = _compute(survey)
        _CACHE.put(key, hit)
    return StoredResult(survey, *hit)


def _compute(survey: Survey) -> tuple[engine.SurveyResult, dict]:
    spec = parse_spec(survey.spec_yaml, survey.spec_import.file_name)
    rows = SurveyRespondent.objects.filter(survey=survey).order_by("row").values_list(
        "key", "respondent_type", "row", "answers", "in_population", "org_unit_id"
    )
    inside, outside, unit_ids = [], [], {}
    for key, rtype, row, answers, in_population, unit_id in rows:
        (inside if in_population else outside).append(Respondent(key, rtype, row, answers))
        unit_ids[key] = unit_id
    responses = Responses(survey.responses_import.file_name, inside, outside, list(spec.questions))
    return engine.compute(spec, responses), unit_ids


def units_of(stored: StoredResult) -> dict[int, OrgUnit]:
    """The org units the survey's respondents speak for, read for this request."""
    return OrgUnit.objects.in_bulk({pk for pk in stored.unit_ids.values() if pk is not None})


def report(survey: Survey) -> tuple[presenters.SurveyReport, StoredResult, Optional[Survey]]:
    """The survey's presenter report (against its comparable earlier survey, with the focus
    areas of its own action plan), the stored result behind it and that earlier survey."""
    stored = compute_stored(survey)
    prev_survey = previous_comparable(survey)
    previous = compute_stored(prev_survey).result if prev_survey else None
    names = dict(
        SurveyIndicator.objects.filter(survey=survey, focus_area__isnull=False)
        .values_list("focus_area__number", "focus_area__name")
    )
    return presenters.present(stored.result, previous, names), stored, prev_survey


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


def visible_outcomes(user, stored: StoredResult, outcomes) -> list[engine.Outcome]:
    """The respondent rows the user may see: all for a national user, else those in their scope."""
    if scope.is_national(user):
        return list(outcomes)
    units = units_of(stored)
    return [o for o in outcomes if scope.can_see(user, units.get(stored.unit_ids.get(o.respondent.key)))]


def surveys_for(user):
    """Survey results are national aggregates: every signed-in user may read them."""
    return Survey.objects.select_related("spec_import", "responses_import")
