"""Incidents benchmark: importing five years of a region's incidents, and the analytics pages on them.

Data: `benchmarks/incidents_data.py` writes a Synergi-style export of 500 000 incidents (the demo's
INCIDENT_HEADER, realistic descriptions) over the demo region's 151 enheter and 2021–2025, and
30 000 complaints over the same years split over the four channels, kept in
benchmarks/out/incidents/ and reused while the generator's arguments are the same.

On PostgreSQL (DATABASE_URL): a throw-away database ``test_ibench_incidents_<pid>``, created and
migrated in a child process (the starter catalogue comes with the migrations) and dropped at the
end (also on failure). In it the demo organisation (enheter.csv), the demo's care days (the
observations of `utskrivningsklara-vardagar`, so the page's rate per 1 000 care days has
something to divide by), the saved mappings of the demo's sources and a strategist of the region:
1. a raw COPY of the export into a bare table with the export's columns (no checks, no keys, no
   indexes): the baseline, median of three;
2. the import: `incidents.services.import_export` with the system actor in a process of its own
   (as `lagesbild incidents import` runs it), timed per phase with its peak memory; then the same
   file again (idempotent: nothing created or updated); then the complaints through their four
   sources; and a COPY of the stored rows back into the product's own table (keys, indexes,
   foreign keys; rolled back): what the data model costs with no Python at all;
3. the analytics pages as the strategist sees them, through Django's test client:
   /avvikelser/08/?ar=2025 and /avvikelser/08/klagomal/?ar=2025 against /ordlista/ (the baseline, a
   page of the app that reads nothing), interleaved, N requests each after a warm-up; then where a
   request's time goes: each selector and presenter timed on its own, the SQL of one request
   (recorded with its calling function) and a cProfile of one request.

Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import incidents_data
from .bench_rollup import Recorder, summary
from .bench_survey import PeakRSS, _django_env, log, max_rss_bytes
from .child import own_database, phase_timer, run_child

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "incidents"
DB_PREFIX = "test_ibench_incidents_"
SOURCE = "avvikelser"
REGION = "08"
YEAR = 2025
STRATEGIST = "bench-strateg"
PAGES = {"summary": f"/avvikelser/{REGION}/?ar={YEAR}", "complaints": f"/avvikelser/{REGION}/klagomal/?ar={YEAR}",
         "baseline": "/ordlista/"}
CARE_DAYS = "utskrivningsklara-vardagar"
COPY_COLUMNS = ("case_no text, reported date, occurred date, closed date, unit text, type text, cause text, "
                "severity text, lex_maria text, description text")


@dataclass
class Config:
    incidents: int = 500_000
    complaints: int = 30_000
    requests: int = 30  # timed requests per page, after the warm-up
    warmup: int = 3
    copy_runs: int = 3
    breakdown_runs: int = 5  # runs of each selector/presenter on its own
    page_budget: float = 240.0  # seconds: the timed requests stop after this (at least 10 rounds)
    profile_import: bool = False  # cProfile the imports (slower; for finding a hotspot)


def data(cfg: Config) -> incidents_data.Files:
    folder = OUT / f"data-{cfg.incidents}-{cfg.complaints}-{incidents_data.SEED}"
    stamp = folder / "counts.json"
    if stamp.exists():
        from lagesbild.demo_region.incidents import COMPLAINTS

        counts = json.loads(stamp.read_text())
        return incidents_data.Files(folder, folder / incidents_data.INCIDENTS_FILE,
                                    {c: folder / spec["file"] for c, spec in COMPLAINTS.items()}, counts)
    log(f"writing {cfg.incidents:,} incidents and {cfg.complaints:,} complaints to {folder}")
    made = incidents_data.write(folder, cfg.incidents, cfg.complaints)
    stamp.write_text(json.dumps(made.counts))
    return made


# --------------------------------------------------------------------------- set-up


def _setup() -> dict:
    """The demo organisation, its care days, the sources' mappings and a strategist of the region."""
    from django.contrib.auth import get_user_model

    from lagesbild.core.actor import Actor
    from lagesbild.demo_region import DATA_DIR
    from lagesbild.demo_region import incidents as demo
    from lagesbild.incidents import services
    from lagesbild.measurements import services as measurements
    from lagesbild.org import services as org
    from lagesbild.org.models import Membership, OrgUnit

    system = Actor.system()
    r = org.import_units((DATA_DIR / "enheter.csv").read_bytes(), "enheter.csv", actor=system)
    lines = (DATA_DIR / "observationer.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    care_days = "".join([lines[0], *(line for line in lines[1:] if line.startswith(CARE_DAYS + ";"))])
    o = measurements.import_observations(care_days.encode(), "vardagar.csv", actor=system)
    source = services.save_source(SOURCE, demo.INCIDENT_MAPPING, actor=system)
    channels = {channel: services.save_source(channel, spec["mapping"], actor=system).name
                for channel, spec in demo.COMPLAINTS.items()}
    user = get_user_model().objects.create_user(STRATEGIST, password="x")
    Membership.objects.create(user=user, org_unit=OrgUnit.objects.get(code=REGION), role=Membership.Role.STRATEGIST)
    return {"user_id": user.pk, "units": len(r.created), "care_day_observations": o.created, "source": source.name,
            "channels": channels}


# --------------------------------------------------------------------------- 1. the COPY baseline


def copy_baseline(path: Path, expected: int, runs: int) -> dict:
    """COPY the export as it is into a bare table with its columns; median of ``runs``."""
    from django.db import connection

    times = []
    for _ in range(runs):
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_copy_incidents")
            cur.execute(f"CREATE TABLE bench_copy_incidents ({COPY_COLUMNS})")
            t0 = time.perf_counter()
            with cur.cursor.copy("COPY bench_copy_incidents FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true, "
                                 "ENCODING 'UTF8')") as copy, open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            times.append(time.perf_counter() - t0)
            counted = cur.execute("SELECT count(*) FROM bench_copy_incidents").fetchone()[0]
            cur.execute("DROP TABLE bench_copy_incidents")
    if counted != expected:
        raise RuntimeError(f"the COPY stored {counted} rows, the file has {expected}")
    return {"seconds": statistics.median(times), "runs": times}


def model_floor() -> dict:
    """COPY of the incidents the import stored back into the product's table, emptied in a
    transaction that is rolled back: the primary key, the unique case key, the (unit, reported)
    index and the foreign keys, with no Python at all."""
    from django.db import connection, transaction

    from lagesbild.incidents.models import Incident

    table = Incident._meta.db_table
    buffer = bytearray()
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
            for block in copy:
                buffer += block
    result = {}
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table}")
            t0 = time.perf_counter()
            with cur.cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                copy.write(bytes(buffer))
            copied = time.perf_counter() - t0
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - t0
            result = {"seconds": seconds, "copy": copied, "foreign_keys": seconds - copied,
                      "rows": cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0], "bytes": len(buffer)}
            raise _RolledBack
    except _RolledBack:
        pass
    return result


