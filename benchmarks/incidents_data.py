"""Deterministic synthetic incident and complaint exports for the incidents benchmark.

Incidents: ``incidents`` rows (default 500 000) as the demo's incident system exports them
(`demo_region.incidents.INCIDENT_HEADER`, read through its INCIDENT_MAPPING): `;`-separated UTF-8
CSV with a BOM and CRLF, over the demo region's 151 enheter (weighted by kind of unit: wards report
most) and five years, 2021–2025, spread evenly over the days. About 83 % are closed within 28 days,
13 % later, 4 % are still open; types and causes follow the demo's 2025 proportions, lex Maria about
0.4 %; the descriptions are `demo_region.incident_texts.description` with its planted patterns.

Complaints: ``complaints`` cases (default 30 000) over the same five years, split over the four
channels of `demo_region.incidents.COMPLAINTS` as the demo's 2025 counts are (to the units,
IVO, the patientnämnd, Löf), each channel's export with the headers of its own mapping.

The same arguments give the same bytes on every run and machine (one seeded ``random.Random``).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from lagesbild.demo_region import incident_texts
from lagesbild.demo_region import incidents as demo
from lagesbild.demo_region.core import enheter_of, organisation

SEED = 20260111
YEARS = (2021, 2022, 2023, 2024, 2025)
INCIDENTS_FILE = "avvikelser-2021-2025.csv"
# Relative number of incidents an enhet of each kind reports (demo_region.texts' kinds of care).
KIND_WEIGHT = {"ward": 30, "ward_other": 20, "psych": 25, "hc": 8, "open": 5, "support": 2}


@dataclass
class Files:
    folder: Path
    incidents: Path
    complaints: dict[str, Path]  # channel -> its export
    counts: dict[str, int]


def _weighted(rng: random.Random, table: dict[str, int], n: int) -> list[str]:
    return rng.choices(list(table), weights=list(table.values()), k=n)


def write_incidents(path: Path, n: int, rng: random.Random) -> int:
    units = enheter_of(organisation())
    weights = [KIND_WEIGHT.get(u.care, 5) * (0.5 + rng.random()) for u in units]
    first = date(YEARS[0], 1, 1)
    days = (date(YEARS[-1] + 1, 1, 1) - first).days
    types, causes = demo.TYPES[2025], demo.CAUSES[2025]
    severities = [s for s, _ in demo.SEVERITY]
    severity_weights = [w for _, w in demo.SEVERITY]
    chosen = rng.choices(units, weights=weights, k=n)
    type_of = _weighted(rng, types, n)
    cause_of = _weighted(rng, causes, n)
    per_year: dict[int, int] = {}
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(demo.INCIDENT_HEADER)
        for i in range(n):
            reported = first + timedelta(days=i * days // n)
            year = reported.year
            per_year[year] = per_year.get(year, 0) + 1
            occurred = reported - timedelta(days=int(rng.random() * 3))
            draw = rng.random()
            if draw < 0.83:
                closed = reported + timedelta(days=int(rng.random() * 29))
            elif draw < 0.96:
                closed = reported + timedelta(days=29 + int(rng.random() * 150))
            else:
                closed = None
            unit = chosen[i]
            lex = rng.random() < 0.004
            severity = "Allvarlig skada" if lex else rng.choices(severities, weights=severity_weights)[0]
            pattern = incident_texts.pattern_for(rng, unit.care)
            writer.writerow((f"AV-{year}-{per_year[year]:06d}", reported.isoformat(), occurred.isoformat(),
                             closed.isoformat() if closed else "", unit.code, type_of[i], cause_of[i], severity,
                             "Ja" if lex else "Nej", incident_texts.description(rng, pattern)))
    return n


def _columns(channel: str) -> dict[str, str]:
    """field -> header, in the order of the channel's mapping."""
    columns = {}
    for line in demo.COMPLAINTS[channel]["mapping"].split("columns:\n")[1].splitlines():
        field, _, header = line.strip().partition(": ")
        columns[field] = header
    return columns


def write_complaints(folder: Path, n: int, rng: random.Random) -> dict[str, int]:
    """Each channel's export; the number of cases per channel."""
    sizes = {c: sum(spec["categories"][2025].values()) for c, spec in demo.COMPLAINTS.items()}
    total = sum(sizes.values())
    counts = {c: n * k // total for c, k in sizes.items()}
    counts["patientnamnd"] += n - sum(counts.values())
    units = [u.code for u in enheter_of(organisation()) if u.care != "support"]
    first = date(YEARS[0], 1, 1)
    days = (date(YEARS[-1] + 1, 1, 1) - first).days
    sex_words = {"K": "Kvinna", "M": "Man", "": ""}
    for channel, k in counts.items():
        spec = demo.COMPLAINTS[channel]
        columns = _columns(channel)
        categories = spec["categories"][2025]
        with open(folder / spec["file"], "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
            writer.writerow(list(columns.values()))
            per_year: dict[int, int] = {}
            for i in range(k):
                received = first + timedelta(days=i * days // k)
                per_year[received.year] = per_year.get(received.year, 0) + 1
                draw = rng.random()
                forwarded = rng.random() < 0.7
                values = {
                    "case": f"{spec['prefix']}-{received.year}-{per_year[received.year]:05d}",
                    "received": received.isoformat(), "unit": rng.choice(units),
                    "category": _weighted(rng, categories, 1)[0],
                    "sex": sex_words["K" if draw < 0.56 else "M" if draw < 0.99 else ""],
                    "forwarded": "Ja" if forwarded else "Nej",
                    "action_taken": ("Ja" if rng.random() < 0.4 else "Nej") if forwarded else "",
                    "description": rng.choice(demo.COMPLAINT_TEXTS).format(what=rng.choice(demo.COMPLAINT_WHAT)),
                }
                writer.writerow([values[field] for field in columns])
    return counts


def write(folder: Path, incidents: int = 500_000, complaints: int = 30_000, seed: int = SEED) -> Files:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    write_incidents(folder / INCIDENTS_FILE, incidents, rng)
    per_channel = write_complaints(folder, complaints, rng)
    return Files(folder, folder / INCIDENTS_FILE, {c: folder / demo.COMPLAINTS[c]["file"] for c in per_channel},
                 {"incidents": incidents, **{f"complaints_{c}": k for c, k in per_channel.items()}})


if __name__ == "__main__":  # python -m benchmarks.incidents_data FOLDER [INCIDENTS [COMPLAINTS]]
    import sys

    made = write(Path(sys.argv[1]), *(int(a) for a in sys.argv[2:4]))
    print(made.counts)
