"""Process measures from patient records: risk assessments and preventive actions within 24 hours.

The rules are the contract in DESIGN.md, "Patient-level indicators"; the choices where it is open
are in docs/patients.md. A measure is data (a ``Measure``): its population, the start of its time
window (the admission, or the first risk finding of a kind), the window's length, and what the
numerator looks for in the window (an assessment or an action of each listed kind). One evaluator
interprets every measure, so a fifth one (another age limit, another window) needs no new code.

All moments are handled in UTC (elapsed time); the month of admission is the local month.

Pure Python: no Django.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Iterable, Sequence

from .localtime import local_month, to_utc

FALL, TRYCKSAR, UNDERNARING = "fall", "trycksar", "undernaring"
KINDS = (FALL, TRYCKSAR, UNDERNARING)
KIND_LABELS = {FALL: "Fallrisk", TRYCKSAR: "Trycksår", UNDERNARING: "Undernäring"}
SEXES = ("K", "M")

ADMISSION, RISK_FINDING = "admission", "risk_finding"  # where a window starts
ASSESSMENT, ACTION = "assessment", "action"  # what the numerator looks for in the window
MISSING, LATE = "missing", "late"  # why an episode fails a kind


@lru_cache(maxsize=4096)  # labels repeat: a record export holds a handful in millions of cells
def fold(text: str) -> str:
    """Case- and accent-insensitive form of a label: 'Trycksår' -> 'trycksar'."""
    decomposed = unicodedata.normalize("NFKD", (text or "").strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


_KIND_NAMES = {fold(name): code for code in KINDS for name in (code, KIND_LABELS[code])}


def kind_code(text: str) -> str | None:
    """The kind's code for a code or label in any case (``Fallrisk`` -> ``fall``); None if unknown."""
    return _KIND_NAMES.get(fold(text))


RISK_ANSWERS = {"ja": True, "nej": False}  # a risk found, as a record writes it (folded)


def _risk(value: bool | str) -> bool:
    if value is True or value is False:
        return value
    answer = fold(value)
    if answer not in RISK_ANSWERS:
        raise ValueError("risk must be Ja or Nej")
    return RISK_ANSWERS[answer]


def _set(obj, name: str, value) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Episode:
    """One admission (a readmission is an episode of its own); age in completed years at admission."""

    id: str
    unit: str
    admitted_at: datetime
    discharged_at: datetime | None
    age: int
    sex: str

    def __post_init__(self) -> None:
        _set(self, "admitted_at", to_utc(self.admitted_at))
        if self.discharged_at is not None:
            _set(self, "discharged_at", to_utc(self.discharged_at))
            if self.discharged_at < self.admitted_at:
                raise ValueError(f"episode {self.id}: discharged before admitted")
        if self.sex not in SEXES:
            raise ValueError(f"episode {self.id}: sex must be K or M")


@dataclass(frozen=True)
class Assessment:
    episode: str
    kind: str
    performed_at: datetime
    risk: bool  # a risk was found; the strings Ja/Nej are accepted

    def __post_init__(self) -> None:
        code = self.kind if self.kind in KINDS else kind_code(self.kind)
        if code is None:
            raise ValueError(f"unknown kind {self.kind!r}")
        _set(self, "kind", code)
        _set(self, "performed_at", to_utc(self.performed_at))
        _set(self, "risk", _risk(self.risk))


@dataclass(frozen=True)
class Action:
    episode: str
    kind: str
    started_at: datetime

    def __post_init__(self) -> None:
        code = self.kind if self.kind in KINDS else kind_code(self.kind)
        if code is None:
            raise ValueError(f"unknown kind {self.kind!r}")
        _set(self, "kind", code)
        _set(self, "started_at", to_utc(self.started_at))


# ---------------------------------------------------------------------------------------------
# Measures as data


@dataclass(frozen=True)
class Population:
    """Episodes of patients at least ``min_age`` at admission whose first ``hours`` lie before the
    evaluation moment and who were not discharged less than ``hours`` after admission."""

    min_age: int = 70
    hours: int = 24


