"""Reading stored records: by long lists of ids, and as the reference evaluator's plain records."""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from lagesbild.calc import patient_measures as pm

from .models import Assessment, Episode, PreventiveAction

CHUNK = 5000  # ids per IN (...) list: SQLite limits the parameters of one statement


def chunks(items: Iterable) -> list[list]:
    items = list(items)
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def among(queryset: QuerySet, field: str, values: Iterable) -> Iterator[QuerySet]:
    """``queryset`` narrowed to rows whose ``field`` is one of ``values``, as queries to run in turn:
    one on PostgreSQL (the values as one array parameter: an IN list of thousands of parameters
    costs more to write and parse than to answer), a query per CHUNK elsewhere."""
    values = list(values)
    if not values:
        return
    if connection.vendor == "postgresql":
        meta = queryset.model._meta
        column = meta.pk.column if field == "pk" else meta.get_field(field).column
        target = f"{connection.ops.quote_name(meta.db_table)}.{connection.ops.quote_name(column)}"
        yield queryset.filter(RawSQL(f"{target} = ANY(%s)", (values,), output_field=BooleanField()))
        return
    for chunk in chunks(values):
        yield queryset.filter(**{f"{field}__in": chunk})


def calc_records(episodes: Sequence[Episode]) -> tuple[list[pm.Episode], list[pm.Assessment], list[pm.Action]]:
    """The episodes with all their assessments and actions; a unit is its id, as text."""
    ids = {e.pk: e.episode for e in episodes}
    records = [pm.Episode(e.episode, str(e.unit_id), e.admitted_at, e.discharged_at, e.age, e.sex) for e in episodes]
    assessments = [pm.Assessment(ids[pk], kind, at, risk)
                   for query in among(Assessment.objects.values_list("episode_id", "kind", "performed_at", "risk"),
                                      "episode", ids)
                   for pk, kind, at, risk in query]
    actions = [pm.Action(ids[pk], kind, at)
               for query in among(PreventiveAction.objects.values_list("episode_id", "kind", "started_at"), "episode", ids)
               for pk, kind, at in query]
    return records, assessments, actions
