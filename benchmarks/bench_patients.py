"""Patient-record benchmark: ingest, recompute, `patients compute` and the ward view under load.

Data: `benchmarks/patients_data.py` writes one year of records for 200 wards – by default
1 000 000 episodes, ≈3 000 000 assessments and ≈940 000 actions – as `;`-separated CSV, kept in
benchmarks/out/patients/ and reused while the generator's arguments are the same.

Without a database (always):
1. `lagesbild patients compute` on the three files (the console script, a process of its own)
   against `benchmarks/patients_baseline.py`, a plain-Python program doing the same four measures
   with no validation; both write the contract's JSON, and the figures must be equal.

On PostgreSQL (with DATABASE_URL): a throw-away database ``test_lagesbild_patients_<pid>``
created and migrated in a child process and dropped at the end (also on failure). In it:
2. a raw COPY of the three files into tables with the files' columns (no checks, no
   pseudonyms, no indexes): the baseline for the ingest, median of three; and, after the ingest,
   a COPY of the rows it stored back into the product's own tables (keys, indexes, foreign keys),
   rolled back: what the data model costs with no Python at all;
3. the ingest: `patients.services.import_records` with the three files in a process of its own
   (as `lagesbild patients import` runs), timed per phase; meanwhile this process requests the ward
   view of a 30-bed ward again and again as a nurse would see it (the fragment htmx polls), so
   its times are taken while the ingest runs; then the same files again (nothing changes);
4. the ward view on the full database with nothing else running;
5. a year's recompute of the four measures for every ward (the query `measure_sql` compiles from
   the declarative measures, as an import runs it) against a hand-written SQL query doing the
   same, interleaved, median of N; the two must give the same figures. The reference evaluator
   (loading the rows into Python) is timed once for comparison.

Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import patients_data
from .bench_rollup import percentile, summary
from .bench_survey import PeakRSS, _django_env, log, max_rss_bytes
from .child import own_database, phase_timer, run_child

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "patients"
DB_PREFIX = "test_lagesbild_patients_"
AS_OF = "2026-01-15 00:00"  # after the data's year: every window is complete
WARD = "BENCH-30"
KEY_ID, KEY = "bench", b"the benchmark's pseudonym key, not a secret"
ENV = {"LAGESBILD_MAX_ROWS": "5000000"}  # the assessments file has 3 million rows; the default bound is 2 million


@dataclass
class Config:
    episodes: int = 1_000_000
    runs: int = 3  # recompute: timed runs of each query after a warm-up
    idle_requests: int = 200  # ward view with nothing else running
    postgres: bool = True
    compute: bool = True


def data(cfg: Config) -> patients_data.Files:
    folder = OUT / f"data-{cfg.episodes}-{patients_data.SEED}"
    stamp = folder / "counts.json"
    if stamp.exists():
        counts = json.loads(stamp.read_text())
        return patients_data.Files(folder / "episodes.csv", folder / "assessments.csv", folder / "actions.csv", counts)
    log(f"writing {cfg.episodes:,} episodes to {folder}")
    made = patients_data.write(folder, cfg.episodes)
    stamp.write_text(json.dumps(made.counts))
    return made


def _rows(files: patients_data.Files) -> int:
    return sum(files.counts.values())


# --------------------------------------------------------------------------- 1. patients compute


def _timed_process(argv: list[str]) -> dict:
    """Wall time and peak RSS of a child process (wait4's rusage)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **ENV}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{argv[0]} … ended with exit status {proc.returncode}")
    return {"seconds": time.perf_counter() - t0, "max_rss": usage.ru_maxrss * 1024}


def compute_vs_baseline(files: patients_data.Files) -> dict:
    lagesbild = str(Path(sys.executable).with_name("lagesbild"))
    ours, theirs = OUT / "compute-lagesbild.json", OUT / "compute-baseline.json"
    paths = [str(files.episodes), str(files.assessments), str(files.actions)]
    log("patients compute (the console script)")
    product = _timed_process([lagesbild, "patients", "compute", "--episodes", paths[0], "--assessments", paths[1],
                              "--actions", paths[2], "--as-of", AS_OF, "--json", str(ours)])
    log("the plain-Python baseline")
    baseline = _timed_process([sys.executable, "-m", "benchmarks.patients_baseline", *paths, AS_OF, str(theirs)])
    a, b = json.loads(ours.read_text()), json.loads(theirs.read_text())
    return {"product": product, "baseline": baseline, "rows": len(a["measures"]),
            "same_figures": a["measures"] == b["measures"]}


# --------------------------------------------------------------------------- PostgreSQL child


def _setup(cfg: Config) -> dict:
    """The region's 5 hospitals × 40 wards, the 30-bed ward with 30 patients admitted in the last
    30 hours (some assessed), and a nurse with the patient-data role on the region."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from lagesbild.calc import localtime
    from lagesbild.core.actor import Actor
    from lagesbild.org.models import Membership, OrgUnit
    from lagesbild.patients import keys, services

    region = OrgUnit.objects.get(code="08")
    hospitals = {h: OrgUnit.objects.create(code=f"BH{h}", name=f"Sjukhus {h}", kind="verksamhet", parent=region)
                 for h in range(1, patients_data.HOSPITALS + 1)}
    for code in patients_data.ward_codes():
        OrgUnit.objects.create(code=code, name=f"Avdelning {code}", kind="enhet", parent=hospitals[int(code[2])])
    OrgUnit.objects.create(code=WARD, name="Avdelning med 30 vårdplatser", kind="enhet", parent=hospitals[1])
    nurse = get_user_model().objects.create_user("bench-nurse", password="x")
    Membership.objects.create(user=nurse, org_unit=region, role=Membership.Role.CARE)
    now = timezone.now()
    people = patients_data.people(30, random.Random(7))
    episodes = ["episode;personnummer;unit;admitted_at;discharged_at;säng"]
    assessments = ["episode;kind;performed_at;risk"]
    for i, number in enumerate(people):
        admitted = now - timedelta(minutes=60 * i + 17)
        stamp = localtime.local(admitted).strftime("%Y-%m-%d %H:%M")
        episodes.append(f"B30-{i:02d};{number};{WARD};{stamp};;Sal {i // 4 + 1}:{i % 4 + 1}")
        for k, kind in enumerate(patients_data.KINDS):
            if (i + k) % 3:
                at = localtime.local(admitted + timedelta(minutes=30 + 20 * k)).strftime("%Y-%m-%d %H:%M")
                assessments.append(f"B30-{i:02d};{kind};{at};{'Ja' if (i + k) % 2 else 'Nej'}")
    services.import_records({"episodes": ("\n".join(episodes).encode(), "avdelning30.csv"),
                             "assessments": ("\n".join(assessments).encode(), "bedomningar30.csv")},
                            actor=Actor.system(), key=keys.PseudonymKey(KEY_ID, KEY))
    return {"nurse_id": nurse.pk, "wards": len(patients_data.ward_codes()) + 1}


def copy_baseline(files: patients_data.Files, runs: int = 3) -> dict:
    """COPY the three files as they are into tables with the files' columns; median of ``runs``."""
    from django.db import connection

    tables = {"episodes": "episode text, personnummer text, unit text, admitted_at timestamptz, discharged_at timestamptz",
              "assessments": "episode text, kind text, performed_at timestamptz, risk text",
              "actions": "episode text, kind text, started_at timestamptz"}
    times = []
    for _ in range(runs):
        with connection.cursor() as cur:
            cur.execute("SET TIME ZONE 'Europe/Stockholm'")
            for name, columns in tables.items():
                cur.execute(f"DROP TABLE IF EXISTS bench_copy_{name}")
                cur.execute(f"CREATE TABLE bench_copy_{name} ({columns})")
            t0 = time.perf_counter()
            for name, path in files.paths().items():
                with cur.cursor.copy(f"COPY bench_copy_{name} FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)") \
                        as copy, open(path, "rb") as f:
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
            times.append(time.perf_counter() - t0)
            counted = {name: cur.execute(f"SELECT count(*) FROM bench_copy_{name}").fetchone()[0] for name in tables}
            for name in tables:
                cur.execute(f"DROP TABLE bench_copy_{name}")
            cur.execute("SET TIME ZONE 'UTC'")
    assert counted == files.counts, (counted, files.counts)
    return {"seconds": statistics.median(times), "runs": times}


def model_floor() -> dict:
    """COPY of the rows the ingest stored (pseudonyms made, times parsed, ids resolved) back into the
    product's tables, emptied in a transaction that is rolled back: what the data model itself
    costs (primary keys, the unique keys, the indexes, the foreign keys), with no Python at all."""
    from django.db import connection, transaction

    from lagesbild.patients.models import Assessment, Episode, PreventiveAction

    tables = [m._meta.db_table for m in (Episode, Assessment, PreventiveAction)]
    dumps = {}
    with connection.cursor() as cur:
        for table in tables:
            buffer = bytearray()
            with cur.cursor.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    buffer += block
            dumps[table] = bytes(buffer)
    rows = {}
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(tables)}, patients_movement")
            t0 = time.perf_counter()
            for table in tables:
                with cur.cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(dumps[table])
            copied = time.perf_counter() - t0
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, as a commit runs them
            seconds = time.perf_counter() - t0
            for table in tables:
                rows[table] = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            raise _RolledBack
    except _RolledBack:
        pass
    return {"seconds": seconds, "copy": copied, "foreign_keys": seconds - copied, "rows": rows,
            "bytes": sum(len(d) for d in dumps.values())}


