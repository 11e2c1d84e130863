"""Reads for the real-time ward view: who is on a ward now, and what is still to do for them.

A patient is on the ward of their latest movement (before now), else on the admitting ward; the
measures stay with the admitting ward. Patient-level pages need a role that may see patient data
(PATIENT_ROLES) on the ward or above it; a reader or a strategist of the region does not see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from django.db.models import Q

from lagesbild.calc import localtime
from lagesbild.calc import patient_measures as pm
from lagesbild.calc import ward_status as ws
from lagesbild.org import scope
from lagesbild.org.models import Membership, OrgUnit

from . import measure_spec, presenters
from .models import Episode, Movement
from .stored import among, calc_records

PATIENT_ROLES = {Membership.Role.MANAGER, Membership.Role.CARE}
SOON = timedelta(hours=4)  # "due soon" on the overview


def may_see_patients(user, unit: OrgUnit) -> bool:
    return scope.can_see(user, unit) and scope.has_role(user, PATIENT_ROLES, unit)


def patient_roots(user) -> list[OrgUnit]:
    """The tops of the subtrees where the user may see patient data."""
    if user.is_superuser:
        return list(OrgUnit.objects.filter(parent__isnull=True))
    return [m.org_unit for m in Membership.objects.filter(user=user, role__in=PATIENT_ROLES).select_related("org_unit")]


def _current(now: datetime, units: Q) -> list[Episode]:
    """Episodes admitted before ``now`` and not discharged by then whose admitting ward or any
    movement's ward matches ``units`` (a filter on OrgUnit); their movements prefetched. Two
    indexed lookups joined by id: an OR across the join to movements would scan every episode."""
    admitted = Q(admitted_at__lte=now) & (Q(discharged_at__isnull=True) | Q(discharged_at__gt=now))
    wards = OrgUnit.objects.filter(units).values("pk")
    ids = set(Episode.objects.filter(admitted, unit__in=wards).values_list("pk", flat=True))
    ids |= set(Movement.objects.filter(unit__in=wards).filter(
        episode__in=Episode.objects.filter(admitted).values("pk")).values_list("episode_id", flat=True))
    return [e for query in among(Episode.objects.prefetch_related("movements"), "pk", sorted(ids)) for e in query]


def _location(episode: Episode, now: datetime) -> tuple[int, str]:
    moved = [m for m in episode.movements.all() if m.moved_at <= now]
    if not moved:
        return episode.unit_id, episode.bed
    last = max(moved, key=lambda m: m.moved_at)
    return last.unit_id, last.bed


@dataclass
class PatientRow:
    status: ws.PatientStatus
    episode: Episode
    bed: str
    age_band: str
    cells: list  # (state, text) per kind, from presenters.cells


@dataclass
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Optional[float]:
        return None if not self.denominator else 100 * self.numerator / self.denominator


def ward_patients(unit: OrgUnit, now: datetime) -> list[PatientRow]:
    """The patients on the ward now, most urgent first."""
    here = [e for e in _current(now, Q(pk=unit.pk)) if _location(e, now)[0] == unit.pk]
    records, assessments, actions = calc_records(here)
    by_id = {e.episode: e for e in here}
    return [PatientRow(s, by_id[s.episode.id], _location(by_id[s.episode.id], now)[1], ws.age_band(s.episode.age),
                       presenters.cells(s, now))
            for s in ws.ward(records, assessments, actions, now)]


def shares(unit: OrgUnit, now: datetime) -> tuple[Share, Share]:
    """The admitting ward's share of patients 70+ with all three assessments within 24 h: for the
    episodes whose 24 hours ended today (local date, up to now), and this local month so far (the
    measure riskbedomning-70-24h, as the monthly figure will be)."""
    local_now = localtime.local(now)
    month_start = localtime.from_local(datetime(local_now.year, local_now.month, 1))
    day_start = localtime.from_local(datetime(local_now.year, local_now.month, local_now.day))
    first = min(month_start, day_start - timedelta(hours=24))
    episodes = list(Episode.objects.filter(unit=unit, admitted_at__gte=first, admitted_at__lte=now))
    records, assessments, actions = calc_records(episodes)
    facts = pm.Facts(assessments, actions)
    measure = pm.STANDARD_MEASURES[0]
    today, month = Share(0, 0), Share(0, 0)
    for e in records:
        misses = pm.judge(measure, e, facts, now)
        if misses is None:
            continue
        if e.admitted_at + timedelta(hours=24) >= day_start:
            today.denominator += 1
            today.numerator += not misses
        if e.admitted_at >= month_start:
            month.denominator += 1
            month.numerator += not misses
    return today, month


@dataclass
class WardSummary:
    unit: OrgUnit
    patients: int
    overdue: int
    soon: int
    next_deadline: Optional[datetime]

    def urgency(self) -> tuple:
        return (-self.overdue, -self.soon, self.next_deadline or datetime.max.replace(tzinfo=localtime.UTC),
                self.unit.name)


def overview(user, now: datetime) -> list[WardSummary]:
    """Every ward in the user's patient-data scope with patients now: how many, how many with a
    deadline passed, how many due within SOON, and the nearest deadline; most urgent first."""
    roots = patient_roots(user)
    if not roots:
        return []
    in_scope = Q()
    for root in roots:
        in_scope |= Q(path__startswith=root.path)
    episodes = list(_current(now, in_scope))
    records, assessments, actions = calc_records(episodes)
    by_id = {e.episode: e for e in episodes}
    summaries: dict[int, WardSummary] = {}
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={_location(e, now)[0] for e in episodes})}
    for status in ws.ward(records, assessments, actions, now):
        unit = units[_location(by_id[status.episode.id], now)[0]]
        if not any(unit.path.startswith(r.path) for r in roots):
            continue
        s = summaries.setdefault(unit.pk, WardSummary(unit, 0, 0, 0, None))
        s.patients += 1
        s.overdue += status.state == ws.OVERDUE
        deadline = status.next_deadline
        if status.state == ws.DUE and deadline is not None and deadline - now <= SOON:
            s.soon += 1
        if deadline is not None and (s.next_deadline is None or deadline < s.next_deadline):
            s.next_deadline = deadline
    return sorted(summaries.values(), key=WardSummary.urgency)


@dataclass
class MonthFailures:
    measure: pm.Measure
    numerator: int
    denominator: int
    failures: list  # (Episode model, [(kind label, "saknas" | "för sent")])


REASONS = {pm.MISSING: "saknas", pm.LATE: "efter tidsgränsen"}


def month_failures(unit: OrgUnit, month_start, now: datetime) -> list[MonthFailures]:
    """Per measure an import writes, the ward-month's figure and the episodes outside its numerator
    with what they missed: the drill-down behind a monthly value."""
    start, end = localtime.local_months(month_start, month_start)
    episodes = list(Episode.objects.filter(unit=unit, admitted_at__gte=start, admitted_at__lt=end))
    records, assessments, actions = calc_records(episodes)
    measures = measure_spec.configured()
    rows = {r.measure: r for r in pm.evaluate(records, assessments, actions, now, measures)}
    by_id = {e.episode: e for e in episodes}
    out = []
    for measure in measures:
        row = rows.get(measure.code)
        if row is None:
            continue
        failures = [(by_id[f.episode], [(pm.KIND_LABELS[m.kind], REASONS[m.reason]) for m in f.misses])
                    for f in row.failures]
        out.append(MonthFailures(measure, row.numerator, row.denominator, failures))
    return out