class _RolledBack(Exception):
    pass


# --------------------------------------------------------------------------- 2. the import


def _child_env(url: str, name: str) -> dict:
    parts = urlsplit(url)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME")}
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return env


def import_in_process(path: Path, source: str, url: str, name: str, label: str, profile: bool = False) -> dict:
    log(f"import ({label}) in a process of its own")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_incidents", "--import", str(path), source]
                          + (["--profile"] if profile else []), cwd=ROOT, env=_child_env(url, name),
                          stdout=subprocess.PIPE, text=True)
    if proc.returncode:
        raise RuntimeError(f"the import ({label}) ended with exit status {proc.returncode}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_seconds"] = time.perf_counter() - t0
    log(f"import ({label}): {out['seconds']:.1f} s, created {out['created']}, updated {out['updated']}, "
        f"unchanged {out['unchanged']}")
    return out


def import_child(path: str, source_name: str, profile: bool) -> dict:
    """In a process of its own: the import as `lagesbild incidents import` runs it, timed per phase."""
    _django_env()
    import django

    django.setup()
    from lagesbild.core.actor import Actor
    from lagesbild.incidents import export, services
    from lagesbild.incidents.models import Incident, Source

    phases: dict[str, float] = defaultdict(float)

    timed = phase_timer(phases)

    timed(export, "read_rows", "read and check the export (export.read_rows)")
    timed(services, "_units", "match the unit codes (_units)")
    timed(Incident.objects, "bulk_create", "insert new cases (bulk_create)")
    timed(Incident.objects, "bulk_update", "update changed cases (bulk_update)")
    timed(services, "write_handling", "derive the 28-day observations (write_handling)")
    data = Path(path).read_bytes()
    source = Source.objects.get(name=source_name)
    profiler = cProfile.Profile() if profile else None
    with PeakRSS() as peak:
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        result = services.import_export(data, Path(path).name, source=source, actor=Actor.system())
        if profiler:
            profiler.disable()
        total = time.perf_counter() - t0
    phases["the rest: load stored cases, compare, build objects, record the import"] = total - sum(phases.values())
    out = {"seconds": total, "phases": dict(phases), "created": result.created, "updated": result.updated,
           "unchanged": result.unchanged, "outcome": result.outcome, "observations": result.observations,
           "memory": peak.as_json(), "max_rss": max_rss_bytes(), "bytes": len(data)}
    if profiler:
        out["profile"] = _top(profiler, 25)
    return out