class _RolledBack(Exception):
    pass


def _ward_timer(nurse_id: int):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(pk=nurse_id))
    url = f"/patienter/{WARD}/tabell/"

    def once() -> float:
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200 or b"B30-00" not in response.content:
            raise RuntimeError(f"the ward view answered {response.status_code} without the ward's patients")
        return elapsed

    return once


def _ingest_child_env(url: str, name: str) -> dict:
    parts = urlsplit(url)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME")}
    env.update(ENV, DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")))
    return env


def ingest_under_load(files: patients_data.Files, nurse_id: int, url: str, name: str, label: str) -> dict:
    """Run the ingest in a process of its own; time the ward view here until it ends."""
    once = _ward_timer(nurse_id)
    for _ in range(5):
        once()
    log(f"ingest ({label}) with the ward view requested meanwhile")
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.bench_patients", "--ingest", json.dumps(
        {name: str(path) for name, path in files.paths().items()})], cwd=ROOT, env=_ingest_child_env(url, name),
        stdout=subprocess.PIPE, text=True)
    result: dict = {}
    reader = threading.Thread(target=lambda: result.update(out=proc.stdout.read()))
    reader.start()
    times = []
    while proc.poll() is None:
        times.append(once())
        time.sleep(0.05)  # a ward's screens poll every 30 s; many of them together: a request every 50 ms
    reader.join()
    if proc.returncode:
        raise RuntimeError(f"the ingest ended with exit status {proc.returncode}")
    ingest = json.loads(result["out"].strip().splitlines()[-1])
    return {"ingest": ingest, "ward": summary(times) | {"p95": percentile(times, 95), "n": len(times)}}


