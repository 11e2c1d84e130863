"""The plain-Python baseline for `lagesbild patients compute`: the four standard measures from the
benchmark's three CSV files, written the shortest way one would by hand – csv.reader, fromisoformat,
zoneinfo, dictionaries – with no validation, no error reporting, no pseudonyms and no drill-down
(it trusts the file: 12-digit identity numbers, known kinds, times that exist).

    python -m benchmarks.patients_baseline EPISODES ASSESSMENTS ACTIONS AS_OF OUT.json

Writes the same JSON document as `patients compute` (without the sex split's order guarantees
beyond the contract's), so the benchmark can check that both give the same figures.
Not part of the product; it imports nothing from it.
"""

from __future__ import annotations

import calendar
import csv
import json
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Stockholm")
DAY = timedelta(hours=24)
KIND = {"fallrisk": "fall", "trycksår": "trycksar", "undernäring": "undernaring"}
ACTION_MEASURE = {"fall": "atgard-24h-fallrisk", "trycksar": "atgard-24h-trycksar",
                  "undernaring": "atgard-24h-undernaring"}
ORDER = ["riskbedomning-70-24h", *ACTION_MEASURE.values()]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL).astimezone(timezone.utc)


def age(number: str, on: date) -> int:
    birth = date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    day = min(birth.day, calendar.monthrange(on.year, birth.month)[1])
    return on.year - birth.year - ((on.month, on.day) < (birth.month, day))


def rows(path: str):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        next(reader)
        yield from reader


def main(episodes_csv: str, assessments_csv: str, actions_csv: str, as_of_text: str, out: str) -> None:
    as_of = moment(as_of_text)
    assessed = defaultdict(list)  # (episode, kind) -> [(at, risk)]
    for eid, kind, at, risk in rows(assessments_csv):
        assessed[(eid, KIND[kind.lower()])].append((moment(at), risk == "Ja"))
    acted = defaultdict(list)
    for eid, kind, at in rows(actions_csv):
        acted[(eid, KIND[kind.lower()])].append(moment(at))
    counts = defaultdict(lambda: {"K": [0, 0], "M": [0, 0]})
    for eid, number, unit, admitted_text, discharged_text in rows(episodes_csv):
        admitted = moment(admitted_text)
        discharged = moment(discharged_text) if discharged_text else None
        local = admitted.astimezone(LOCAL)
        if age(number, local.date()) < 70:
            continue
        first_day = admitted + DAY
        if first_day > as_of or (discharged is not None and discharged < first_day):
            continue
        sex = "M" if int(number[10]) % 2 else "K"
        period = f"{local.year:04d}-{local.month:02d}"
        count = counts[("riskbedomning-70-24h", unit, period)][sex]
        count[1] += 1
        count[0] += all(any(admitted <= at <= first_day for at, _ in assessed.get((eid, k), ())) for k in ACTION_MEASURE)
        stay_end = as_of if discharged is None else min(as_of, discharged)
        for kind, code in ACTION_MEASURE.items():
            risks = [at for at, risk in assessed.get((eid, kind), ()) if risk and admitted <= at <= stay_end]
            if not risks:
                continue
            start = min(risks)
            end = start + DAY
            if end > as_of or (discharged is not None and discharged < end):
                continue
            count = counts[(code, unit, period)][sex]
            count[1] += 1
            count[0] += any(start <= at <= end for at in acted.get((eid, kind), ()))
    measures = [{"measure": m, "unit": u, "period": p, "numerator": c["K"][0] + c["M"][0],
                 "denominator": c["K"][1] + c["M"][1], "by_sex": c}
                for (m, u, p), c in sorted(counts.items(), key=lambda kv: (ORDER.index(kv[0][0]), kv[0][1], kv[0][2]))]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"as_of": as_of_text, "measures": measures}, f, ensure_ascii=False)


if __name__ == "__main__":
    main(*sys.argv[1:6])
