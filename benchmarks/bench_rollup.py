"""Roll-up benchmark: a synthetic national data set, the region dashboard, the import and the SQL.

PostgreSQL (with DATABASE_URL): a throw-away database ``test_lagesbild_rollup_<pid>`` on the
server DATABASE_URL names, created and migrated by Django's test-database machinery in a child
process and dropped at the end, also on failure (the parent drops it again if the child died).
In it: 60 measures, the 21 regions × (3 förvaltningar → 15 verksamheter → 200 enheter), and
21 × 200 × 60 × 120 months ≈ 30 million observations loaded with COPY. SQLite: the same for one
region (≈ 1.44 million observations) in a temporary file, also in a child process.

Measured in each child, in this order:

1. the load: COPY (or executemany on SQLite) with the secondary indexes and constraints
   dropped, then each index and constraint rebuilt, then ANALYZE; table and index sizes;
2. the region dashboard through django.test.Client (GET /uppfoljning/<region>/?period=2025-12)
   as a national user: warm-ups, then timed requests rotating over the regions; and
   ``selectors.measure_statuses`` on its own;
3. every query of one dashboard request (captured with ``connection.execute_wrapper``), each
   re-run on its own, to show where the time goes;
4. the roll-up queries: the SQL the selectors generate against hand-written SQL doing the same
   aggregation (several forms; the fastest is the baseline), interleaved, median of N runs
   after warm-up, with their rows compared and EXPLAIN (ANALYZE, BUFFERS) saved to
   benchmarks/out/rollup/;
5. the import of 1 000 000 new observation rows through ``services.import_observations`` and
   the same file again (unchanged), against a hand-written upsert (csv + COPY/executemany into
   a staging table + INSERT … ON CONFLICT) that is rolled back.

Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from . import rollup_data, rollup_sql
from .bench_survey import PeakRSS, _django_env, log, max_rss_bytes

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "rollup"
PERIOD = "2025-12"
DB_PREFIX = "test_lagesbild_rollup_"
IMPORT_YEAR = 2026


@dataclass
class Config:
    regions: int = 21
    leaves: int = rollup_data.LEAVES_PER_REGION
    measures: int = rollup_data.N_MEASURES
    months: int = rollup_data.MONTHS
    import_rows: int = 1_000_000
    requests: int = 50
    warmups: int = 3
    runs: int = 10
    sqlite_region: str = "08"
    sqlite_import_rows: int = 1_000_000
    postgres: bool = True
    sqlite: bool = True
    diagnostics: bool = True

    @property
    def observations(self) -> int:
        return self.regions * self.leaves * self.measures * self.months


# --------------------------------------------------------------------------- small helpers


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p95 of 50 values is the 48th smallest)."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def summary(times: list[float]) -> dict:
    return {"n": len(times), "p50": statistics.median(times), "p95": percentile(times, 95), "max": max(times),
            "min": min(times), "mean": statistics.fmean(times), "times": times}


def _norm(rows) -> list[tuple]:
    """Rows as comparable text tuples (Decimal vs int, date vs 'YYYY-MM-DD')."""
    return sorted(tuple("" if v is None else str(v) for v in r) for r in rows)


class Recorder:
    """connection.execute_wrapper: every query with its parameters, time and calling function."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append({"sql": sql, "params": params, "many": many, "seconds": time.perf_counter() - t0,
                               "caller": _caller()})


def _caller() -> str:
    """The innermost lagesbild function (file:function) on the stack, else the innermost non-Django one."""
    frames = traceback.extract_stack()[:-3]
    for f in reversed(frames):
        if "/lagesbild/" in f.filename and "/site-packages/" not in f.filename:
            return f"{f.filename.split('/lagesbild/', 1)[1]}:{f.name}"
    for f in reversed(frames):
        if "/django/" not in f.filename and "/benchmarks/" not in f.filename:
            return f"{Path(f.filename).name}:{f.name}"
    return "django"


def run_sql(sql: str, params) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def explain(vendor: str, sql: str, params) -> str:
    if vendor == "postgresql":
        rows = run_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(r[0] for r in rows)
    rows = run_sql("EXPLAIN QUERY PLAN " + sql, params)
    return "\n".join(" ".join(str(c) for c in r) for r in rows)


def plan_summary(vendor: str, plan: str) -> dict:
    """The access paths on the observation table, the execution time and the buffers of a plan."""
    access, seen = [], set()
    for line in plan.splitlines():
        text = line.strip().lstrip("->").strip()
        if vendor == "postgresql":
            if "on measurements_observation" in text or "on measurements_subtreesum" in text:
                node = text.split("  (")[0]
                node = node.replace(" on measurements_observation o", "").replace(" on measurements_observation", "")
                node = node.replace(" on measurements_subtreesum", " (subtree sums)")
                if node not in seen:
                    seen.add(node)
                    access.append(node)
        elif "measurements_observation" in text or "measurements_subtreesum" in text or " o USING" in text \
                or text.endswith(" o"):
            node = text.split(" ", 3)[-1] if text[0].isdigit() else text
            if node not in seen:
                seen.add(node)
                access.append(node)
    out = {"access": access}
    if vendor == "postgresql":
        first = plan.splitlines()[0] if plan else ""
        if "cost=" in first:
            out["cost"] = float(first.split("cost=")[1].split("..")[1].split()[0])
        for line in plan.splitlines():
            if " on org_orgunit" in line and "rows=" in line and "actual" in line:
                est = line.split("rows=")[1].split()[0]
                act = line.split("actual")[1].split("rows=")[1].split()[0]
                out["units_rows"] = f"{est} estimated, {act} actual"
                break
        for line in plan.splitlines():
            s = line.strip()
            if s.startswith("Execution Time:"):
                out["execution_ms"] = float(s.split(":")[1].split()[0])
            if s.startswith("Buffers:") and "buffers" not in out:
                out["buffers"] = s[len("Buffers:"):].strip()
            if s.startswith("JIT:"):
                out["jit"] = True
    return out


# --------------------------------------------------------------------------- building the data set


@dataclass
class World:
    vendor: str
    measure_ids: list[int]
    measure_codes: list[str]
    regions: list[tuple[int, str, str]]  # (id, code, path)
    leaves: list[tuple[int, int, str]]  # (global leaf number, unit id, code), region by region
    units: int
    national_user_id: int
    superuser_id: int
    timings: dict = field(default_factory=dict)