def ingest_child(paths: dict[str, str]) -> dict:
    """In a process of its own: the import as `lagesbild patients import` runs it, timed per phase."""
    _django_env()
    import django

    django.setup()
    from lagesbild.calc import localtime
    from lagesbild.core.actor import Actor
    from lagesbild.patients import keys, records, services

    phases: dict[str, float] = defaultdict(float)

    timed = phase_timer(phases)

    timed(records, "load_for_import", "read and check the files, pseudonymise")
    timed(services, "_write_episodes", "write episodes")
    timed(services, "_replace_children", "write assessments and actions")
    timed(services, "recompute", "recompute the measures and write observations")
    sources = {name: (Path(p).read_bytes(), Path(p).name) for name, p in paths.items()}
    with PeakRSS() as peak:
        t0 = time.perf_counter()
        result = services.import_records(sources, actor=Actor.system(), key=keys.PseudonymKey(KEY_ID, KEY),
                                         as_of=localtime.parse(AS_OF))
        total = time.perf_counter() - t0
    return {"seconds": total, "phases": dict(phases), "episodes": result.episodes, "assessments": result.assessments,
            "actions": result.actions, "observations": result.observations, "outcome": result.outcome,
            "memory": peak.as_json(), "max_rss": max_rss_bytes()}


def idle_ward(nurse_id: int, n: int) -> dict:
    once = _ward_timer(nurse_id)
    for _ in range(10):
        once()
    times = [once() for _ in range(n)]
    return summary(times) | {"p95": percentile(times, 95), "n": n}


# --------------------------------------------------------------------------- 5. recompute