def _top(profiler: cProfile.Profile, n: int) -> list[dict]:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (file, line, func), (cc, nc, tt, ct, _) in stats.stats.items():
        short = file.split("/site-packages/")[-1].split("/work/main/")[-1]
        rows.append({"function": f"{short}:{line}({func})", "calls": nc, "tottime": tt, "cumtime": ct})
    rows.sort(key=lambda r: -r["cumtime"])
    return rows[:n]


def import_complaints(files: incidents_data.Files, sources: dict[str, str]) -> dict:
    from lagesbild.core.actor import Actor
    from lagesbild.incidents import services
    from lagesbild.incidents.models import Source

    out = {}
    for channel, path in files.complaints.items():
        t0 = time.perf_counter()
        r = services.import_export(path.read_bytes(), path.name, source=Source.objects.get(name=sources[channel]),
                                   actor=Actor.system())
        out[channel] = {"seconds": time.perf_counter() - t0, "created": r.created}
    return out


# --------------------------------------------------------------------------- 3. the pages


def _client(user_id: int):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def _expected() -> dict[str, bytes]:
    """A figure each page must show (so a page that answers 200 without its data fails)."""
    from lagesbild.calc import fmt
    from lagesbild.incidents.models import Complaint, Incident

    incidents = Incident.objects.filter(reported__year=YEAR).count()
    complaints = Complaint.objects.filter(received__year=YEAR, channel="patientnamnd").count()
    return {"summary": fmt.number(incidents).encode(), "complaints": fmt.number(complaints).encode(),
            "baseline": b"<h1"}


def time_pages(user_id: int, requests: int, warmup: int, budget: float) -> dict:
    client = _client(user_id)
    expected = _expected()

    def once(name: str) -> float:
        t0 = time.perf_counter()
        response = client.get(PAGES[name])
        elapsed = time.perf_counter() - t0
        if response.status_code != 200 or expected[name] not in response.content:
            raise RuntimeError(f"{PAGES[name]} answered {response.status_code} without {expected[name]!r}")
        return elapsed

    for _ in range(warmup):
        for name in PAGES:
            once(name)
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    t0 = time.perf_counter()
    for i in range(requests):
        if i >= 10 and time.perf_counter() - t0 > budget:
            log(f"the pages: stopped after {i} rounds (--page-budget {budget:.0f} s)")
            break
        for name in PAGES:
            times[name].append(once(name))
    sizes = {name: len(client.get(url).content) for name, url in PAGES.items()}
    return {name: summary(t) | {"bytes": sizes[name]} for name, t in times.items()}