def build_world(cfg: Config, vendor: str, region_codes: Optional[list[str]] = None) -> World:
    """Measures, the organisation below the regions, targets and two users (bulk inserts)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from lagesbild.catalogue.models import FocusArea, Measure
    from lagesbild.measurements.models import Target
    from lagesbild.org.models import Membership, OrgUnit

    t0 = time.perf_counter()
    with transaction.atomic():
        if Measure.objects.exists():  # a future migration may ship a catalogue: the benchmark wants exactly its own
            Measure.objects.all().delete()
        areas = {f.number: f for f in FocusArea.objects.all()}
        specs = rollup_data.measures(cfg.measures)
        Measure.objects.bulk_create([
            Measure(code=s.code, title=s.title, measure_type=s.measure_type, focus_area=areas.get(s.focus_area),
                    unit=s.unit, decimals=s.decimals, direction=s.direction, frequency="month",
                    numerator_definition="Syntetisk täljare", denominator_definition="Syntetisk nämnare")
            for s in specs
        ])
        measures = {m.code: m for m in Measure.objects.all()}
        all_regions = list(OrgUnit.objects.filter(kind="region").order_by("code"))
        if region_codes:
            all_regions = [r for r in all_regions if r.code in region_codes]
        regions = all_regions[: cfg.regions] if not region_codes else all_regions
        trees = [rollup_data.region_tree(r.code, cfg.leaves) for r in regions]
        ids = {r.code: r.id for r in regions}
        for kind in ("forvaltning", "verksamhet", "enhet"):
            batch = [OrgUnit(code=u.code, name=u.name, kind=u.kind, parent_id=ids[u.parent_code], path=u.path,
                             current_path=u.path, depth=u.depth) for t in trees for u in t.units if u.kind == kind]
            for obj in OrgUnit.objects.bulk_create(batch, batch_size=5000):
                ids[obj.code] = obj.id
        nation = OrgUnit.objects.get(code="SE")
        targets = []
        for s in specs:
            m = measures[s.code]
            value, comp = {"percent": (80, ">="), "per_1000": (12, "<="), "index": (70, ">="), "count": (25, "<=")}[s.unit]
            targets.append(Target(measure=m, org_unit=nation, comparator=comp, value=value, warning_band=value * 0.05))
            if s.index % 3 == 0:  # a third of the measures have a regional target that overrides the national one
                for r in regions:
                    targets.append(Target(measure=m, org_unit=r, comparator=comp, value=value * 1.02 if comp == ">=" else value * 0.98))
        Target.objects.bulk_create(targets)
        # Published national figures ("riket") for every measure and month, as an import of reference rows gives.
        from lagesbild.measurements.models import ReferenceObservation

        values = rollup_data.Values(cfg.measures)
        base = values.bases([10**6])[0]
        refs = []
        for d in rollup_data.month_starts(months=cfg.months):
            for s, (num, den) in zip(specs, values.month_values(base, 10**6, rollup_data.month_no(d))):
                refs.append(ReferenceObservation(measure=measures[s.code], org_unit=nation, period_start=d,
                                                 numerator=num * 4200, denominator=None if den is None else den * 4200))
        ReferenceObservation.objects.bulk_create(refs, batch_size=5000)
        User = get_user_model()
        national = User.objects.create_user("bench-nationell", password=None)
        Membership.objects.create(user=national, org_unit=nation, role=Membership.Role.READER)
        superuser = User.objects.create_superuser("bench-admin", password=None)
    leaves, n = [], 0
    for t in trees:
        for u in t.leaves:
            leaves.append((n, ids[u.code], u.code))
            n += 1
    ordered = sorted(measures.values(), key=lambda m: m.code)
    w = World(vendor, [m.id for m in ordered], [m.code for m in ordered],
              [(r.id, r.code, r.path) for r in regions], leaves, sum(len(t.units) for t in trees) + len(regions),
              national.id, superuser.id)
    w.timings["build org, measures, targets (s)"] = time.perf_counter() - t0
    log(f"{vendor}: {len(measures)} measures, {len(regions)} regions, {len(leaves)} leaves in {w.timings['build org, measures, targets (s)']:.1f}s")
    return w


OBS_COLUMNS = ("measure_id", "org_unit_id", "period_start", "granularity", "sex", "age_band", "numerator",
               "denominator", "status", "updated_at")


def load_postgres(world: World, cfg: Config) -> dict:
    """COPY … FREEZE in one transaction with the secondary indexes and constraints dropped, then
    rebuild each of them, then ANALYZE."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    out: dict = {"steps": []}
    with raw.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE x.indrelid = 'measurements_observation'::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid) ORDER BY 1")
        indexes = cur.fetchall()
        cur.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'measurements_observation'::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname")
        constraints = cur.fetchall()
    values = rollup_data.Values(cfg.measures)
    months = rollup_data.month_starts(months=cfg.months)
    stamp = datetime(2026, 1, 15, tzinfo=timezone.utc).isoformat(sep=" ")
    leaves = [(n, uid) for n, uid, _ in world.leaves]
    cols = ", ".join(OBS_COLUMNS)
    t0 = time.perf_counter()
    rows = 0
    with raw.transaction():
        with raw.cursor() as cur:
            cur.execute("TRUNCATE measurements_observation")
            for name, _, _ in constraints:
                cur.execute(f'ALTER TABLE measurements_observation DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            with cur.copy(f"COPY measurements_observation ({cols}) FROM STDIN WITH (FREEZE)") as cp:
                last = time.perf_counter()
                for i, chunk in enumerate(rollup_data.copy_text(values, leaves, world.measure_ids, months, stamp)):
                    cp.write(chunk)
                    rows += chunk.count("\n")
                    if time.perf_counter() - last > 60:
                        last = time.perf_counter()
                        log(f"postgresql: COPY {rows:,} rows, {rows / (last - t0):,.0f} rows/s")
    t_copy = time.perf_counter() - t0
    out["rows"] = rows
    out["steps"].append({"name": f"COPY … FREEZE of {rows:_} rows (generated in Python while streaming)".replace("_", " "),
                         "seconds": t_copy})
    log(f"postgresql: COPY {rows:,} rows in {t_copy:.0f}s ({rows / t_copy:,.0f} rows/s)")
    with raw.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for name, ddl in indexes:
            t = time.perf_counter()
            cur.execute(ddl)
            out["steps"].append({"name": f"CREATE INDEX {name}", "seconds": time.perf_counter() - t})
            log(f"postgresql: {name} in {out['steps'][-1]['seconds']:.0f}s")
        for name, kind, ddl in constraints:
            t = time.perf_counter()
            cur.execute(f'ALTER TABLE measurements_observation ADD CONSTRAINT "{name}" {ddl}')
            what = "UNIQUE" if kind == "u" else "FOREIGN KEY (validated)"
            out["steps"].append({"name": f"ADD CONSTRAINT {name} ({what})", "seconds": time.perf_counter() - t})
            log(f"postgresql: {name} in {out['steps'][-1]['seconds']:.0f}s")
        out["steps"].append(_rebuild_sums())
        t = time.perf_counter()
        cur.execute("ANALYZE")
        out["steps"].append({"name": "ANALYZE (whole database)", "seconds": time.perf_counter() - t})
        cur.execute("RESET maintenance_work_mem")
        cur.execute("SELECT pg_relation_size('measurements_observation'), pg_indexes_size('measurements_observation'), "
                    "pg_total_relation_size('measurements_observation'), pg_database_size(current_database())")
        heap, idx, total, db = cur.fetchone()
        cur.execute("SELECT c.relname, pg_relation_size(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
                    "WHERE x.indrelid = 'measurements_observation'::regclass ORDER BY 2 DESC")
        out["index_sizes"] = cur.fetchall()
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "jit",
                     "max_parallel_workers_per_gather", "server_version"):
            cur.execute(f"SHOW {name}")
            settings[name] = cur.fetchone()[0]
        # Which of them the application's connection set (LAGESBILD_PG_OPTIONS), not the server.
        cur.execute("SELECT name FROM pg_settings WHERE source = 'client' ORDER BY name")
        settings["set_by_application"] = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        settings["collation"] = cur.fetchone()[0]
    out["total_seconds"] = time.perf_counter() - t0
    out.update(heap_bytes=heap, index_bytes=idx, total_bytes=total, database_bytes=db, settings=settings)
    return out