HAND_SQL = """
WITH ep AS (
    SELECT e.id, e.unit_id, e.sex, e.admitted_at, e.discharged_at,
           date_trunc('month', e.admitted_at AT TIME ZONE 'Europe/Stockholm')::date AS month
    FROM patients_episode e
    WHERE e.admitted_at >= %(start)s AND e.admitted_at < %(end)s AND e.age >= 70
      AND e.admitted_at + interval '24 hours' <= %(as_of)s
      AND (e.discharged_at IS NULL OR e.discharged_at >= e.admitted_at + interval '24 hours')
), assessed AS (
    SELECT a.episode_id, count(DISTINCT a.kind) AS kinds
    FROM patients_assessment a JOIN ep ON ep.id = a.episode_id
    WHERE a.performed_at BETWEEN ep.admitted_at AND ep.admitted_at + interval '24 hours'
    GROUP BY a.episode_id
), risk AS (
    SELECT a.episode_id, a.kind, min(a.performed_at) AS found
    FROM patients_assessment a JOIN ep ON ep.id = a.episode_id
    WHERE a.risk AND a.performed_at >= ep.admitted_at AND a.performed_at <= %(as_of)s
      AND (ep.discharged_at IS NULL OR a.performed_at <= ep.discharged_at)
    GROUP BY a.episode_id, a.kind
)
SELECT 'riskbedomning-70-24h', ep.unit_id, ep.month, ep.sex,
       count(*) FILTER (WHERE assessed.kinds = 3), count(*)
FROM ep LEFT JOIN assessed ON assessed.episode_id = ep.id
GROUP BY 2, 3, 4
UNION ALL
SELECT CASE r.kind WHEN 'fall' THEN 'atgard-24h-fallrisk' WHEN 'trycksar' THEN 'atgard-24h-trycksar'
                   ELSE 'atgard-24h-undernaring' END, ep.unit_id, ep.month, ep.sex,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM patients_preventiveaction x
                                      WHERE x.episode_id = r.episode_id AND x.kind = r.kind
                                        AND x.started_at BETWEEN r.found AND r.found + interval '24 hours')),
       count(*)
FROM risk r JOIN ep ON ep.id = r.episode_id
WHERE r.found + interval '24 hours' <= %(as_of)s
  AND (ep.discharged_at IS NULL OR ep.discharged_at >= r.found + interval '24 hours')
GROUP BY 1, 2, 3, 4
"""


def recompute_vs_sql(runs: int) -> dict:
    from django.db import connection

    from lagesbild.calc import localtime
    from lagesbild.calc import patient_measures as pm
    from lagesbild.org.models import OrgUnit
    from lagesbild.patients import measure_sql, services

    as_of = localtime.parse(AS_OF)
    wards = list(OrgUnit.objects.filter(code__in=patients_data.ward_codes()).values_list("pk", flat=True))
    cells = {(w, date(patients_data.YEAR, m, 1)) for w in wards for m in range(1, 13)}
    params = {"start": localtime.parse(f"{patients_data.YEAR}-01-01 00:00"),
              "end": localtime.parse(f"{patients_data.YEAR + 1}-01-01 00:00"), "as_of": as_of}

    def ours():
        got = defaultdict(lambda: [0, 0])
        for t in measure_sql.in_cells(pm.STANDARD_MEASURES, cells, as_of):
            got[(t.measure, t.unit_id, t.month, t.sex)][0] += t.numerator
            got[(t.measure, t.unit_id, t.month, t.sex)][1] += t.denominator
        return {k: tuple(v) for k, v in got.items()}

    def hand():
        with connection.cursor() as cur:
            cur.execute(HAND_SQL, params)
            return {(code, unit, month, sex): (num, den) for code, unit, month, sex, num, den in cur.fetchall()
                    if (unit, month) in cells}

    first_ours, first_hand = ours(), hand()  # warm-up, and the figures compared
    t_ours, t_hand = [], []
    for _ in range(runs):
        for fn, sink in ((ours, t_ours), (hand, t_hand)):
            t0 = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - t0)
    log("the reference evaluator over the same rows (loading them into Python)")
    t0 = time.perf_counter()
    reference = _reference(cells, as_of)
    t_ref = time.perf_counter() - t0
    return {"ours": summary(t_ours), "hand": summary(t_hand), "reference_seconds": t_ref,
            "groups": len(first_ours), "same_figures": first_ours == first_hand == reference,
            "denominator": sum(v[1] for k, v in first_ours.items() if k[0] == "riskbedomning-70-24h"),
            "cells": len(cells), "note": services.recompute.__doc__.split("\n")[0]}