@dataclass(frozen=True)
class Measure:
    """``anchor`` is where the window starts: the admission, or (RISK_FINDING) the earliest
    assessment of the measure's one kind during the stay that found a risk; episodes without one
    are outside the denominator. The numerator needs an ``evidence`` (an assessment or an action)
    of every kind in ``kinds`` within [start, start + window_hours], both ends inclusive. An
    episode is in the denominator only when the whole window lies before the discharge and the
    evaluation moment."""

    code: str
    anchor: str
    evidence: str
    kinds: tuple[str, ...]
    population: Population = field(default_factory=Population)
    window_hours: int = 24

    def __post_init__(self) -> None:
        if self.anchor not in (ADMISSION, RISK_FINDING):
            raise ValueError(f"{self.code}: anchor must be {ADMISSION} or {RISK_FINDING}")
        if self.evidence not in (ASSESSMENT, ACTION):
            raise ValueError(f"{self.code}: evidence must be {ASSESSMENT} or {ACTION}")
        if not self.kinds or any(k not in KINDS for k in self.kinds) or len(set(self.kinds)) != len(self.kinds):
            raise ValueError(f"{self.code}: kinds must be distinct, each one of {', '.join(KINDS)}")
        if self.anchor == RISK_FINDING and len(self.kinds) != 1:
            raise ValueError(f"{self.code}: a window from a risk finding is for one kind")
        if self.window_hours <= 0 or self.population.hours < 0 or self.population.min_age < 0:
            raise ValueError(f"{self.code}: hours and ages cannot be negative")


STANDARD_MEASURES = (
    Measure("riskbedomning-70-24h", ADMISSION, ASSESSMENT, KINDS),
    Measure("atgard-24h-fallrisk", RISK_FINDING, ACTION, (FALL,)),
    Measure("atgard-24h-trycksar", RISK_FINDING, ACTION, (TRYCKSAR,)),
    Measure("atgard-24h-undernaring", RISK_FINDING, ACTION, (UNDERNARING,)),
)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Miss:
    kind: str
    reason: str  # MISSING: none at all (or only before the window); LATE: only after the window


@dataclass(frozen=True)
class Failure:
    episode: str
    misses: tuple[Miss, ...]


@dataclass(frozen=True)
class Row:
    """One measure for one admitting unit and local month of admission."""

    measure: str
    unit: str
    period: str  # YYYY-MM
    numerator: int
    denominator: int
    by_sex: dict[str, tuple[int, int]]  # "K" and "M", always both: (numerator, denominator)
    episodes: tuple[str, ...]  # the denominator's episodes, for a drill-down
    failures: tuple[Failure, ...]  # the denominator's episodes outside the numerator, and why

    def as_json(self) -> dict:
        return {"measure": self.measure, "unit": self.unit, "period": self.period,
                "numerator": self.numerator, "denominator": self.denominator,
                "by_sex": {sex: list(self.by_sex[sex]) for sex in SEXES}}


@dataclass
class _Tally:
    measure: str
    unit: str
    period: str
    counts: dict[str, list[int]] = field(default_factory=lambda: {sex: [0, 0] for sex in SEXES})
    episodes: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def add(self, episode: Episode, misses: tuple[Miss, ...]) -> None:
        count = self.counts[episode.sex]
        count[1] += 1
        self.episodes.append(episode.id)
        if misses:
            self.failures.append(Failure(episode.id, misses))
        else:
            count[0] += 1

    def row(self) -> Row:
        num = sum(c[0] for c in self.counts.values())
        den = sum(c[1] for c in self.counts.values())
        return Row(self.measure, self.unit, self.period, num, den,
                   {sex: (c[0], c[1]) for sex, c in self.counts.items()}, tuple(self.episodes), tuple(self.failures))


# ---------------------------------------------------------------------------------------------
# The evaluator