def _rebuild_sums() -> dict:
    """The load wrote past the import service, so the subtree sums are built afterwards, as
    `lagesbild data rebuild-sums` does."""
    from lagesbild.measurements import subtree_sums
    from lagesbild.measurements.models import SubtreeSum

    t = time.perf_counter()
    subtree_sums.rebuild()
    seconds = time.perf_counter() - t
    n = SubtreeSum.objects.count()
    log(f"subtree sums: {n:,} rows in {seconds:.0f}s")
    return {"name": f"subtree sums rebuilt from the observations ({n:_} rows)".replace("_", " "), "seconds": seconds}


def load_sqlite(world: World, cfg: Config) -> dict:
    """executemany in one transaction with the indexes dropped, then rebuild them, then ANALYZE."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    out: dict = {"steps": []}
    indexes = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                          "ORDER BY name", ("measurements_observation",)).fetchall()
    values = rollup_data.Values(cfg.measures)
    months = rollup_data.month_starts(months=cfg.months)
    stamp = datetime(2026, 1, 15, tzinfo=timezone.utc).isoformat(sep=" ")
    leaves = [(n, uid) for n, uid, _ in world.leaves]
    t0 = time.perf_counter()
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("BEGIN")
    for name, _ in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    sql = f"INSERT INTO measurements_observation ({', '.join(OBS_COLUMNS)}) VALUES ({', '.join('?' * len(OBS_COLUMNS))})"
    rows = 0
    for d, month_rows in rollup_data.observation_rows(values, leaves, world.measure_ids, months):
        ds = d.isoformat()
        raw.executemany(sql, [(m, u, ds, "month", "", "", num, den, "final", stamp) for m, u, num, den in month_rows])
        rows += len(month_rows)
    raw.execute("COMMIT")
    t_ins = time.perf_counter() - t0
    out["rows"] = rows
    out["steps"].append({"name": f"executemany INSERT of {rows:_} rows (one transaction, generated in Python)".replace("_", " "),
                         "seconds": t_ins})
    for name, ddl in indexes:
        t = time.perf_counter()
        raw.execute(ddl)
        out["steps"].append({"name": f"CREATE INDEX {name}", "seconds": time.perf_counter() - t})
    raw.execute("PRAGMA foreign_keys = ON")
    out["steps"].append(_rebuild_sums())
    t = time.perf_counter()
    raw.execute("ANALYZE")
    out["steps"].append({"name": "ANALYZE", "seconds": time.perf_counter() - t})
    out["total_seconds"] = time.perf_counter() - t0
    out["database_bytes"] = os.path.getsize(connection.settings_dict["NAME"])
    try:
        out["index_sizes"] = raw.execute(
            "SELECT name, SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?) "
            "GROUP BY name ORDER BY 2 DESC", ("measurements_observation",)).fetchall()
    except Exception:  # dbstat is a compile-time option
        out["index_sizes"] = []
    log(f"sqlite: {rows:,} rows in {out['total_seconds']:.0f}s")
    return out


# --------------------------------------------------------------------------- the dashboard


def _client(user_id: int):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def dashboard(world: World, cfg: Config) -> dict:
    """GET the region dashboard: warm-ups, then timed requests rotating over the regions."""
    from django.urls import reverse

    client = _client(world.national_user_id)
    codes = [code for _, code, _ in world.regions]

    def get(code: str) -> float:
        url = reverse("measurements:dashboard", kwargs={"code": code}) + f"?period={PERIOD}"
        t0 = time.perf_counter()
        response = client.get(url)
        dt = time.perf_counter() - t0
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code}")
        sparks = response.content.count(b'class="spark"')
        if sparks != cfg.measures:
            raise AssertionError(f"{url}: {sparks} measure rows with a sparkline, expected {cfg.measures}")
        return dt

    warm = [get(codes[i % len(codes)]) for i in range(cfg.warmups)]
    order = [codes[(cfg.warmups + i) % len(codes)] for i in range(cfg.requests)]
    times = [get(code) for code in order]
    out = summary(times)
    out["warmups"] = warm
    out["regions"] = len(codes)
    by_region: dict[str, list[float]] = {}
    for code, t in zip(order, times):
        by_region.setdefault(code, []).append(t)
    out["by_region"] = {code: statistics.median(ts) for code, ts in by_region.items()}
    log(f"{world.vendor}: dashboard p50 {out['p50'] * 1000:.0f} ms, p95 {out['p95'] * 1000:.0f} ms, "
        f"max {out['max'] * 1000:.0f} ms (warm-ups {', '.join(f'{w * 1000:.0f}' for w in warm)} ms)")
    return out


def region_plans(world: World, result: dict, tag: str = "") -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the dashboard's roll-up queries in its slowest and its fastest region."""
    from lagesbild.calc.periods import Period
    from lagesbild.measurements import selectors
    from lagesbild.org.models import OrgUnit

    by = result.get("by_region") or {}
    if len(by) < 2:
        return {}
    ranked = sorted(by, key=by.get)
    measures = selectors.measures_for(Period.parse(PERIOD))
    month = Period.parse(PERIOD)
    out = {}
    for label, code in (("slowest", ranked[-1]), ("fastest", ranked[0])):
        unit = OrgUnit.objects.get(code=code)
        _, calls = capture(lambda: selectors.measure_statuses(unit, measures, month))
        _, more = capture(lambda: selectors.child_statuses(unit, measures, month))
        items = []
        for k, c in enumerate(q for q in calls + more if "measurements_observation" in q["sql"]):
            run_sql(c["sql"], c["params"])
            t = time.perf_counter()
            run_sql(c["sql"], c["params"])
            seconds = time.perf_counter() - t
            plan = explain(world.vendor, c["sql"], c["params"])
            name = f"{world.vendor}-region-{label}-{code}-{k + 1}{tag}.txt"
            (OUT / name).write_text(f"-- {c['caller']}\n{c['sql']}\n-- params: {c['params']!r}\n\n{plan}\n", encoding="utf-8")
            items.append({"caller": c["caller"], "seconds": seconds, "plan": plan_summary(world.vendor, plan), "file": name})
        out[label] = {"code": code, "median": by[code], "queries": items}
    return out


