"""The roll-up benchmark's section of docs/benchmarks.md (rendered from bench_rollup.run's report)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .report import mb, n_

DASHBOARD_P95_MS = 300
IMPORT_SECONDS = 60
RATIO_LIMIT = 1.5
LABEL = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def ms(x: float | None) -> str:
    if x is None:
        return "–"
    v = x * 1000
    return f"{v:.2f}" if v < 1 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def sec(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def _by_vendor(report: dict) -> dict[str, dict]:
    return {r["vendor"]: r for r in report["results"]}


def _rate(rows: int, seconds: float) -> str:
    return n_(round(rows / seconds)) if seconds else "–"


def _summary(report: dict, info: dict, when: dt.datetime) -> dict:
    pg = _by_vendor(report).get("postgresql") or {}
    return {"when": when.isoformat(), "load": info.get("load"), "code": pg.get("code"), "config": report["config"],
            "dashboard_p50": (pg.get("dashboard") or {}).get("p50"), "dashboard_p95": (pg.get("dashboard") or {}).get("p95"),
            "import_seconds": (pg.get("import") or {}).get("first_seconds"),
            "import_again_seconds": (pg.get("import") or {}).get("again_seconds")}


def append_history(path, report: dict, info: dict, when: dt.datetime) -> None:
    """One line per PostgreSQL run, so a run can be set beside earlier runs of the same code."""
    import json

    row = _summary(report, info, when)
    if row["code"] and row["dashboard_p50"] is not None:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, default=str) + "\n")


def read_history(path) -> list[dict]:
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except OSError:
        return []


def _same_code(history: list[dict], report: dict, info: dict, when: dt.datetime) -> list[dict]:
    me = _summary(report, info, when)
    return [h for h in history if h.get("code") == me["code"] and h.get("config") == me["config"]
            and h.get("when") != me["when"]]


def render(report: dict, info: dict, when: dt.datetime, command: str, history: list[dict] | None = None) -> str:
    cfg = report["config"]
    res = _by_vendor(report)
    pg, lite = res.get("postgresql"), res.get("sqlite")
    L: list[str] = []
    w = L.append
    w("## Roll-up: a national data set, the region dashboard, the import and the roll-up SQL")
    w("")
    w("The question (issue: national-scale benchmark): on PostgreSQL with a synthetic national data set – 21 regions "
      "with about 200 leaf units each, 60 measures, 10 years of months (≈ 30 million observations) – does a region "
      f"dashboard (60 measures, the current period and a 13-month trend) answer in p95 < {DASHBOARD_P95_MS} ms, does "
      f"importing 1 million observation rows take < {IMPORT_SECONDS} s, and is each roll-up query within "
      f"{RATIO_LIMIT}× of hand-written SQL doing the same aggregation in the same run? And the same figures on SQLite "
      "for one region.")
    w("")
    _run(w, report, info, when, command, pg, lite)
    _data(w, report, cfg, pg, lite)
    others = _same_code(history or [], report, info, when) if pg else []
    _targets(w, pg, lite, others)
    _history(w, others)
    _dashboard(w, pg, lite)
    _region_plans(w, pg)
    _breakdown(w, pg, lite)
    _profile(w, pg, lite)
    _rollup(w, pg, lite)
    _import(w, pg, lite)
    _diagnostics(w, pg)
    w("### Interpretation")
    w("")
    w(interpretation(report, pg, lite, others))
    w("")
    return "\n".join(L)


def _run(w, report, info, when, command, pg, lite) -> None:
    w("### Run")
    w("")
    w("```")
    w(command)
    w("```")
    w("")
    w(f"- Date: {when.strftime('%Y-%m-%d %H:%M %Z').strip()}; the whole run took {report['elapsed'] / 60:.0f} min")
    w(f"- Python: {info['python']}; Django {info['django']}; SQLite {lite.get('server', info['sqlite']) if lite else info['sqlite']}")
    w(f"- CPU: {info['cpu']}, {info['cpus']} CPUs (os.cpu_count); memory {info['memory']}")
    w(f"- Platform: {info['platform']}")
    w(f"- Load average (1/5/15 min) at start: {info['load']}; at the end: {info.get('load_after', '–')} – other "
      "engineers' test runs share this machine and this PostgreSQL server, so the numbers carry some noise")
    if pg and "load" in pg:
        s = pg["load"].get("settings", {})
        w(f"- PostgreSQL {s.get('server_version', pg.get('server', '?'))}, server settings as found (not tuned for "
          f"the benchmark): shared_buffers {s.get('shared_buffers')}, work_mem {s.get('work_mem')}, "
          f"effective_cache_size {s.get('effective_cache_size')}, random_page_cost {s.get('random_page_cost')}, "
          f"jit {s.get('jit')}, max_parallel_workers_per_gather {s.get('max_parallel_workers_per_gather')}; "
          f"collation {s.get('collation')}"
          + (f"; of these the application's connection sets {', '.join(s['set_by_application'])} "
             "(`lagesbild/settings.py`), the rest are the server's" if s.get("set_by_application") else ""))
    code = next((r["code"] for r in report["results"] if r.get("code")), None)
    if code:
        w("- Application code measured (sha256, first 12 hex digits; the code changes while the project is being "
          "built, so the figures belong to these versions): " + ", ".join(f"`{k.split('/', 1)[1]}` {v}" for k, v in code.items()))
    if report.get("postgres_skipped"):
        w(f"- PostgreSQL: skipped ({report['postgres_skipped']}); set DATABASE_URL to run the national part")
    for r in report["results"]:
        if r.get("error"):
            w(f"- {LABEL[r['vendor']]}: {r['error']}")
    w("")


def _data(w, report, cfg, pg, lite) -> None:
    w("### Data set and load")
    w("")
    w("Generated deterministically by `benchmarks/rollup_data.py`: 60 measures (30 percent, 12 per 1 000, 6 index, "
      "12 count; a national target for each, a regional override for every third), and under each region "
      "3 förvaltningar → 15 verksamheter → 200 enheter (leaves), with `path`, `current_path` and `depth` as the "
      "application sets them. Every leaf has one row per measure and month (no sex or age split), "
      "2016-01 … 2025-12; the rows are written month by month and, within a month, region by region – the order "
      "monthly imports would give. The load drops the observation table's secondary indexes and constraints, "
      "streams the rows (PostgreSQL: `COPY … FREEZE` in the transaction that truncated the table, text generated in "
      "Python while streaming; SQLite: `executemany` in one transaction), rebuilds every index and constraint "
      "exactly as the migrations define them, builds the subtree sums (`subtree_sums.rebuild`, as `lagesbild data "
      "rebuild-sums` does: the load bypasses the import service, which keeps them current otherwise), then runs "
      "ANALYZE.")
    w("")
    full = cfg["regions"] == 21 and cfg["leaves"] == 200 and cfg["months"] == 120 and cfg["measures"] == 60
    if pg and not full:
        w(f"**Scaled down:** {cfg['regions']} regions × {cfg['leaves']} leaves × {cfg['measures']} measures × "
          f"{cfg['months']} months = {n_(report['observations'])} observations instead of 21 × 200 × 60 × 120 "
          "= 30 240 000.")
        w("")
    w("| | PostgreSQL | SQLite |")
    w("|---|---:|---:|")
    pw, lw = (pg or {}).get("world", {}), (lite or {}).get("world", {})
    pl, ll = (pg or {}).get("load", {}), (lite or {}).get("load", {})
    w(f"| regions with data | {pw.get('regions', '–')} | {lw.get('regions', '–')} |")
    w(f"| leaf units with data | {n_(pw['leaves']) if pw else '–'} | {n_(lw['leaves']) if lw else '–'} |")
    w(f"| org units in the database | {n_(pw['units'] + 291) if pw else '–'} | {n_(lw['units'] + 291) if lw else '–'} |")
    w(f"| observations | {n_(pl['rows']) if pl else '–'} | {n_(ll['rows']) if ll else '–'} |")
    w(f"| load, all steps (s) | {sec(pl.get('total_seconds'))} | {sec(ll.get('total_seconds'))} |")
    w(f"| observation table (heap) | {mb(pl.get('heap_bytes'))} | – |")
    w(f"| its indexes | {mb(pl.get('index_bytes'))} | – |")
    w(f"| database | {mb(pl.get('database_bytes'))} | {mb(ll.get('database_bytes'))} |")
    w("")
    for r in (pg, lite):
        if not r or "load" not in r:
            continue
        w(f"{LABEL[r['vendor']]} load steps:")
        w("")
        w("| Step | s |")
        w("|---|---:|")
        for st in r["load"]["steps"]:
            w(f"| {st['name']} | {sec(st['seconds'])} |")
        if r["load"].get("index_sizes"):
            w("")
            w("Index sizes: " + ", ".join(f"`{name}` {mb(size)}" for name, size in r["load"]["index_sizes"]) + ".")
        w("")


def _measured(r: dict | None) -> list[dict]:
    return [q for q in ((r or {}).get("rollup") or []) if not q.get("skipped")]


def _worst(r: dict) -> dict | None:
    rows = _measured(r)
    return max(rows, key=lambda x: x["ratio"]) if rows else None


def _targets(w, pg, lite, others: list[dict] | None = None) -> None:
    w("### Targets")
    w("")
    w("| Target | PostgreSQL (national data) | Result | SQLite (one region) |")
    w("|---|---:|---|---:|")
    d_pg, d_l = (pg or {}).get("dashboard"), (lite or {}).get("dashboard")
    w(f"| region dashboard p95 < {DASHBOARD_P95_MS} ms | {ms(d_pg['p95']) + ' ms' if d_pg else '–'} | "
      f"{verdict(d_pg['p95'] * 1000 < DASHBOARD_P95_MS) if d_pg else '–'} | {ms(d_l['p95']) + ' ms' if d_l else '–'} |")
    i_pg, i_l = (pg or {}).get("import"), (lite or {}).get("import")
    w(f"| import of {n_(i_pg['rows']) if i_pg else '1 000 000'} new rows < {IMPORT_SECONDS} s | "
      f"{sec(i_pg['first_seconds']) + ' s' if i_pg else '–'} | {verdict(i_pg['first_seconds'] < IMPORT_SECONDS) if i_pg else '–'}"
      f"{_spread(i_pg, others)} | "
      f"{sec(i_l['first_seconds']) + ' s' if i_l else '–'} ({n_(i_l['rows']) if i_l else ''} rows) |")
    wp, wl = (_worst(pg) if pg else None), (_worst(lite) if lite else None)
    n_fail = sum(1 for x in _measured(pg) if x["ratio"] > RATIO_LIMIT)
    n_all = len(_measured(pg))
    pg_cell = (f"worst {wp['ratio']:.2f}× ({wp['name'].split(':')[0]}); {n_all - n_fail} of {n_all} within"
               if wp else "–")
    lite_cell = f"worst {wl['ratio']:.2f}×" if wl else "–"
    w(f"| each roll-up query ≤ {RATIO_LIMIT}× the hand-written baseline | {pg_cell} | "
      f"{verdict(n_fail == 0) if wp else '–'} | {lite_cell} |")
    scen = ((pg or {}).get("diagnostics") or {}).get("scenarios") or []
    if scen:
        w("")
        w("The dashboard target under PostgreSQL's default settings instead of the application's session settings "
          "(the diagnostic below; the application otherwise unchanged): " + "; ".join(
              f"{sc['name']}: p95 {ms(sc['dashboard']['p95'])} ms – "
              f"{'pass' if sc['dashboard']['p95'] * 1000 < DASHBOARD_P95_MS else 'fail'}" for sc in scen) + ".")
    w("")


def _spread(i_pg: dict | None, others: list[dict] | None) -> str:
    runs = [h["import_seconds"] for h in (others or []) if h.get("import_seconds")]
    if not i_pg or not runs:
        return ""
    runs.append(i_pg["first_seconds"])
    return f" (met in {sum(1 for x in runs if x < IMPORT_SECONDS)} of {len(runs)} runs of this code, see below)"


def _history(w, runs: list[dict]) -> None:
    if not runs:
        return
    w("Other full runs of the same application code (same file hashes, same data set) on this machine, for the "
      "spread between runs (from `benchmarks/out/rollup-history.jsonl`):")
    w("")
    w("| Run | Load at start | Dashboard p50 / p95 (ms) | Import (s) | Same file again (s) |")
    w("|---|---|---:|---:|---:|")
    for h in sorted(runs, key=lambda h: h["when"]):
        w(f"| {h['when'][:16].replace('T', ' ')} | {h.get('load') or '–'} | {ms(h['dashboard_p50'])} / {ms(h['dashboard_p95'])} | "
          f"{sec(h['import_seconds'])} | {sec(h['import_again_seconds'])} |")
    w("")


def _dashboard(w, pg, lite) -> None:
    w("### Region dashboard")
    w("")
    w("`GET /uppfoljning/<region>/?period=2025-12` through `django.test.Client` as a national reader (force_login), "
      "the whole view: 60 measures with value, target, status, previous period, same month last year, the "
      "national comparison figure (`reference_values`), the 13-month sparkline, the children's status counts, "
      "the audit event and the rendered template. Warm-up requests first, then the timed requests rotating over "
      "the regions with data (p95 = nearest rank: the 48th of 50). `measure_statuses` alone is the selector "
      "called directly (20 calls after warm-up).")
    w("")
    w("| | Requests | p50 (ms) | p95 (ms) | max (ms) | min (ms) | warm-ups (ms) | measure_statuses p50 / p95 (ms) |")
    w("|---|---:|---:|---:|---:|---:|---|---:|")
    for r in (pg, lite):
        if not r or "dashboard" not in r:
            continue
        d, s = r["dashboard"], r["measure_statuses"]
        w(f"| {LABEL[r['vendor']]} ({d['regions']} region{'s' if d['regions'] > 1 else ''}) | {d['n']} | {ms(d['p50'])} | "
          f"{ms(d['p95'])} | {ms(d['max'])} | {ms(d['min'])} | {', '.join(ms(x) for x in d['warmups'])} | "
          f"{ms(s['p50'])} / {ms(s['p95'])} |")
    w("")
    for r in (pg, lite):
        by = (r or {}).get("dashboard", {}).get("by_region") or {}
        if len(by) > 1:
            ranked = sorted(by.items(), key=lambda kv: -kv[1])
            w(f"{LABEL[r['vendor']]}, median per region: slowest " + ", ".join(f"{c} {ms(t)} ms" for c, t in ranked[:6])
              + f"; fastest {ranked[-1][0]} {ms(ranked[-1][1])} ms.")
            w("")


def _region_plans(w, pg) -> None:
    rows = []
    if pg and pg.get("region_plans"):
        rows.append(("the application's settings", pg["region_plans"]))
    for sc in ((pg or {}).get("diagnostics", {}).get("scenarios") or []):
        if sc.get("region_plans"):
            rows.append((sc["name"], sc["region_plans"]))
    if not rows:
        return
    w("### The slowest and the fastest region (PostgreSQL)")
    w("")
    w("After the timed requests, the dashboard's roll-up queries for the region with the slowest and the one with "
      "the fastest median were run once more and explained (EXPLAIN (ANALYZE, BUFFERS) in "
      "`benchmarks/out/rollup/postgresql-region-*.txt`). The planner's cost estimate decides both the plan and whether "
      "JIT compiles it (above 100 000; with inlining and optimisation above 500 000).")
    w("")
    w("| Setting | Region | Median request (ms) | Query | Time (ms) | Estimated cost | JIT | Units (estimated, actual) | Plan on the observation table |")
    w("|---|---|---:|---|---:|---:|---|---|---|")
    for setting, plans in rows:
        for label in ("slowest", "fastest"):
            p = plans.get(label)
            if not p:
                continue
            for q in p["queries"]:
                pl = q["plan"]
                w(f"| {setting} | {label}: {p['code']} | {ms(p['median'])} | `{q['caller'].split(':')[-1]}` | {ms(q['seconds'])} | "
                  f"{n_(round(pl['cost'])) if pl.get('cost') else '–'} | {'yes' if pl.get('jit') else 'no'} | "
                  f"{pl.get('units_rows', '–')} | {'; '.join(pl.get('access', [])[:2]) or '–'} |")
    w("")


def _grouped(b: dict) -> list[tuple[str, int, float]]:
    agg: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for q in b["queries"]:
        agg[q["caller"]][0] += 1
        agg[q["caller"]][1] += q["median"]
    return sorted(((k, v[0], v[1]) for k, v in agg.items()), key=lambda x: -x[2])


def _breakdown(w, pg, lite) -> None:
    rows = [(r, r["breakdown"]) for r in (pg, lite) if r and "breakdown" in r]
    if not rows:
        return
    w("### Where one dashboard request spends its time")
    w("")
    w("Every query of one request (captured with `connection.execute_wrapper`, the calling function taken from the "
      "stack), each SELECT re-run on its own (median of 5; writes as measured in the request), grouped by caller. "
      "\"Outside SQL\" is the request time minus the queries: Python, the template and the sparklines. The SQL and "
      "the caller of every query are in `benchmarks/out/rollup/<engine>-dashboard-queries.sql`.")
    w("")
    for r, b in rows:
        w(f"{LABEL[r['vendor']]}, region {b['region']}: {len(b['queries'])} queries, request {ms(b['request_seconds'])} ms, "
          f"SQL {ms(b['sql_seconds'])} ms, outside SQL {ms(max(0.0, b['request_seconds'] - b['sql_seconds']))} ms.")
        w("")
        w("| Caller | Queries | ms |")
        w("|---|---:|---:|")
        for caller, n, t in _grouped(b):
            w(f"| `{caller}` | {n} | {ms(t)} |")
        w("")


def _profile(w, pg, lite) -> None:
    rows = [r for r in (pg, lite) if r and r.get("profile")]
    if not rows:
        return
    w("### The Python side of one dashboard request (cProfile)")
    w("")
    w("One request under cProfile, after a warm-up request. cProfile slows call-heavy code down, so read these as "
      "shares of the request, not as times. Cumulative time of the application's own functions:")
    w("")
    for r in rows:
        p = r["profile"]
        w(f"{LABEL[r['vendor']]} (profiled request {sec(p['total'])} s):")
        w("")
        w("| Function | Calls | Cumulative (s) | Share |")
        w("|---|---:|---:|---:|")
        for f in p["cumulative"][:10]:
            w(f"| `{f['function']}` | {n_(f['calls'])} | {f['cumtime']:.3f} | {f['cumtime'] / p['total']:.0%} |")
        w("")
        w("Most own time (all code):")
        w("")
        w("| Function | Calls | Own (s) |")
        w("|---|---:|---:|")
        for f in p["own"][:8]:
            w(f"| `{f['function']}` | {n_(f['calls'])} | {f['tottime']:.3f} |")
        w("")


def _rollup(w, pg, lite) -> None:
    w("### Roll-up queries against hand-written SQL")
    w("")
    w("For each roll-up query the application runs, the SQL Django generated was captured from the selector call "
      "(`connection.execute_wrapper`) and re-run through the same database cursor as the hand-written forms: the "
      "stored subtree sums plus the unit's own rows read by hand in one `UNION ALL` statement (the form the "
      "application uses), the join over the leaves with `path LIKE '<region path>%'`, the join with a path range (`path >= 'SE/01/' AND path < 'SE/010'`), "
      "the unit ids in a materialised CTE, on PostgreSQL also the unit ids as an array (`org_unit_id = "
      "ANY(ARRAY(SELECT …))`, one bitmap scan), and the unit ids looked up first and passed as a list (that lookup, "
      "≈ 0.2 ms, is not included); per child, the child cut out of the path with substr or a unit → "
      "child map in a CTE; for the last month with data, one index probe per unit × measure; for the nation, no "
      "join at all. The baseline is the fastest of them. Each form first had to return exactly the rows of the "
      "application's query (checked), then all ran interleaved, rotating who goes first, after 2 warm-up rounds; "
      "medians of the timed rounds (10 unless `--runs` says otherwise). The \"selector\" column is the whole Python "
      "call (ORM, row handling, folding in Python) for comparison. EXPLAIN (ANALYZE, BUFFERS) of every form is in "
      "`benchmarks/out/rollup/` (gitignored).")
    w("")
    for r in (pg, lite):
        if not r or "rollup" not in r:
            continue
        w(f"{LABEL[r['vendor']]}:")
        w("")
        w("| Query | Rows | App SQL (ms) | Baseline (ms) | Fastest hand-written form | Ratio | ≤ 1.5× | Selector (ms) | App plan on the observation table |")
        w("|---|---:|---:|---:|---|---:|---|---:|---|")
        for q in r["rollup"]:
            if q.get("skipped"):
                w(f"| {q['name']} | – | – | – | skipped: {q['skipped']} | – | – | – | – |")
                continue
            app = q["variants"][0]
            base = next(v for v in q["variants"][1:] if v["name"] == q["baseline"])
            access = "; ".join(app["plan"].get("access", [])[:2]) or "–"
            flag = " (rows differ: " + ", ".join(q["mismatch"]) + ")" if q.get("mismatch") else ""
            w(f"| {q['name']}{flag} | {n_(q['rows'])} | {ms(app['median'])} | {ms(base['median'])} | {q['baseline']} | "
              f"{q['ratio']:.2f}× | {'yes' if q['ratio'] <= RATIO_LIMIT else '**no**'} | {ms(q.get('selector_median'))} | "
              f"{access} |")
        w("")


def _import(w, pg, lite) -> None:
    w("### Import")
    w("")
    w("`services.import_observations(data, file_name, user)` – the real service, as the upload view calls it – with "
      "a `;`-separated UTF-8 CSV of new observations: the year 2026 (12 months × 60 measures) for the first leaves "
      "in region order (the same file on both engines), as a superuser. Then the same file again (the 'unchanged' "
      "path). The hand-written baseline does the same upsert without validation: `csv.reader`, code → id "
      "dictionaries, the rows into a temporary staging table (PostgreSQL `COPY`, SQLite `executemany`), then one "
      "`INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE the values differ`; it ran on the next year's rows "
      "(new) and on the file just imported (unchanged), each in a transaction that is rolled back.")
    w("")
    w("| | Rows | File | Import (s) | Rows/s | Same file again (s) | Rows/s | Peak RSS growth | Baseline new / unchanged (s) |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in (pg, lite):
        if not r or "import" not in r:
            continue
        i = r["import"]
        growth = (i.get("first_peak_rss") or {}).get("growth")
        w(f"| {LABEL[r['vendor']]} | {n_(i['rows'])} | {i['bytes'] / 1e6:.1f} MB | {sec(i['first_seconds'])} | "
          f"{_rate(i['rows'], i['first_seconds'])} | {sec(i['again_seconds'])} | {_rate(i['rows'], i['again_seconds'])} | "
          f"{mb(growth)} | {sec(i['baseline_new_seconds'])} / {sec(i['baseline_again_seconds'])} |")
    w("")
    for r in (pg, lite):
        a = (r or {}).get("import", {}).get("dashboard_after")
        if a:
            w(f"{LABEL[r['vendor']]}: the region dashboard right after the two imports (before anything vacuumed or "
              f"analysed the table again): p50 {ms(a['p50'])} ms, p95 {ms(a['p95'])} ms, max {ms(a['max'])} ms "
              f"({a['n']} requests over {a['regions']} region{'s' if a['regions'] > 1 else ''}).")
            w("")
    for r in (pg, lite):
        if not r or "import" not in r or "phases" not in r["import"]:
            continue
        i = r["import"]
        w(f"{LABEL[r['vendor']]}, where the first import's {sec(i['first_seconds'])} s go (the validation steps "
          "timed again on their own with the same file; the SQL statements as captured during the import):")
        w("")
        w("| Part | s |")
        w("|---|---:|")
        known = 0.0
        for k, v in i["phases"].items():
            if k.startswith("for comparison"):
                continue
            w(f"| {k} | {sec(v)} |")
            known += v
        for k, v in (i.get("first_sql") or {}).items():
            w(f"| SQL: {k} ({n_(v['statements'])}) | {sec(v['seconds'])} |")
            known += v["seconds"]
        w(f"| the rest: Python between the timed parts (keys and model instances or COPY rows for {n_(i['rows'])} rows, "
          "comparing with the stored rows, fetching them) | "
          f"{sec(max(0.0, i['first_seconds'] - known))} |")
        for k, v in i["phases"].items():
            if k.startswith("for comparison"):
                w(f"| ({k}, not part of the import) | {sec(v)} |")
        w("")
        e = i.get("existing_query")
        if e:
            access = "; ".join(e["plan"].get("access", [])[:2]) or "–"
            w(f"The service's query for the rows already stored (measures × the file's period range, no unit filter "
              f"with ≥ 1 000 units), re-run after the import: {sec(e['seconds'])} s for {n_(e['rows'])} rows; plan: {access}.")
            w("")


def _diagnostics(w, pg) -> None:
    d = (pg or {}).get("diagnostics")
    if not d or not d.get("scenarios"):
        return
    w("### Diagnostic: PostgreSQL's default settings (what the application's session settings change)")
    w("")
    w("The application's connections run with `jit = off` and `random_page_cost = 1.1` (`lagesbild/settings.py`, "
      "`LAGESBILD_PG_OPTIONS`); the figures above were measured with them. PostgreSQL's defaults are `jit = on` and "
      "`random_page_cost = 4`. With JIT on, a query whose estimated cost passes `jit_above_cost` (100 000) is compiled "
      "with LLVM before it runs, and past 500 000 (`jit_inline_above_cost`, `jit_optimize_above_cost`) with inlining "
      "and optimisation as well. `random_page_cost = 4` prices a random page read as if it came from a spinning disk. "
      "After the main measurements and before the import, the dashboard and its roll-up queries were timed again on the "
      "benchmark's own connection in two steps, the second on top of the first: (1) `SET jit = on`; (2) also "
      "`SET random_page_cost = 4`. Both were reset afterwards.")
    w("")
    base = pg["dashboard"]
    w("| Setting | Requests | p50 (ms) | p95 (ms) | max (ms) | measure_statuses p50 (ms) | Largest SQL shares in one request (ms) |")
    w("|---|---:|---:|---:|---:|---:|---|")
    top = ", ".join(f"`{c.split(':')[-1]}` {ms(t)}" for c, _, t in _grouped(pg["breakdown"])[:3]) if pg.get("breakdown") else ""
    w(f"| the application's settings, as measured above | {base['n']} | {ms(base['p50'])} | {ms(base['p95'])} | "
      f"{ms(base['max'])} | {ms(pg['measure_statuses']['p50'])} | {top} |")
    for sc in d["scenarios"]:
        dd = sc["dashboard"]
        top = ", ".join(f"`{c.split(':')[-1]}` {ms(t)}" for c, _, t in _grouped(sc["breakdown"])[:3]) if sc.get("breakdown") else ""
        msx = sc.get("measure_statuses", {}).get("p50")
        w(f"| {sc['name']} | {dd['n']} | {ms(dd['p50'])} | {ms(dd['p95'])} | {ms(dd['max'])} | {ms(msx)} | {top} |")
    w("")
    for sc in d["scenarios"]:
        for q in sc.get("rollup", []):
            w(f"- {sc['name']}: {q['name']} (region {pg['world']['region_codes'][0]}): app {ms(q['app'])} ms, fastest "
              f"hand-written {ms(q['baseline'])} ms ({q['baseline_name']}), {q['ratio']:.2f}×; app plan: "
              f"{'; '.join(q['access'][:2]) or '–'}, estimated cost {n_(round(q['cost'])) if q.get('cost') else '–'}"
              f"{', JIT-compiled' if q.get('jit') else ''}.")
    w("")


def _case(r: dict | None, needle: str) -> dict | None:
    return next((q for q in _measured(r) if needle in q["name"]), None)


def interpretation(report: dict, pg: dict | None, lite: dict | None, others: list[dict] | None = None) -> str:
    """Plain statements drawn from the figures, and the application-side changes they point to."""
    parts: list[str] = []
    proposals: list[str] = []
    for r in (pg, lite):
        if not r or "dashboard" not in r:
            continue
        lab = LABEL[r["vendor"]]
        d, b = r["dashboard"], r.get("breakdown")
        text = (f"**{lab}: the region dashboard** answers in {ms(d['p50'])} ms (p50) and {ms(d['p95'])} ms (p95)"
                + (f", {'within' if d['p95'] * 1000 < DASHBOARD_P95_MS else 'above'} the {DASHBOARD_P95_MS} ms target"
                   if r is pg else " (one region, no target)") + ".")
        if b:
            top = _grouped(b)[:3]
            text += (f" Of one request's {ms(b['request_seconds'])} ms, the queries take about {ms(b['sql_seconds'])} ms, most of it in "
                     + ", ".join(f"`{c.split('/')[-1]}` ({ms(t)} ms)" for c, n, t in top[:2])
                     + f"; everything outside SQL (the view's Python, the template with 60 sparklines, the session and "
                       f"audit writes) about {ms(max(0.0, b['request_seconds'] - b['sql_seconds']))} ms.")
        parts.append(text)

    # The dashboard's queries, one by one.
    for r in (pg, lite):
        if not r:
            continue
        lab = LABEL[r["vendor"]]
        age = _case(r, "last month with data")
        sums_cases = [q for q in _measured(r) if "measure_statuses" in q["name"] and "Σ per measure" in q["name"]]
        if age and age["ratio"] > RATIO_LIMIT:
            parts.append(
                f"{lab}: `measure_statuses` asks for the last month with data per measure with "
                f"`MAX(period_start) … GROUP BY measure_id` over the whole history of the subtree: {ms(age['variants'][0]['median'])} ms, "
                f"{age['ratio']:.1f}× the hand-written form that probes the index once per unit × measure "
                f"({ms(next(v['median'] for v in age['variants'] if v['name'] == age['baseline']))} ms). The plan reads every "
                "index entry of the region's 60 measures over ten years (PostgreSQL 15 has no skip scan).")
        if len(sums_cases) > 1 and len({q["app_sql"] for q in sums_cases}) == 1 and r is pg:
            parts.append(
                "For a month period the grouped queries of `measure_statuses` are the same SQL (the period, the "
                "previous month and the same month last year span 13 months, exactly like the sparkline), so the "
                "dashboard runs " + " + ".join(ms(q["variants"][0]["median"]) for q in sums_cases) + " ms for one result.")
        elif len(sums_cases) == 1 and not age and r is pg:
            q = sums_cases[0]
            leaf = min((v for v in q["variants"][1:] if not v["name"].startswith("stored")), key=lambda v: v["median"],
                       default=None)
            parts.append(
                f"`measure_statuses` reads the region's own rows and its stored subtree sums "
                f"({'one statement' if q.get('statements', 1) == 1 else str(q['statements']) + ' statements'}, "
                f"{ms(q['variants'][0]['median'])} ms, {n_(q['rows'])} sums) and "
                "takes the previous period, the same period last year, the sparkline and the last month with data "
                "from them"
                + (f"; summing the ≈ 156 000 leaf rows below the region instead (200 leaves × 60 measures × 13 months) "
                   f"takes {ms(leaf['median'])} ms by the fastest hand-written form ({leaf['name']})" if leaf else "")
                + ".")
    need = [r for r in (pg, lite) if r and _case(r, "last month with data") and _case(r, "last month with data")["ratio"] > RATIO_LIMIT]
    if need:
        proposals.append(
            "`lagesbild/measurements/selectors.py`, `measure_statuses`: take the last month with data from the grouped "
            "rows it already fetches, and query only for measures without a row in that window; fetch the rows once "
            "over the union of the period window and the sparkline window and fold them in Python.")
    diag = (pg or {}).get("diagnostics", {}).get("scenarios") or []
    jit = next((sc for sc in diag if sc["name"].startswith("jit = on (")), None)
    defaults = next((sc for sc in diag if "random_page_cost = 4" in sc["name"]), None)
    if pg and jit:
        off, on = pg["dashboard"], jit["dashboard"]
        text = (f"JIT: with `jit = on` the dashboard's p50 was {ms(on['p50'])} ms and p95 {ms(on['p95'])} ms, against "
                f"{ms(off['p50'])} / {ms(off['p95'])} ms with the application's `jit = off`")
        main = _case(pg, "dashboard – measure_statuses")
        main_on = next((x for x in jit.get("rollup", []) if main and x["name"] == main["name"]), None)
        if main and main_on:
            text += (f"; the dashboard's grouped query alone (region {pg['world']['region_codes'][0]}) took "
                     f"{ms(main_on['app'])} ms with JIT"
                     + (f" (estimated cost {n_(round(main_on['cost']))}, compiled)" if main_on.get("jit") and main_on.get("cost")
                        else " (not compiled: estimated below `jit_above_cost`)" if not main_on.get("jit") else "")
                     + f" and {ms(main['variants'][0]['median'])} ms without")
        parts.append(text + ".")
    if pg and defaults:
        parts.append(
            f"With PostgreSQL's defaults (`jit = on`, `random_page_cost = 4`) the dashboard's p50 was "
            f"{ms(defaults['dashboard']['p50'])} ms and p95 {ms(defaults['dashboard']['p95'])} ms"
            + (f" ({'within' if defaults['dashboard']['p95'] * 1000 < DASHBOARD_P95_MS else 'above'} the "
               f"{DASHBOARD_P95_MS} ms target)")
            + ". The session settings are therefore part of the result; a deployment behind a pooler that drops "
              "startup options (PgBouncer in transaction mode) should set them on the database instead "
              "(`ALTER DATABASE … SET jit = off`, `… SET random_page_cost = 1.1`).")
    plans = (pg or {}).get("region_plans") or {}
    if pg and plans.get("slowest") and plans.get("fastest") and plans["slowest"]["median"] > 1.5 * plans["fastest"]["median"]:
        sl, fa = plans["slowest"], plans["fastest"]
        qs = max(sl["queries"], key=lambda q: q["seconds"])
        qf = next((q for q in fa["queries"] if q["caller"] == qs["caller"]), None)

        def desc(q):
            pl = q["plan"]
            return (f"{'; '.join(pl.get('access', [])[:1]) or '?'}, estimated cost {n_(round(pl.get('cost', 0)))}"
                    + (f", region units {pl['units_rows']}" if pl.get("units_rows") else ""))
        if qf:
            text = (f"Plans: in the slowest region, {sl['code']} ({ms(sl['median'])} ms per request), "
                    f"`{qs['caller'].split(':')[-1]}`'s grouped query took {ms(qs['seconds'])} ms – {desc(qs)}; in the "
                    f"fastest, {fa['code']} ({ms(fa['median'])} ms), {ms(qf['seconds'])} ms – {desc(qf)}. The regions are "
                    "built alike, so the only difference is the planner's estimate of how many units match "
                    "`path LIKE 'SE/xx/%'` (from the histogram of `org_orgunit.path`), which can tip the plan.")
            lst = next((v for q in _measured(pg) if "60 measures × 13 months" in q["name"] for v in q["variants"]
                        if v["name"].startswith("unit ids looked up first")), None)
            if lst:
                text += (f" Handing the planner the exact unit ids does not cure this on its own: the hand-written form "
                         f"with the 219 ids as a list is estimated at {n_(round(lst['plan'].get('cost', 0)))} – right at "
                         f"the tipping point and above the JIT thresholds – and took {ms(lst['median'])} ms.")
            parts.append(text)
    # The roll-up ratio.
    for r in (pg, lite):
        if not r or "rollup" not in r:
            continue
        lab = LABEL[r["vendor"]]
        bad = [q for q in _measured(r) if q["ratio"] > RATIO_LIMIT]
        good = [q for q in _measured(r) if q["ratio"] <= RATIO_LIMIT]
        text = (f"{lab}: {len(good)} of {len(_measured(r))} roll-up queries are within {RATIO_LIMIT}× of the fastest "
                "hand-written SQL")
        if bad:
            text += "; above it: " + "; ".join(f"{q['name']} ({q['ratio']:.2f}× against '{q['baseline']}')" for q in bad)
            jitted = [q for q in bad if q["variants"][0]["plan"].get("jit")]
            if jitted:
                text += (". The application's plan for " + ("these" if len(jitted) > 1 else "it") + " was JIT-compiled "
                         "(estimated cost " + ", ".join(n_(round(q["variants"][0]["plan"].get("cost", 0))) for q in jitted)
                         + ")")
        stored = [q for q in good if q["ratio"] < 0.9 and "measurements_subtreesum" in q.get("app_sql", "")
                  and not any(v["name"].startswith("stored") for v in q["variants"][1:])]
        if stored:
            text += (". " + "; ".join(f"{q['name']} ({q['ratio']:.2f}×)" for q in stored) + " read the children's stored "
                     "subtree sums, while the hand-written forms for these cases sum the leaves below each child: the "
                     "ratio shows what the stored sums save, not a better plan")
        fast = [q for q in good if q["ratio"] < 0.9 and q not in stored]
        if fast:
            text += (". Where the application's SQL is faster than every hand-written form ("
                     + ", ".join(f"{q['ratio']:.2f}×" for q in fast) + "), the planner chose a different plan for it "
                     "(see the plan column and the saved EXPLAIN output)")
        parts.append(text + ".")
    # The import.
    for r in (pg, lite):
        if not r or "import" not in r:
            continue
        i, lab = r["import"], LABEL[r["vendor"]]
        ph = {k: v for k, v in (i.get("phases") or {}).items() if not k.startswith("for comparison")}
        validate = sum(ph.values())
        sql = sum(v["seconds"] for v in (i.get("first_sql") or {}).values())
        rest = max(0.0, i["first_seconds"] - validate - sql)
        text = (f"**{lab}: the import** of {n_(i['rows'])} new rows takes {sec(i['first_seconds'])} s "
                f"({_rate(i['rows'], i['first_seconds'])} rows/s"
                + (f", {'within' if i['first_seconds'] < IMPORT_SECONDS else 'above'} the {IMPORT_SECONDS} s target"
                   if r is pg else "") +
                f"), {i['first_seconds'] / i['baseline_new_seconds']:.1f}× the hand-written upsert "
                f"({sec(i['baseline_new_seconds'])} s); the same file again takes {sec(i['again_seconds'])} s "
                f"(hand-written {sec(i['baseline_again_seconds'])} s).")
        if ph:
            text += (f" Reading and validating the file (`read_table`, `parse_observations`, the scope check) takes "
                     f"{sec(validate)} s on its own, the SQL statements {sec(sql)} s, the rest of the service's Python "
                     f"{sec(rest)} s.")
        growth = (i.get("first_peak_rss") or {}).get("growth")
        if growth:
            text += f" The process grows by {mb(growth)} for a {i['bytes'] / 1e6:.0f} MB file."
        spread = [h["import_seconds"] for h in (others or []) if h.get("import_seconds")] if r is pg else []
        if spread:
            runs = sorted(spread + [i["first_seconds"]])
            met = sum(1 for x in runs if x < IMPORT_SECONDS)
            text += (f" Across {len(runs)} runs of the same code the import took {', '.join(sec(x) for x in runs)} s: "
                     f"the {IMPORT_SECONDS} s target was met in {met} of {len(runs)}, with little margin.")
        parts.append(text)
    if pg and "import" in pg:
        i = pg["import"]
        splits = i.get("first_sql") or {}
        if "INSERT batches (bulk_create)" in splits and i["first_seconds"] >= IMPORT_SECONDS:
            proposals.append(
                "`lagesbild/measurements/services.py`, `_store_observations`: on PostgreSQL, stream the validated rows "
                "with `COPY` into a temporary table and upsert with one `INSERT … SELECT … ON CONFLICT (measure_id, "
                "org_unit_id, period_start, granularity, sex, age_band) DO UPDATE SET … WHERE (numerator, denominator, "
                "status) IS DISTINCT FROM (EXCLUDED.…) RETURNING (xmax = 0)` – what the hand-written baseline does – "
                "instead of reading the stored rows, building a model instance per row and `bulk_create`/`bulk_update` "
                "in batches of 5 000.")
    if lite and "import" in lite:
        i = lite["import"]
        splits = i.get("first_sql") or {}
        if "INSERT batches (bulk_create)" in splits and i["first_seconds"] > 2 * i["baseline_new_seconds"]:
            proposals.append(
                "`lagesbild/measurements/services.py`, `_upsert_orm` (the path SQLite takes): SQLite ≥ 3.24 has the same "
                "`INSERT … ON CONFLICT (…) DO UPDATE … WHERE …` as PostgreSQL, so the PostgreSQL path can be shared: "
                "`executemany` the validated rows into a temporary table, then one upsert. The hand-written form of that "
                f"took {sec(i['baseline_new_seconds'])} s for the file against {sec(i['first_seconds'])} s through "
                "the model instances and `bulk_create` batches.")
    if proposals:
        parts.append("**Proposed application changes** (not made here: the benchmark does not edit `lagesbild/`):")
        parts.append("\n".join(f"{k}. {p}" for k, p in enumerate(proposals, 1)))
    extra = report.get("interpretation_notes")
    if extra:
        parts.extend(extra)
    return "\n\n".join(parts)