def breakdown(runs: int) -> dict:
    """Each part of the two views on its own, median of ``runs`` (after one warm-up call)."""
    from django.utils import timezone

    from lagesbild.calc import incident_stats, periods
    from lagesbild.incidents import presenters, selectors
    from lagesbild.incidents.models import Incident
    from lagesbild.org.models import OrgUnit

    unit = OrgUnit.objects.get(code=REGION)
    as_of = timezone.localdate()
    counts = selectors.year_counts(unit, YEAR, as_of)
    shown = "patientnamnd"
    parts = {
        "summary": {
            "selectors.years": lambda: selectors.years(unit),
            "selectors.summary: the year's counts as aggregates (year_counts)":
                lambda: selectors.year_counts(unit, YEAR, as_of),
            "selectors.summary: calc.incident_stats.summary_of over them": lambda: incident_stats.summary_of(counts, YEAR),
            "selectors.care_day_rate": lambda: selectors.care_day_rate(unit, YEAR),
            "selectors.complaint_summary": lambda: selectors.complaint_summary(unit, YEAR),
            "selectors.open_cases": lambda: selectors.open_cases(unit, as_of),
            "selectors.by_child": lambda: selectors.by_child(unit, YEAR),
            "presenters.count_chart: selectors.monthly_counts (part of the next)":
                lambda: selectors.monthly_counts(unit, periods.add_months(date(YEAR, 12, 1), -35), date(YEAR, 12, 31)),
            "presenters.count_chart (counts, XmR, SVG)": lambda: presenters.count_chart(unit, YEAR, "Avvikelser"),
        },
        "complaints": {
            "selectors.complaint_years": lambda: selectors.complaint_years(unit),
            "selectors.complaint_summary": lambda: selectors.complaint_summary(unit, YEAR),
            "selectors.by_child (one channel)": lambda: selectors.by_child(unit, YEAR, shown),
            "presenters.count_chart (one channel)": lambda: presenters.count_chart(unit, YEAR, "Klagomål", channel=shown),
        },
    }
    out = {"rows_in_summary": counts.incidents + counts.previous_year, "incidents_in_subtree": Incident.objects.count()}
    for page, fns in parts.items():
        out[page] = {}
        for label, fn in fns.items():
            fn()
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            out[page][label] = statistics.median(times)
    return out


def _median_time(fn, runs: int) -> tuple[float, object]:
    result = fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def copy_insert() -> dict:
    """The stored incidents as Python tuples written back with COPY … FROM STDIN and ``write_row``
    (as ``patients.services._insert`` writes its rows) instead of ``bulk_create``, in a
    transaction that is rolled back: what inserting the new cases would take with that change."""
    from django.db import connection, transaction

    from lagesbild.incidents.models import Incident

    fields = ["source_id", "case", "unit_id", "reported", "occurred", "closed", "type", "cause", "severity", "lex_maria",
              "description", "source_import_id", "updated_at"]
    rows = list(Incident.objects.values_list(*fields).iterator(chunk_size=20000))
    table = Incident._meta.db_table
    columns = ", ".join(connection.ops.quote_name(Incident._meta.get_field(f.removesuffix("_id")).column) for f in fields)
    result = {}
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table}")
            t0 = time.perf_counter()
            with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            copied = time.perf_counter() - t0
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            result = {"seconds": time.perf_counter() - t0, "copy": copied, "rows": len(rows)}
            raise _RolledBack
    except _RolledBack:
        pass
    return result