def measure_statuses_alone(world: World, cfg: Config, n: int = 20) -> dict:
    from lagesbild.calc.periods import Period
    from lagesbild.measurements import selectors
    from lagesbild.org.models import OrgUnit

    measures = selectors.measures_for(Period.parse(PERIOD))
    period = Period.parse(PERIOD)
    units = list(OrgUnit.objects.filter(id__in=[r[0] for r in world.regions]).order_by("code"))
    for u in units[: cfg.warmups]:
        selectors.measure_statuses(u, measures, period)
    times = []
    for i in range(n):
        u = units[i % len(units)]
        t0 = time.perf_counter()
        out = selectors.measure_statuses(u, measures, period)
        times.append(time.perf_counter() - t0)
        if len(out) != cfg.measures or sum(1 for s in out if s.value is not None) != cfg.measures:
            raise AssertionError("measure_statuses did not return a value for every measure")
    res = summary(times)
    log(f"{world.vendor}: measure_statuses p50 {res['p50'] * 1000:.0f} ms, p95 {res['p95'] * 1000:.0f} ms")
    return res


def dashboard_breakdown(world: World, cfg: Config, runs: int = 5) -> dict:
    """Every query of one dashboard request, re-run on its own (median of ``runs``)."""
    from django.db import connection
    from django.urls import reverse

    client = _client(world.national_user_id)
    code = world.regions[0][1]
    url = reverse("measurements:dashboard", kwargs={"code": code}) + f"?period={PERIOD}"
    client.get(url)
    rec = Recorder()
    t0 = time.perf_counter()
    with connection.execute_wrapper(rec):
        client.get(url)
    total = time.perf_counter() - t0
    queries = []
    for i, q in enumerate(rec.calls):
        if q["many"] or not q["sql"].lstrip().upper().startswith("SELECT"):
            queries.append({"i": i + 1, "caller": q["caller"], "sql": q["sql"], "median": q["seconds"], "rerun": False,
                            "rows": None})
            continue
        run_sql(q["sql"], q["params"])
        times, rows = [], None
        for _ in range(runs):
            t = time.perf_counter()
            rows = run_sql(q["sql"], q["params"])
            times.append(time.perf_counter() - t)
        queries.append({"i": i + 1, "caller": q["caller"], "sql": q["sql"], "median": statistics.median(times),
                        "rerun": True, "rows": len(rows)})
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{world.vendor}-dashboard-queries.sql", "w", encoding="utf-8") as fh:
        for q, c in zip(queries, rec.calls):
            fh.write(f"-- {q['i']}: {q['caller']} ({q['median'] * 1000:.1f} ms)\n{c['sql']}\n-- params: {c['params']!r}\n\n")
    sql_total = sum(q["median"] for q in queries)
    log(f"{world.vendor}: dashboard with {len(queries)} queries, {total * 1000:.0f} ms, SQL {sql_total * 1000:.0f} ms")
    return {"region": code, "request_seconds": total, "sql_seconds": sql_total,
            "queries": [{k: v for k, v in q.items() if k != "sql"} | {"sql_head": q["sql"][:160]} for q in queries]}


def profile_dashboard(world: World, top: int = 14) -> dict:
    """cProfile one dashboard request: the functions with the most cumulative and own time.

    cProfile slows call-heavy Python down, so read the figures as shares, not as times.
    """
    import cProfile
    import pstats

    from django.urls import reverse

    client = _client(world.national_user_id)
    url = reverse("measurements:dashboard", kwargs={"code": world.regions[0][1]}) + f"?period={PERIOD}"
    client.get(url)
    prof = cProfile.Profile()
    prof.enable()
    client.get(url)
    prof.disable()
    st = pstats.Stats(prof)
    total = st.total_tt
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _) in st.stats.items():
        rows.append({"function": f"{_short(filename)}:{line}({func})", "calls": nc, "tottime": tt, "cumtime": ct,
                     "lagesbild": "/lagesbild/" in filename and "/site-packages/" not in filename})
    own = sorted(rows, key=lambda r: -r["tottime"])[:top]
    cum = sorted((r for r in rows if r["lagesbild"]), key=lambda r: -r["cumtime"])[:top]
    return {"total": total, "own": own, "cumulative": cum}