def _reference(cells, as_of) -> dict:
    from lagesbild.calc import patient_measures as pm
    from lagesbild.patients.models import Assessment, Episode, PreventiveAction

    ids, episodes = {}, []
    for pk, eid, unit, admitted, discharged, age, sex in Episode.objects.filter(
            unit_id__in={u for u, _ in cells}).values_list("pk", "episode", "unit_id", "admitted_at", "discharged_at",
                                                            "age", "sex").iterator(chunk_size=20000):
        ids[pk] = eid
        episodes.append(pm.Episode(eid, str(unit), admitted, discharged, age, sex))
    assessments = [pm.Assessment(ids[pk], kind, at, risk) for pk, kind, at, risk in Assessment.objects.filter(
        episode_id__in=Episode.objects.filter(unit_id__in={u for u, _ in cells}).values("pk")).values_list(
        "episode_id", "kind", "performed_at", "risk").iterator(chunk_size=20000) if pk in ids]
    actions = [pm.Action(ids[pk], kind, at) for pk, kind, at in PreventiveAction.objects.values_list(
        "episode_id", "kind", "started_at").iterator(chunk_size=20000) if pk in ids]
    out = {}
    for row in pm.evaluate(episodes, assessments, actions, as_of):
        for sex, (num, den) in row.by_sex.items():
            key = (row.measure, int(row.unit), date.fromisoformat(row.period + "-01"), sex)
            if den and (key[1], key[2]) in cells:
                out[key] = (num, den)
    return out


# --------------------------------------------------------------------------- the children


def postgres_child(cfg: Config, files: patients_data.Files) -> dict:
    _django_env()
    out: dict = {"vendor": "postgresql"}
    with own_database(DB_PREFIX, out) as name:
        from django.db import connection

        url = os.environ["DATABASE_URL"]
        setup = _setup(cfg)
        log("raw COPY of the three files (baseline)")
        out["copy"] = copy_baseline(files)
        connection.close()  # the ingest's process needs no lock of ours
        out["first"] = ingest_under_load(files, setup["nurse_id"], url, name, "first")
        out["again"] = ingest_under_load(files, setup["nurse_id"], url, name, "the same files again")
        log("COPY of the stored rows into the product's tables (the data model's floor)")
        out["floor"] = model_floor()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        log("the ward view with nothing else running")
        out["idle_ward"] = idle_ward(setup["nurse_id"], cfg.idle_requests)
        log("a year's recompute against hand-written SQL")
        out["recompute"] = recompute_vs_sql(cfg.runs)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_total_relation_size('patients_episode') + "
                        "pg_total_relation_size('patients_assessment') + pg_total_relation_size('patients_preventiveaction'))")
            out["size"] = cur.fetchone()[0]
        v = connection.pg_version or 0
        out["server"] = f"{v // 10000}.{v % 10000}"
    out["max_rss"] = max_rss_bytes()
    return out


def _run_postgres(cfg: Config, files: patients_data.Files, env: dict) -> dict:
    out = run_child("benchmarks.bench_patients", cfg, env, DB_PREFIX, "postgresql")
    return {"vendor": "postgresql", **out} if "error" in out else out


def run(cfg: Config, env: dict | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    started = time.perf_counter()
    files = data(cfg)
    report: dict = {"config": asdict(cfg), "counts": files.counts, "rows": _rows(files),
                    "sizes": {name: path.stat().st_size for name, path in files.paths().items()}}
    if cfg.compute:
        report["compute"] = compute_vs_baseline(files)
    if cfg.postgres and env.get("DATABASE_URL"):
        report["postgres"] = _run_postgres(cfg, files, env)
    elif cfg.postgres:
        report["postgres_skipped"] = "DATABASE_URL is not set"
    report["elapsed"] = time.perf_counter() - started
    return report


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        config = Config(**json.loads(sys.argv[2]))
        print(json.dumps(postgres_child(config, data(config)), default=str))
    elif len(sys.argv) == 3 and sys.argv[1] == "--ingest":
        print(json.dumps(ingest_child(json.loads(sys.argv[2])), default=str))
    else:
        print("Run the benchmark with: .venv/bin/python -m benchmarks patients", file=sys.stderr)
        sys.exit(2)
