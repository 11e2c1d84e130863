"""Stored records as the reference evaluator's plain records (calc.patient_measures)."""

from __future__ import annotations

from typing import Sequence

from lagesbild.calc import patient_measures as pm

from .models import Assessment, Episode, PreventiveAction

CHUNK = 5000  # ids per IN (...) list: SQLite limits the parameters of one statement


def calc_records(episodes: Sequence[Episode]) -> tuple[list[pm.Episode], list[pm.Assessment], list[pm.Action]]:
    """The episodes with all their assessments and actions; a unit is its id, as text."""
    ids = {e.pk: e.episode for e in episodes}
    records = [pm.Episode(e.episode, str(e.unit_id), e.admitted_at, e.discharged_at, e.age, e.sex) for e in episodes]
    assessments, actions = [], []
    keys = list(ids)
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i:i + CHUNK]
        assessments += [pm.Assessment(ids[pk], kind, at, risk) for pk, kind, at, risk in Assessment.objects.filter(
            episode_id__in=chunk).values_list("episode_id", "kind", "performed_at", "risk")]
        actions += [pm.Action(ids[pk], kind, at) for pk, kind, at in PreventiveAction.objects.filter(
            episode_id__in=chunk).values_list("episode_id", "kind", "started_at")]
    return records, assessments, actions
