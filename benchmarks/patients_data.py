"""Deterministic synthetic record exports for the patient-data benchmark.

One region with 5 hospitals × 40 wards; ``episodes`` admissions spread evenly over one year
(2025, local time), each with a valid synthetic personnummer (so about one patient in five comes
back), three risk assessments per episode on average – most within 24 h, some late, some missing,
some before admission, a few twice – and a preventive action for about one episode in three.
Written as the record systems export them: `;`-separated UTF-8 CSV with local wall-clock times.
The same arguments give the same bytes on every run and machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from lagesbild.calc.identity import luhn_digit

SEED = 20251202
HOSPITALS = 5
WARDS_PER_HOSPITAL = 40
YEAR = 2025
KINDS = ("Fallrisk", "Trycksår", "Undernäring")
EPISODE_HEADER = "episode;personnummer;unit;admitted_at;discharged_at\n"
ASSESSMENT_HEADER = "episode;kind;performed_at;risk\n"
ACTION_HEADER = "episode;kind;started_at\n"


def ward_codes() -> list[str]:
    return [f"BH{h + 1}-AVD{w + 1:02d}" for h in range(HOSPITALS) for w in range(WARDS_PER_HOSPITAL)]


@dataclass
class Files:
    episodes: Path
    assessments: Path
    actions: Path
    counts: dict[str, int]

    def paths(self) -> dict[str, Path]:
        return {"episodes": self.episodes, "assessments": self.assessments, "actions": self.actions}


def people(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct valid 10-digit personnummer with a century (12 digits), born 1925–2004."""
    out, seen = [], set()
    while len(out) < n:
        birth = date(1925, 1, 1) + timedelta(days=rng.randrange(80 * 365))
        serial = rng.randrange(1000)
        nine = f"{birth:%y%m%d}{serial:03d}"
        if nine in seen:
            continue
        seen.add(nine)
        out.append(f"{birth:%Y}{nine[2:]}{luhn_digit(nine)}")
    return out


def _stamp(moment: datetime) -> str:
    if (moment.month, moment.day, moment.hour) == (3, 30, 2) and moment.year == YEAR:
        moment += timedelta(hours=1)  # 02:00–02:59 does not exist that night in Stockholm
    return moment.strftime("%Y-%m-%d %H:%M")


def write(folder: Path, episodes: int = 1_000_000, seed: int = SEED) -> Files:
    """Write episodes.csv, assessments.csv and actions.csv to ``folder``; the counts of rows."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    wards = ward_codes()
    numbers = people(max(1, episodes * 4 // 5), rng)
    start = datetime(YEAR, 1, 1)
    minutes = 365 * 24 * 60
    step = minutes / episodes
    counts = {"episodes": 0, "assessments": 0, "actions": 0}
    paths = Files(folder / "episodes.csv", folder / "assessments.csv", folder / "actions.csv", counts)
    with open(paths.episodes, "w", encoding="utf-8", newline="") as ep, \
            open(paths.assessments, "w", encoding="utf-8", newline="") as asm, \
            open(paths.actions, "w", encoding="utf-8", newline="") as act:
        ep.write(EPISODE_HEADER)
        asm.write(ASSESSMENT_HEADER)
        act.write(ACTION_HEADER)
        for i in range(episodes):
            eid = f"VT{i + 1:08d}"
            admitted = start + timedelta(minutes=int(i * step) + rng.randrange(-30, 30))
            admitted = max(start, admitted).replace(second=0)
            stay = timedelta(minutes=rng.randrange(6 * 60, 12 * 24 * 60))
            discharged = admitted + stay
            still = discharged.year > YEAR and rng.random() < 0.5
            ep.write(f"{eid};{rng.choice(numbers)};{rng.choice(wards)};{_stamp(admitted)};"
                     f"{'' if still else _stamp(discharged)}\n")
            counts["episodes"] += 1
            for kind in KINDS:
                draw = rng.random()
                if draw < 0.06:  # missing (another kind gets a second assessment instead)
                    continue
                delay = rng.randrange(10, 20 * 60) if draw < 0.9 else rng.randrange(24 * 60 - 60, 72 * 60)
                if draw > 0.995:
                    delay = -rng.randrange(10, 120)  # before admission: does not count
                risk = rng.random() < 0.45
                asm.write(f"{eid};{kind};{_stamp(admitted + timedelta(minutes=delay))};{'Ja' if risk else 'Nej'}\n")
                counts["assessments"] += 1
                if draw < 0.12:  # a second, later assessment of the same kind
                    asm.write(f"{eid};{kind};{_stamp(admitted + timedelta(minutes=delay + 600))};Nej\n")
                    counts["assessments"] += 1
                if risk and rng.random() < 0.74:
                    act.write(f"{eid};{kind};{_stamp(admitted + timedelta(minutes=delay + rng.randrange(5, 30 * 60)))}\n")
                    counts["actions"] += 1
    return paths


if __name__ == "__main__":  # python -m benchmarks.patients_data FOLDER [EPISODES]
    import sys

    made = write(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
    print(made.counts)