def sql_of_one_request(user_id: int, name: str) -> dict:
    """Every query of one request with its time and the lagesbild function that ran it."""
    from django.db import connection

    client = _client(user_id)
    client.get(PAGES[name])
    recorder = Recorder()
    t0 = time.perf_counter()
    with connection.execute_wrapper(recorder):
        client.get(PAGES[name])
    total = time.perf_counter() - t0
    by_caller: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for call in recorder.calls:
        by_caller[call["caller"]][0] += 1
        by_caller[call["caller"]][1] += call["seconds"]
    slowest = sorted(recorder.calls, key=lambda c: -c["seconds"])[:5]
    return {"seconds": total, "queries": len(recorder.calls), "sql_seconds": sum(c["seconds"] for c in recorder.calls),
            "by_caller": sorted(([k, *v] for k, v in by_caller.items()), key=lambda r: -r[2]),
            "slowest": [{"seconds": c["seconds"], "caller": c["caller"], "sql": c["sql"][:400]} for c in slowest]}


def profile_request(user_id: int, name: str) -> list[dict]:
    client = _client(user_id)
    client.get(PAGES[name])
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(PAGES[name])
    profiler.disable()
    return _top(profiler, 30)


# --------------------------------------------------------------------------- the child


def postgres_child(cfg: Config, files: incidents_data.Files) -> dict:
    _django_env()
    out: dict = {"vendor": "postgresql"}
    with own_database(DB_PREFIX, out) as name:
        from django.db import connection

        url = os.environ["DATABASE_URL"]
        out["setup"] = _setup()
        log("raw COPY of the export (baseline)")
        out["copy"] = copy_baseline(files.incidents, files.counts["incidents"], cfg.copy_runs)
        connection.close()  # the import's process needs no lock of ours
        source = out["setup"]["source"]
        out["first"] = import_in_process(files.incidents, source, url, name, "first", cfg.profile_import)
        out["again"] = import_in_process(files.incidents, source, url, name, "the same file again", cfg.profile_import)
        log("the complaints through their four sources")
        out["complaints"] = import_complaints(files, out["setup"]["channels"])
        log("COPY of the stored incidents into the product's table (the data model's floor)")
        out["floor"] = model_floor()
        with connection.cursor() as cur:
            # What autovacuum does after a bulk load (statistics and the visibility map, which
            # lets the (unit, date) indexes answer the per-month counts without the table).
            cur.execute("VACUUM ANALYZE")
        log(f"the pages: {cfg.requests} requests each after {cfg.warmup} warm-ups, interleaved")
        user_id = out["setup"]["user_id"]
        out["pages"] = time_pages(user_id, cfg.requests, cfg.warmup, cfg.page_budget)
        log("where the time goes: each part on its own, the SQL of one request, a profile of one request")
        out["breakdown"] = breakdown(cfg.breakdown_runs)
        out["sql"] = {page: sql_of_one_request(user_id, page) for page in ("summary", "complaints")}
        out["profile"] = {page: profile_request(user_id, page) for page in ("summary", "complaints")}
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_total_relation_size('incidents_incident'))")
            out["size"] = cur.fetchone()[0]
        v = connection.pg_version or 0
        out["server"] = f"{v // 10000}.{v % 10000}"
    out["max_rss"] = max_rss_bytes()
    return out


def _run_postgres(cfg: Config, env: dict) -> dict:
    out = run_child("benchmarks.bench_incidents", cfg, env, DB_PREFIX, "postgresql")
    return {"vendor": "postgresql", **out} if "error" in out else out


def run(cfg: Config, env: dict | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    started = time.perf_counter()
    files = data(cfg)
    report: dict = {"config": asdict(cfg), "counts": files.counts, "bytes": files.incidents.stat().st_size}
    if env.get("DATABASE_URL"):
        report["postgres"] = _run_postgres(cfg, env)
    else:
        report["postgres_skipped"] = "DATABASE_URL is not set (this benchmark runs on PostgreSQL only)"
    report["elapsed"] = time.perf_counter() - started
    return report


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        config = Config(**json.loads(sys.argv[2]))
        print(json.dumps(postgres_child(config, data(config)), default=str))
    elif len(sys.argv) >= 4 and sys.argv[1] == "--import":
        print(json.dumps(import_child(sys.argv[2], sys.argv[3], "--profile" in sys.argv[4:]), default=str))
    else:
        print("Run the benchmark with: .venv/bin/python -m benchmarks incidents", file=sys.stderr)
        sys.exit(2)
