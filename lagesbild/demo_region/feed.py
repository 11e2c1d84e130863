"""`lagesbild patients feed --demo`: a stream of events on the demo's wards, so the real-time
ward view visibly changes. Every few seconds: a patient of 70 or more is admitted, an assessment
that is due is recorded (a risk found now and then), an action is started for a risk, and now and
then a patient who has been in for some days goes home. Each step is a small import through the
patient import, as a record system's feed would send it, with the synthetic identity numbers of
the demo and its pseudonym key."""

from __future__ import annotations

import csv
import io
import random
import time
from datetime import datetime, timedelta
from typing import Callable, Optional

from django.db.models import Count
from django.utils import timezone

from lagesbild.calc import localtime
from lagesbild.core.actor import Actor
from lagesbild.org.models import OrgUnit
from lagesbild.patients import keys, services
from lagesbild.patients.models import Episode

from . import texts
from .core import enheter_of, organisation
from .load import DEMO_KEY
from .patients import HEADERS, LABELS, personnummer

KINDS = tuple(LABELS)


def _csv(name: str, rows: list[list[str]]) -> tuple[bytes, str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS[name] if name != "vardtillfallen.csv" else [*HEADERS[name], "säng"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8"), name


def _stamp(moment: datetime) -> str:
    return localtime.local(moment).isoformat(timespec="seconds")


def _key() -> keys.PseudonymKey:
    try:
        return keys.from_environment()
    except keys.KeyMissing:
        return DEMO_KEY


def demo_wards() -> list[OrgUnit]:
    codes = [u.code for u in enheter_of(organisation(), texts.WARD)]
    return list(OrgUnit.objects.filter(code__in=codes).order_by("code"))


def step(rng: random.Random, wards: list[OrgUnit], now: Optional[datetime] = None) -> list[str]:
    """One round of events; returns what happened, in Swedish, for the terminal."""
    now = now or timezone.now()
    said, sources = [], {}
    current = list(Episode.objects.filter(discharged_at__isnull=True, unit__in=wards, admitted_at__lte=now)
                   .annotate(n=Count("assessments")).select_related("unit"))
    episode_rows = []
    if rng.random() < 0.6 or not current:
        ward = rng.choice(wards)
        eid = f"RT{now:%y%m%d%H%M%S}{rng.randrange(100):02d}"
        age = rng.randrange(70, 96)
        birth = localtime.local_date(now) - timedelta(days=365 * age + rng.randrange(30, 300))
        bed = f"Sal {rng.randrange(1, 9)}:{rng.randrange(1, 5)}"
        episode_rows.append([eid, personnummer(birth, rng.randrange(1000), rng.random() < 0.53), ward.code,
                             _stamp(now - timedelta(minutes=rng.randrange(0, 90))), "", bed])
        said.append(f"Inskriven: {eid} på {ward.name} ({bed})")
    waiting = [e for e in current if e.n < len(KINDS)]
    if waiting:
        e = rng.choice(waiting)
        done = list(e.assessments.values_list("kind", "performed_at", "risk"))
        kind = rng.choice([k for k in KINDS if k not in {d[0] for d in done}])
        risk = rng.random() < 0.35
        rows = [[e.episode, LABELS[k], _stamp(at), "Ja" if r else "Nej"] for k, at, r in done]
        rows.append([e.episode, LABELS[kind], _stamp(now), "Ja" if risk else "Nej"])
        sources["assessments"] = _csv("riskbedomningar.csv", rows)
        said.append(f"Riskbedömning: {e.episode}, {LABELS[kind].lower()}, {'risk' if risk else 'ingen risk'}")
    at_risk = [e for e in current if e.assessments.filter(risk=True).exclude(
        kind__in=e.actions.values_list("kind", flat=True)).exists()]
    if at_risk and rng.random() < 0.7:
        e = rng.choice(at_risk)
        kind = e.assessments.filter(risk=True).exclude(kind__in=e.actions.values_list("kind", flat=True)).first().kind
        rows = [[e.episode, LABELS[k], _stamp(at)] for k, at in e.actions.values_list("kind", "started_at")]
        rows.append([e.episode, LABELS[kind], _stamp(now)])
        sources["actions"] = _csv("atgarder.csv", rows)
        said.append(f"Åtgärd påbörjad: {e.episode}, {LABELS[kind].lower()}")
    home = [e for e in current if now - e.admitted_at > timedelta(days=3)]
    if home and rng.random() < 0.3:
        e = rng.choice(home)
        episode_rows.append([e.episode, "", e.unit.code, _stamp(e.admitted_at), _stamp(now), e.bed])
        said.append(f"Utskriven: {e.episode}")
    if episode_rows:
        sources["episodes"] = _csv("vardtillfallen.csv", episode_rows)
    if sources:
        _import(sources, episode_rows, now)
    return said


def _import(sources: dict, episode_rows: list[list[str]], now: datetime) -> None:
    # A discharge line has no identity number in hand (the feed never keeps one): such a line
    # updates the stored episode through the service's own update, not through a new import row.
    discharges = [r for r in episode_rows if not r[1]]
    if discharges:
        admissions = [r for r in episode_rows if r[1]]
        sources.pop("episodes", None)
        if admissions:
            sources["episodes"] = _csv("vardtillfallen.csv", admissions)
        for r in discharges:
            services.discharge(r[0], now, actor=Actor.system())
    if sources:
        services.import_records(sources, actor=Actor.system(), key=_key())


def run(steps: Optional[int], interval: float, say: Callable[[str], None] = print, seed: Optional[int] = None) -> int:
    """Feed events until ``steps`` rounds are done (None: until interrupted)."""
    rng = random.Random(seed)
    wards = demo_wards()
    if not wards:
        raise RuntimeError("demoregionens avdelningar saknas: kör `make demo` (eller `lagesbild demo load`) först")
    done = 0
    while steps is None or done < steps:
        for line in step(rng, wards):
            say(f"{localtime.local(timezone.now()):%Y-%m-%d %H:%M:%S}  {line}")
        done += 1
        if steps is None or done < steps:
            time.sleep(interval)
    return done
