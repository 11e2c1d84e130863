"""What a ward still has to do for a patient now: per kind of risk, is the assessment done, was a
risk found, has the action started, and how long is left to each 24-hour deadline.

The deadlines are the contract's windows (DESIGN.md, "Patient-level indicators"): an assessment
within 24 h of admission, and after a risk finding (the earliest assessment of the kind that found
a risk) an action within 24 h of it. Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional

from .patient_measures import KINDS, Action, Assessment, Episode

WINDOW = timedelta(hours=24)

# What a kind's line says, most urgent first when sorted by (state order, time left).
OVERDUE = "overdue"  # a deadline has passed with nothing done
DUE = "due"  # an assessment or an action is still to do before its deadline
DONE = "done"  # assessed without risk, or at risk with the action started
STATE_ORDER = {OVERDUE: 0, DUE: 1, DONE: 2}


@dataclass(frozen=True)
class KindStatus:
    kind: str
    state: str  # OVERDUE, DUE or DONE
    assessed_at: Optional[datetime]
    risk: bool
    action_at: Optional[datetime]
    deadline: Optional[datetime]  # of what is still to do (None when done)
    within_24h: Optional[bool]  # for done: was it done in time (assessment and action)

    def left(self, now: datetime) -> Optional[timedelta]:
        return None if self.deadline is None else self.deadline - now


@dataclass(frozen=True)
class PatientStatus:
    episode: Episode
    kinds: tuple[KindStatus, ...]

    @property
    def next_deadline(self) -> Optional[datetime]:
        open_ = [k.deadline for k in self.kinds if k.deadline is not None]
        return min(open_) if open_ else None

    @property
    def state(self) -> str:
        return min((k.state for k in self.kinds), key=STATE_ORDER.get)

    def urgency(self) -> tuple:
        """Sort key: overdue first, then the nearest deadline, then those with nothing left to do."""
        deadline = self.next_deadline
        return (STATE_ORDER[self.state], deadline or datetime.max.replace(tzinfo=self.episode.admitted_at.tzinfo),
                self.episode.admitted_at)


def kind_status(episode: Episode, kind: str, assessments: list[Assessment], actions: list[Action],
                now: datetime) -> KindStatus:
    """``assessments`` and ``actions``: the episode's own, of this kind, in any order."""
    mine = sorted((a for a in assessments if a.performed_at >= episode.admitted_at), key=lambda a: a.performed_at)
    first = mine[0] if mine else None
    if first is None:
        deadline = episode.admitted_at + WINDOW
        return KindStatus(kind, OVERDUE if now > deadline else DUE, None, False, None, deadline, None)
    in_time = first.performed_at <= episode.admitted_at + WINDOW
    finding = next((a for a in mine if a.risk), None)
    if finding is None:
        return KindStatus(kind, DONE, first.performed_at, False, None, None, in_time)
    t0 = finding.performed_at
    started = sorted(x.started_at for x in actions if x.started_at >= t0)
    if started:
        return KindStatus(kind, DONE, first.performed_at, True, started[0], None, in_time and started[0] <= t0 + WINDOW)
    deadline = t0 + WINDOW
    return KindStatus(kind, OVERDUE if now > deadline else DUE, first.performed_at, True, None, deadline, None)


def patient_status(episode: Episode, assessments: Iterable[Assessment], actions: Iterable[Action],
                   now: datetime) -> PatientStatus:
    assessments, actions = list(assessments), list(actions)
    return PatientStatus(episode, tuple(
        kind_status(episode, kind, [a for a in assessments if a.kind == kind], [x for x in actions if x.kind == kind], now)
        for kind in KINDS))


def ward(episodes: Iterable[Episode], assessments: Iterable[Assessment], actions: Iterable[Action],
         now: datetime) -> list[PatientStatus]:
    """Every episode's status, most urgent first."""
    by_episode_a: dict[str, list[Assessment]] = {}
    by_episode_x: dict[str, list[Action]] = {}
    for a in assessments:
        by_episode_a.setdefault(a.episode, []).append(a)
    for x in actions:
        by_episode_x.setdefault(x.episode, []).append(x)
    out = [patient_status(e, by_episode_a.get(e.id, []), by_episode_x.get(e.id, []), now) for e in episodes]
    return sorted(out, key=PatientStatus.urgency)


def age_band(age: int) -> str:
    """Ten-year bands from 70 ("70–79", "80–89", "90+"), younger in one band: enough to see who is
    in the measure's population without showing an exact age."""
    if age < 70:
        return "under 70"
    if age >= 90:
        return "90+"
    low = age // 10 * 10
    return f"{low}–{low + 9}"
