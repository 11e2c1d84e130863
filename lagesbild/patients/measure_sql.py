"""The patient-record measures computed in the database: each ``calc.patient_measures.Measure``
compiled to one aggregate query over the stored records.

The import's recompute needs only counts per admitting ward, local month of admission and sex;
moving millions of rows into Python to count them costs many times what the database needs
(docs/benchmarks.md, "Patient records"). The rules are the evaluator's, written as SQL through the
ORM, so the same query runs on PostgreSQL and SQLite; ``calc.patient_measures.evaluate`` stays the
reference (the command line, the drill-down's reasons) and a test holds the two to the same
figures on hand-built edge cases and on random records.

For an episode E and a measure M (all moments in UTC, so hours are elapsed time):
- population: E.age >= min_age, and E.admitted_at + population hours lies before the evaluation
  moment and the discharge ("before" includes equality; docs/patients.md);
- the window starts at the admission, or at the earliest assessment of M's kind with a risk found
  in [admission, min(discharge, as_of)] (none: E is outside the denominator); the whole window
  [start, start + hours] lies before the evaluation moment and the discharge;
- numerator: for every kind of M an assessment (or action) in the window, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Sequence

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth

from lagesbild.calc import localtime
from lagesbild.calc import patient_measures as pm

from .models import Assessment, Episode, PreventiveAction


@dataclass(frozen=True)
class Tally:
    measure: str
    unit_id: int
    month: date
    sex: str
    numerator: int
    denominator: int


def _plus(expression, hours: int):
    return ExpressionWrapper(expression + Value(timedelta(hours=hours)), output_field=DateTimeField())


def _lies_before(end: str, as_of: datetime) -> Q:
    """The moment in the annotation ``end`` is not after the evaluation moment or the discharge."""
    return Q(**{f"{end}__lte": as_of}) & (Q(discharged_at__isnull=True) | Q(discharged_at__gte=F(end)))


def _first_risk(kind: str, as_of: datetime):
    """The earliest assessment of ``kind`` during the stay (up to as_of) that found a risk."""
    found = (Assessment.objects.filter(episode=OuterRef("pk"), kind=kind, risk=True,
                                       performed_at__gte=OuterRef("admitted_at"), performed_at__lte=as_of)
             .filter(performed_at__lte=Coalesce(OuterRef("discharged_at"), Value(as_of), output_field=DateTimeField()))
             .order_by().values("episode").annotate(first=Min("performed_at")).values("first"))
    return Subquery(found, output_field=DateTimeField())


def _evidence(measure: pm.Measure, kind: str) -> Exists:
    model, at = (PreventiveAction, "started_at") if measure.evidence == pm.ACTION else (Assessment, "performed_at")
    return Exists(model.objects.filter(episode=OuterRef("pk"), kind=kind,
                                       **{f"{at}__gte": OuterRef("window_start"), f"{at}__lte": OuterRef("window_end")}))


def counts(measure: pm.Measure, episodes, as_of: datetime) -> list[Tally]:
    """``measure`` over the episodes of the queryset ``episodes``: numerator and denominator per
    admitting unit, local month of admission and sex (only groups with a denominator)."""
    as_of = localtime.to_utc(as_of)
    population = measure.population
    query = episodes.filter(age__gte=population.min_age).annotate(
        population_end=_plus(F("admitted_at"), population.hours)).filter(_lies_before("population_end", as_of))
    start = F("admitted_at") if measure.anchor == pm.ADMISSION else _first_risk(measure.kinds[0], as_of)
    query = (query.annotate(window_start=ExpressionWrapper(start, output_field=DateTimeField()))
             .filter(window_start__isnull=False)
             .annotate(window_end=_plus(F("window_start"), measure.window_hours))
             .filter(_lies_before("window_end", as_of)))
    for i, kind in enumerate(measure.kinds):
        query = query.annotate(**{f"has_{i}": _evidence(measure, kind)})
    numerator = Q(**{f"has_{i}": True for i in range(len(measure.kinds))})
    grouped = (query.annotate(month=TruncMonth("admitted_at", tzinfo=localtime.STOCKHOLM))
               .values("unit_id", "month", "sex").order_by()
               .annotate(denominator=Count("pk"), numerator=Count("pk", filter=numerator)))
    return [Tally(measure.code, g["unit_id"], localtime.local(g["month"]).date().replace(day=1), g["sex"],
                   g["numerator"], g["denominator"]) for g in grouped]


def in_cells(measures: Sequence[pm.Measure], cells: Iterable[tuple[int, date]], as_of: datetime) -> list[Tally]:
    """Every measure for the (unit id, first day of local month) cells: the episodes admitted on
    those units from the first cell's month to the last's, keeping only the cells asked for."""
    cells = set(cells)
    if not cells:
        return []
    units = {u for u, _ in cells}
    start = localtime.from_local(datetime.combine(min(m for _, m in cells), datetime.min.time()))
    last = max(m for _, m in cells)
    following = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    end = localtime.from_local(datetime.combine(following, datetime.min.time()))
    episodes = Episode.objects.filter(unit_id__in=units, admitted_at__gte=start, admitted_at__lt=end)
    return [c for measure in measures for c in counts(measure, episodes, as_of) if (c.unit_id, c.month) in cells]