class Facts:
    """Assessments and action start times by (episode, kind), in time order."""

    def __init__(self, assessments: Iterable[Assessment], actions: Iterable[Action]):
        self.assessments: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
        self.actions: dict[tuple[str, str], list[datetime]] = defaultdict(list)
        for a in assessments:
            self.assessments[(a.episode, a.kind)].append(a)
        for x in actions:
            self.actions[(x.episode, x.kind)].append(x.started_at)
        for found in self.assessments.values():
            found.sort(key=lambda a: a.performed_at)
        for times in self.actions.values():
            times.sort()

    def times(self, evidence: str, episode: str, kind: str) -> list[datetime]:
        if evidence == ACTION:
            return self.actions.get((episode, kind), [])
        return [a.performed_at for a in self.assessments.get((episode, kind), [])]

    def first_risk(self, episode: Episode, kind: str, until: datetime) -> datetime | None:
        """The earliest assessment of ``kind`` in [admission, until] that found a risk."""
        for a in self.assessments.get((episode.id, kind), []):
            if a.risk and episode.admitted_at <= a.performed_at <= until:
                return a.performed_at
        return None


def _lies_before(end: datetime, episode: Episode, as_of: datetime) -> bool:
    """Does a window ending at ``end`` lie before the evaluation moment and the discharge? Equality
    counts as before: the whole closed window has then been seen (docs/patients.md)."""
    return end <= as_of and (episode.discharged_at is None or end <= episode.discharged_at)


def in_population(episode: Episode, population: Population, as_of: datetime) -> bool:
    first = episode.admitted_at + timedelta(hours=population.hours)
    return episode.age >= population.min_age and _lies_before(first, episode, as_of)


def _window_start(measure: Measure, episode: Episode, facts: Facts, as_of: datetime) -> datetime | None:
    if measure.anchor == ADMISSION:
        return episode.admitted_at
    stay_end = as_of if episode.discharged_at is None else min(as_of, episode.discharged_at)
    return facts.first_risk(episode, measure.kinds[0], stay_end)


def _miss(times: Sequence[datetime], start: datetime, end: datetime) -> str | None:
    if any(start <= t <= end for t in times):
        return None
    return LATE if any(t > end for t in times) else MISSING


def judge(measure: Measure, episode: Episode, facts: Facts, as_of: datetime) -> tuple[Miss, ...] | None:
    """None when the episode is outside the denominator; else the kinds it misses (empty: numerator)."""
    if not in_population(episode, measure.population, as_of):
        return None
    start = _window_start(measure, episode, facts, as_of)
    if start is None:
        return None
    end = start + timedelta(hours=measure.window_hours)
    if not _lies_before(end, episode, as_of):
        return None
    misses = ((kind, _miss(facts.times(measure.evidence, episode.id, kind), start, end)) for kind in measure.kinds)
    return tuple(Miss(kind, reason) for kind, reason in misses if reason)


def evaluate(episodes: Iterable[Episode], assessments: Iterable[Assessment], actions: Iterable[Action],
             as_of: datetime, measures: Sequence[Measure] = STANDARD_MEASURES) -> list[Row]:
    """Every measure per admitting unit and local month of admission with a denominator, in the
    order of ``measures``, then unit, then period."""
    if len({m.code for m in measures}) != len(measures):
        raise ValueError("measure codes must be distinct")
    as_of = to_utc(as_of)
    facts = Facts(assessments, actions)
    tallies: dict[tuple[int, str, str], _Tally] = {}
    seen: set[str] = set()
    for episode in episodes:
        if episode.id in seen:
            raise ValueError(f"episode {episode.id} occurs twice")
        seen.add(episode.id)
        period = local_month(episode.admitted_at)
        for index, measure in enumerate(measures):
            misses = judge(measure, episode, facts, as_of)
            if misses is None:
                continue
            key = (index, episode.unit, period)
            if key not in tallies:
                tallies[key] = _Tally(measure.code, episode.unit, period)
            tallies[key].add(episode, misses)
    return [tallies[key].row() for key in sorted(tallies)]