def _short(filename: str) -> str:
    if "/lagesbild/" in filename and "/site-packages/" not in filename:
        return "lagesbild/" + filename.split("/lagesbild/", 1)[1]
    for marker in ("/site-packages/", "/lib/python3.11/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# --------------------------------------------------------------------------- roll-up against baselines


def capture(fn: Callable[[], object]) -> tuple[object, list[dict]]:
    from django.db import connection

    rec = Recorder()
    with connection.execute_wrapper(rec):
        out = fn()
    return out, rec.calls


def _rollup_calls(calls: list[dict]) -> list[dict]:
    """The statements that read observations or their stored subtree sums."""
    return [c for c in calls if "measurements_observation" in c["sql"] or "measurements_subtreesum" in c["sql"]]


def run_statements(stmts: list[tuple[str, object]]) -> list[tuple]:
    return [row for sql, params in stmts for row in run_sql(sql, params)]


def _fold(rows: list[tuple]) -> list[tuple]:
    """Rows (group columns…, Σnumerator, Σdenominator, count) summed per group, so a unit's own rows
    plus its stored sums compare with one grouped query over the leaves."""
    out: dict[tuple, list] = {}
    for row in rows:
        if len(row) < 4:
            return _norm(rows)
        # The group's columns as a sorted set: the application may select them in another order.
        key, (num, den, n) = tuple(sorted(str(v) for v in row[:-3])), row[-3:]
        acc = out.setdefault(key, [0, None, 0])
        acc[0] += int(num or 0)
        acc[1] = acc[1] if den is None else (acc[1] or 0) + int(den)
        acc[2] += int(n)
    return _norm([(*k, *v) for k, v in out.items()])


def _as_date(value) -> Optional[date]:
    """A date parameter as the driver got it: a date (PostgreSQL) or ISO text (SQLite)."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def rollup_cases(world: World) -> list[dict]:
    """The application's roll-up queries (captured from the selectors) and their baselines."""
    from lagesbild.calc import periods
    from lagesbild.calc.periods import Period
    from lagesbild.measurements import selectors
    from lagesbild.org.models import OrgUnit

    v = world.vendor
    region = OrgUnit.objects.get(pk=world.regions[0][0])
    nation = OrgUnit.objects.get(code="SE")
    measures = selectors.measures_for(Period.parse(PERIOD))
    ids = [m.id for m in measures]
    one = measures[0]
    month = Period.parse(PERIOD)
    year = Period.parse(PERIOD[:4])
    first = month.shift(-12)
    cases = []
    unit_ids = list(OrgUnit.objects.filter(path__startswith=region.path).values_list("id", flat=True))

    def add(name, fn, baselines, note=""):
        _, calls = capture(fn)
        if not _rollup_calls(calls):
            cases.append({"name": name, "skipped": "the application runs no roll-up query here", "calls": calls})
            return
        cases.append({"name": name, "fn": fn, "calls": calls, "baselines": baselines, "note": note})

    add(f"sums_by_period: 1 measure × 13 months, region ({region.code})",
        lambda: selectors.sums_by_period(region, [one], first, month),
        rollup_sql.sums(v, region.path, [one.id], first.start, month.end, unit_ids)
        + rollup_sql.stored(v, region.id, [one.id], first.start, month.end))
    add(f"sums_by_period: {len(ids)} measures × 13 months, region",
        lambda: selectors.sums_by_period(region, measures, first, month),
        rollup_sql.sums(v, region.path, ids, first.start, month.end, unit_ids)
        + rollup_sql.stored(v, region.id, ids, first.start, month.end))
    add(f"sums_by_period: {len(ids)} measures × 13 months, the nation",
        lambda: selectors.sums_by_period(nation, measures, first, month),
        rollup_sql.sums_everything(v, ids, first.start, month.end)
        + rollup_sql.stored(v, nation.id, ids, first.start, month.end))
    add("child_values: 1 measure, month, region → förvaltningar",
        lambda: selectors.child_values(region, one, month),
        rollup_sql.per_child(v, region.path, region.id, [one.id], month.start, month.end,
                             selectors.COMPATIBLE[periods.MONTH], True))
    add("child_values: 1 measure, year, region → förvaltningar",
        lambda: selectors.child_values(region, one, year),
        rollup_sql.per_child(v, region.path, region.id, [one.id], year.start, year.end,
                             selectors.COMPATIBLE[periods.YEAR], True))
    # The dashboard (measure_statuses + reference_values + child_statuses). measure_statuses is
    # taken as it is: each of its queries on the observation table becomes a case, its baseline chosen by shape.
    _, calls = capture(lambda: selectors.measure_statuses(region, measures, month))
    obs = _rollup_calls(calls)
    dates = sorted(d for c in obs for p in (c["params"] or ()) if (d := _as_date(p)) is not None)
    last = rollup_data.add_months(dates[-1], -1)
    cases.append({"name": f"dashboard – measure_statuses: Σ per measure and month, {dates[0]:%Y-%m} … {last:%Y-%m}",
                  "calls": obs, "baselines": rollup_sql.sums(v, region.path, ids, dates[0], dates[-1], unit_ids)
                  + rollup_sql.stored(v, region.id, ids, dates[0], dates[-1])})
    add("dashboard – reference_values: the nation, 60 measures, month",
        lambda: selectors.reference_values(measures, nation, month),
        rollup_sql.sums_everything(v, ids, month.start, month.end))
    if len(world.regions) > 1:
        other = OrgUnit.objects.get(pk=world.regions[1][0])
        add(f"reference_values: another region ({other.code}) as the comparison, 60 measures, month",
            lambda: selectors.reference_values(measures, other, month),
            rollup_sql.sums(v, other.path, ids, month.start, month.end))
    add("dashboard – child_statuses: region → förvaltningar × 60 measures, month",
        lambda: selectors.child_statuses(region, measures, month),
        rollup_sql.per_child(v, region.path, region.id, ids, month.start, month.end,
                             selectors.COMPATIBLE[periods.MONTH], True))
    return cases


def compare(world: World, cfg: Config, only: Optional[Callable[[str], bool]] = None, tag: str = "") -> list[dict]:
    """App SQL vs the baselines: rows must match; interleaved runs, median of cfg.runs after warm-up."""
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for k, case in enumerate(rollup_cases(world), 1):
        if only is not None and not only(case["name"]):
            continue
        if case.get("skipped"):
            results.append({"name": case["name"], "skipped": case["skipped"],
                            "queries": [c["sql"][:200] for c in case["calls"]]})
            log(f"{world.vendor}: {case['name']}: skipped ({case['skipped']})")
            continue
        app = _rollup_calls(case["calls"])
        variants = [("app", [(c["sql"], c["params"]) for c in app])] + [(n, [(q, p)]) for n, q, p in case["baselines"]]
        app_rows = _fold(run_statements(variants[0][1]))
        res = {"name": case["name"], "note": case.get("note", ""), "app_sql": ";\n".join(c["sql"] for c in app),
               "caller": app[0]["caller"], "rows": len(app_rows), "statements": len(app), "variants": []}
        for name, stmts in variants[1:]:
            rows = _fold(run_statements(stmts))
            if rows != app_rows:
                res.setdefault("mismatch", []).append(name)
                log(f"{world.vendor}: {case['name']}: baseline {name!r} returned different rows "
                    f"({len(rows)} vs {len(app_rows)})")
        times = {name: [] for name, _ in variants}
        for _ in range(2):  # warm-up
            for name, stmts in variants:
                run_statements(stmts)
        for r in range(cfg.runs):
            order = variants[r % len(variants):] + variants[: r % len(variants)]  # rotate who goes first
            for name, stmts in order:
                t = time.perf_counter()
                run_statements(stmts)
                times[name].append(time.perf_counter() - t)
        for i, (name, stmts) in enumerate(variants):
            plan = "\n\n".join(explain(world.vendor, sql, params) for sql, params in stmts)
            text = "\n".join(f"{sql}\n-- params: {params!r}" for sql, params in stmts)
            slug = ("app" if i == 0 else f"baseline-{i}") + tag
            (OUT / f"{world.vendor}-{k:02d}-{slug}.txt").write_text(
                f"-- {case['name']}\n-- {name}\n{text}\n\n{plan}\n", encoding="utf-8")
            res["variants"].append({"name": name, "median": statistics.median(times[name]), "min": min(times[name]),
                                    "plan": plan_summary(world.vendor, plan), "file": f"{world.vendor}-{k:02d}-{slug}.txt"})
        if "fn" in case:  # the whole selector call, Python included
            t_sel = []
            for _ in range(max(3, cfg.runs // 2)):
                t = time.perf_counter()
                case["fn"]()
                t_sel.append(time.perf_counter() - t)
            res["selector_median"] = statistics.median(t_sel)
        base = min(res["variants"][1:], key=lambda x: x["median"])
        res["baseline"] = base["name"]
        res["ratio"] = res["variants"][0]["median"] / base["median"]
        log(f"{world.vendor}: {case['name']}: app {res['variants'][0]['median'] * 1000:.1f} ms, "
            f"baseline {base['median'] * 1000:.1f} ms ({base['name']}) → {res['ratio']:.2f}×")
        results.append(res)
    return results


# --------------------------------------------------------------------------- the import


def _import_file(world: World, rows: int, year: int) -> tuple[bytes, int]:
    values = rollup_data.Values(len(world.measure_ids))
    return rollup_data.import_csv(values, [(n, code) for n, _, code in world.leaves], world.measure_codes, year, rows)


CSV_ONLY = "for comparison: csv.reader alone"


def import_phases(data: bytes, name: str, actor) -> dict:
    """The service's validation steps on their own (the same functions, the same file)."""
    from lagesbild.catalogue.selectors import versions_by_code
    from lagesbild.ingest.readers import read_table
    from lagesbild.measurements import importers, services

    out = {}
    t = time.perf_counter()
    table = read_table(data, name)
    out["read_table"] = time.perf_counter() - t
    t = time.perf_counter()
    versions, units = versions_by_code(), services._units()
    out["code lookups (_lookups)"] = time.perf_counter() - t
    t = time.perf_counter()
    rows = importers.parse_observations(table, versions, units)
    out["importers.parse_observations"] = time.perf_counter() - t
    t = time.perf_counter()
    services._check_scope(table, rows, units, actor)
    out["scope check (_check_scope)"] = time.perf_counter() - t
    del table, rows
    t = time.perf_counter()
    plain = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";"))
    out[CSV_ONLY] = time.perf_counter() - t
    del plain
    return out


def _sql_split(calls: list[dict]) -> dict:
    """SQL time of an import by kind of statement (COPY through the raw driver is not seen here)."""
    out: dict[str, list] = {}
    for c in calls:
        sql = " ".join(c["sql"].split()).upper()
        if "SUBTREESUM" in sql:
            key = "subtree sums: recomputed per level (DELETE + 2 × INSERT … SELECT)"
        elif "ON CONFLICT" in sql:
            key = "INSERT … ON CONFLICT from the staging table (upsert)"
        elif sql.startswith("INSERT INTO LAGESBILD_OBS_IN"):
            key = "rows into the staging table (executemany)"
        elif sql.startswith('UPDATE "MEASUREMENTS_OBSERVATION"'):
            key = "UPDATE … FROM the staging table (changed rows)"
        elif sql.startswith('INSERT INTO "MEASUREMENTS_OBSERVATION"'):
            key = "INSERT … SELECT from the staging table (new rows)"
        elif sql.startswith("SELECT") and "MEASUREMENTS_OBSERVATION" in sql:
            key = "SELECT of the stored rows"
        else:
            key = "other statements"
        out.setdefault(key, [0, 0.0])
        out[key][0] += 1
        out[key][1] += c["seconds"]
    return {k: {"statements": n, "seconds": t} for k, (n, t) in out.items()}


def import_bench(world: World, rows: int, after: Optional[Callable[[], dict]] = None) -> dict:
    """services.import_observations: NEW rows (a new year), then the same file again."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from lagesbild.core.actor import Actor
    from lagesbild.measurements import services
    from lagesbild.measurements.models import Observation

    user = Actor.cli(get_user_model().objects.get(pk=world.superuser_id))
    data, n = _import_file(world, rows, IMPORT_YEAR)
    name = f"nationell-{IMPORT_YEAR}.csv"
    out = {"rows": n, "bytes": len(data), "year": IMPORT_YEAR, "units": len({line.split(b';')[1] for line in data.splitlines()[1:]})}
    before = Observation.objects.count() if world.vendor == "sqlite" else None
    rec = Recorder()
    with PeakRSS() as peak, connection.execute_wrapper(rec):
        t0 = time.perf_counter()
        r1 = services.import_observations(data, name, actor=user)
        out["first_seconds"] = time.perf_counter() - t0
    out["first_peak_rss"] = peak.as_json()
    out["first_sql"] = _sql_split(rec.calls)
    existing = [c for c in rec.calls if c["sql"].lstrip().upper().startswith("SELECT") and "measurements_observation" in c["sql"]
                and "lagesbild_obs_in" not in c["sql"] and not c["many"]]
    if r1.created != n:
        raise AssertionError(f"first import created {r1.created}, expected {n}")
    log(f"{world.vendor}: import {n:,} new rows in {out['first_seconds']:.1f}s")
    rec = Recorder()
    with PeakRSS() as peak, connection.execute_wrapper(rec):
        t0 = time.perf_counter()
        r2 = services.import_observations(data, name, actor=user)
        out["again_seconds"] = time.perf_counter() - t0
    out["again_peak_rss"] = peak.as_json()
    if r2.unchanged != n or r2.created or r2.updated:
        raise AssertionError(f"re-import: {r2.created} new, {r2.updated} changed, {r2.unchanged} unchanged")
    log(f"{world.vendor}: same file again (unchanged) in {out['again_seconds']:.1f}s")
    if before is not None and Observation.objects.count() != before + n:
        raise AssertionError("the import did not add exactly its rows")
    if after is not None:  # e.g. the dashboard right after the import, before anything vacuumed the table
        out["dashboard_after"] = after()
    # Where the time goes: the validation steps on their own, and the service's query for the rows already
    # stored (captured above; DECLARE/FETCH of a server-side cursor are not seen by execute_wrapper, so it is
    # re-run here with fetchall), now that they exist.
    out["phases"] = import_phases(data, name, user)
    if existing:
        q = existing[0]
        t = time.perf_counter()
        found = run_sql(q["sql"], q["params"])
        out["existing_query"] = {"seconds": time.perf_counter() - t, "rows": len(found), "sql_head": q["sql"][:300],
                                 "plan": plan_summary(world.vendor, explain(world.vendor, q["sql"], q["params"]))}
        del found
    log(f"{world.vendor}: import phases " + ", ".join(f"{k} {v:.1f}s" for k, v in out["phases"].items()))
    # The hand-written upsert, rolled back: once on new rows (the next year), once on the file just imported.
    data_next, _ = _import_file(world, rows, IMPORT_YEAR + 1)
    out["baseline_new_seconds"] = baseline_upsert(world, data_next, expect_new=n)
    out["baseline_again_seconds"] = baseline_upsert(world, data, expect_new=0)
    log(f"{world.vendor}: baseline upsert {out['baseline_new_seconds']:.1f}s new, {out['baseline_again_seconds']:.1f}s unchanged")
    return out


class _Rollback(Exception):
    pass


def baseline_upsert(world: World, data: bytes, expect_new: int) -> float:
    """csv.reader → ids → staging table → INSERT … ON CONFLICT DO UPDATE (only changed rows); rolled back."""
    from django.db import connection

    from lagesbild.catalogue.models import Measure
    from lagesbild.org.models import OrgUnit

    connection.ensure_connection()
    raw = connection.connection
    key = "measure_id, org_unit_id, period_start, granularity, sex, age_band"
    t0 = time.perf_counter()
    measures = {c.casefold(): i for c, i in Measure.objects.values_list("code", "id")}
    units = {c.casefold(): i for c, i in OrgUnit.objects.values_list("code", "id")}
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";")
    next(reader)
    now = datetime.now(timezone.utc)
    staged = [(measures[m.casefold()], units[u.casefold()], date(int(p[:4]), int(p[5:7]), 1), "month", sex, age,
               int(num), int(den) if den else None, st or "final")
              for m, u, p, sex, age, num, den, st in reader]
    upsert = (f"INSERT INTO measurements_observation ({key}, numerator, denominator, status, updated_at) "
              f"SELECT {key}, numerator, denominator, status, %s FROM staging WHERE true "
              f"ON CONFLICT ({key}) DO UPDATE SET numerator = excluded.numerator, denominator = excluded.denominator, "
              f"status = excluded.status, updated_at = excluded.updated_at "
              f"WHERE (measurements_observation.numerator, measurements_observation.denominator, measurements_observation.status) "
              f"IS DISTINCT FROM (excluded.numerator, excluded.denominator, excluded.status)")
    if world.vendor == "postgresql":
        try:
            with raw.transaction():
                with raw.cursor() as cur:
                    cur.execute("CREATE TEMP TABLE staging (measure_id bigint, org_unit_id bigint, period_start date, "
                                "granularity text, sex text, age_band text, numerator bigint, denominator bigint, status text) "
                                "ON COMMIT DROP")
                    with cur.copy("COPY staging FROM STDIN") as cp:
                        for r in staged:
                            cp.write_row(r)
                    cur.execute(upsert, (now,))
                    written = cur.rowcount
                    elapsed = time.perf_counter() - t0
                    raise _Rollback
        except _Rollback:
            pass
    else:
        raw.execute("BEGIN")
        try:
            raw.execute("CREATE TEMP TABLE staging (measure_id, org_unit_id, period_start, granularity, sex, age_band, "
                        "numerator, denominator, status)")
            raw.executemany("INSERT INTO staging VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(*r[:2], r[2].isoformat(), *r[3:]) for r in staged])
            cur = raw.execute(upsert.replace("%s", "?"), (now.isoformat(sep=" "),))
            written = cur.rowcount
            elapsed = time.perf_counter() - t0
        finally:
            raw.execute("ROLLBACK")
    expected = expect_new
    if written != expected:
        raise AssertionError(f"baseline upsert wrote {written} rows, expected {expected}")
    return elapsed


# --------------------------------------------------------------------------- diagnostics (PostgreSQL only)


def _set(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql)


def _scenario(world: World, cfg: Config, name: str, tag: str) -> dict:
    sc = {"name": name, "dashboard": dashboard(world, cfg), "breakdown": dashboard_breakdown(world, cfg),
          "measure_statuses": measure_statuses_alone(world, cfg)}
    sc["region_plans"] = region_plans(world, sc["dashboard"], tag=tag)
    sc["rollup"] = [
        {"name": r["name"], "app": r["variants"][0]["median"], "baseline": min(v["median"] for v in r["variants"][1:]),
         "baseline_name": r["baseline"], "ratio": r["ratio"], "access": r["variants"][0]["plan"].get("access", []),
         "cost": r["variants"][0]["plan"].get("cost"), "jit": r["variants"][0]["plan"].get("jit")}
        for r in compare(world, cfg, lambda n: "measure_statuses" in n, tag=tag) if not r.get("skipped")]
    return sc


JIT_ON = "jit = on (PostgreSQL's default)"
SERVER_DEFAULTS = "jit = on, random_page_cost = 4 (PostgreSQL's defaults)"


def diagnostics(world: World, cfg: Config) -> dict:
    """What-if, after the main measurements and before the import: the application's session settings
    (lagesbild/settings.py: jit = off, random_page_cost = 1.1) undone one at a time on the benchmark's
    connection, each on top of the one before, and reset afterwards: (1) jit = on, (2) also
    random_page_cost = 4 – PostgreSQL's defaults."""
    fewer = Config(**{**asdict(cfg), "requests": max(21, cfg.requests // 2), "runs": max(5, cfg.runs // 2)})
    out: dict = {"scenarios": []}
    try:
        _set("SET jit = on")
        out["scenarios"].append(_scenario(world, fewer, JIT_ON, "-jiton"))
        _set("SET random_page_cost = 4")
        out["scenarios"].append(_scenario(world, fewer, SERVER_DEFAULTS, "-defaults"))
    finally:
        _set("RESET jit")  # back to the values the connection started with
        _set("RESET random_page_cost")
    return out


# --------------------------------------------------------------------------- the child processes


CODE = ("lagesbild/measurements/selectors.py", "lagesbild/measurements/views.py", "lagesbild/measurements/services.py",
        "lagesbild/measurements/importers.py", "lagesbild/measurements/models.py", "lagesbild/ingest/tabular.py",
        "lagesbild/settings.py")


def code_fingerprint() -> dict[str, str]:
    """sha256 (first 12 hex digits) of the application files the figures depend on, as they were at the run."""
    import hashlib

    return {f: hashlib.sha256((ROOT / f).read_bytes()).hexdigest()[:12] for f in CODE if (ROOT / f).exists()}


def _child_common(world: World, cfg: Config, load: dict) -> dict:
    out = {"vendor": world.vendor, "load": load, "code": code_fingerprint(), "world": {
        "regions": len(world.regions), "leaves": len(world.leaves), "units": world.units,
        "measures": len(world.measure_ids), "months": cfg.months, "timings": world.timings,
        "region_codes": [c for _, c, _ in world.regions]}}
    out["dashboard"] = dashboard(world, cfg)
    OUT.mkdir(parents=True, exist_ok=True)
    out["region_plans"] = region_plans(world, out["dashboard"])
    out["measure_statuses"] = measure_statuses_alone(world, cfg)
    out["breakdown"] = dashboard_breakdown(world, cfg)
    out["profile"] = profile_dashboard(world)
    out["rollup"] = compare(world, cfg)
    return out


def postgres_child(cfg: Config) -> dict:
    _django_env()
    os.environ["TEST_DATABASE_NAME"] = f"{DB_PREFIX}{os.getpid()}"
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    log(f"postgresql: creating and migrating {os.environ['TEST_DATABASE_NAME']}")
    try:
        t0 = time.perf_counter()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        migrate = time.perf_counter() - t0
        world = build_world(cfg, "postgresql")
        world.timings["create database + migrate (s)"] = migrate
        load = load_postgres(world, cfg)
        out = _child_common(world, cfg, load)
        if cfg.diagnostics:
            out["diagnostics"] = diagnostics(world, cfg)
        out["import"] = import_bench(world, cfg.import_rows, after=lambda: dashboard(world, Config(**{
            **asdict(cfg), "requests": max(21, cfg.requests // 2)})))
        v = connection.pg_version or 0
        out["server"] = f"{v // 10000}.{v % 10000}"
    finally:
        try:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            log(f"postgresql: dropped {os.environ['TEST_DATABASE_NAME']}")
        except Exception as exc:  # the parent drops it again
            log(f"postgresql: could not drop the test database: {exc}")
    out["max_rss"] = max_rss_bytes()
    return out


def sqlite_child(cfg: Config) -> dict:
    os.environ.pop("DATABASE_URL", None)
    _django_env()
    tmp = Path(tempfile.mkdtemp(prefix="lagesbild-rollup-"))
    os.environ["LAGESBILD_VAR_DIR"] = str(tmp)
    try:
        import django
        from django.core.management import call_command

        django.setup()
        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        migrate = time.perf_counter() - t0
        # The organisation of every region (so the import file is the same as on PostgreSQL) …
        world_all = build_world(Config(**{**asdict(cfg), "regions": 21}), "sqlite")
        world_all.timings["migrate (s)"] = migrate
        # … but observations only for one region.
        region = next(r for r in world_all.regions if r[1] == cfg.sqlite_region)
        leaves = [leaf for leaf in world_all.leaves if leaf[2].startswith(f"{cfg.sqlite_region}-")]
        world = World("sqlite", world_all.measure_ids, world_all.measure_codes, [region], leaves, world_all.units,
                      world_all.national_user_id, world_all.superuser_id, world_all.timings)
        load = load_sqlite(world, cfg)
        out = _child_common(world, cfg, load)
        out["import"] = import_bench(world_all, cfg.sqlite_import_rows)
        out["import"]["note"] = "the same file as on PostgreSQL: a new year for the first leaves in region order"
        from django.db import connection

        out["server"] = connection.Database.sqlite_version
        connection.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["max_rss"] = max_rss_bytes()
    return out


def _drop_database(url: str, name: str, prefix: str = DB_PREFIX) -> None:
    """Drop a leftover benchmark database (the child normally drops it itself)."""
    import psycopg
    from urllib.parse import urlsplit

    if not name.startswith(prefix):
        raise ValueError(name)
    parts = urlsplit(url)
    kw = dict(host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password,
              dbname=parts.path.lstrip("/") or "postgres", autocommit=True)
    with psycopg.connect(**{k: v for k, v in kw.items() if v is not None}) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            log(f"postgresql: dropped the leftover database {name}")


def _run_child(kind: str, cfg: Config, env: dict) -> dict:
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.bench_rollup", "--child", kind, json.dumps(asdict(cfg))],
                            env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        stdout, _ = proc.communicate()
    except BaseException:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    finally:
        if kind == "postgresql":
            try:
                _drop_database(env["DATABASE_URL"], f"{DB_PREFIX}{proc.pid}")
            except Exception as exc:
                log(f"postgresql: could not check for a leftover database: {exc}")
    if proc.returncode != 0:
        log(f"{kind}: the child process ended with exit status {proc.returncode}")
        return {"vendor": kind, "error": f"the {kind} run failed (exit {proc.returncode}); see the log above"}
    return json.loads(stdout.strip().splitlines()[-1])


def run(cfg: Config, env: Optional[dict] = None) -> dict:
    """Both children (PostgreSQL only with DATABASE_URL in ``env``); returns plain data for the report."""
    env = dict(os.environ if env is None else env)
    for k in ("DJANGO_SETTINGS_MODULE", "LAGESBILD_VAR_DIR", "TEST_DATABASE_NAME"):
        env.pop(k, None)
    started = time.perf_counter()
    report: dict = {"config": asdict(cfg), "results": [], "observations": cfg.observations}
    url = env.get("DATABASE_URL")
    if cfg.postgres and url:
        log(f"postgresql: {cfg.regions} regions × {cfg.leaves} leaves × {cfg.measures} measures × {cfg.months} months "
            f"= {cfg.observations:,} observations")
        report["results"].append(_run_child("postgresql", cfg, env))
    elif cfg.postgres:
        report["postgres_skipped"] = "DATABASE_URL is not set"
    if cfg.sqlite:
        report["results"].append(_run_child("sqlite", cfg, {k: v for k, v in env.items() if k != "DATABASE_URL"}))
    report["elapsed"] = time.perf_counter() - started
    return report


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        config = Config(**json.loads(sys.argv[3]))
        result = postgres_child(config) if sys.argv[2] == "postgresql" else sqlite_child(config)
        print(json.dumps(result, default=str))
    else:
        print("Run the benchmark with: .venv/bin/python -m benchmarks rollup", file=sys.stderr)
        sys.exit(2)
