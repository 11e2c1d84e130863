"""What the control charts' icons add to the region dashboard (PostgreSQL).

`python -m benchmarks spc` builds, in a throw-away database ``test_lagesbild_spc_<pid>`` on the
server DATABASE_URL names (created and migrated in a child process, dropped at the end), one region
of the roll-up benchmark's synthetic data – 3 förvaltningar → 15 verksamheter → 200 enheter,
60 measures, 36 months (432 000 observations, loaded with COPY as there) – plus a rebase at the
region for every fifth measure and "fix after 12" / run length 6 for every seventh, so the settings
and the rebases are read and applied as in use.

Then the region dashboard (GET /uppfoljning/<region>/?period=2025) through django.test.Client:
the same page with the icons switched off (``LAGESBILD_DASHBOARD_SPC = False``, the baseline) and
on, alternating request by request so both see the same machine state; warm-ups first. Each
response is checked: with SPC every measure has its variation icon, without it none. Besides the
wall-clock times: the CPU time of the request's thread and the garbage collector's full passes
(generation 2) that fell in each arm. Also timed alone: the
SPC work in Python for all 60 measures (``presenters._spc_icons``: the settings, the rebases and
the charts) and the dashboard's roll-up query with its window widened from 24 to 36 months.

Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from .bench_rollup import Config as RollupConfig
from .bench_rollup import build_world, load_postgres, percentile
from .bench_survey import _django_env, log, max_rss_bytes
from .child import run_child

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "spc"
DB_PREFIX = "test_lagesbild_spc_"
PERIOD = "2025"


@dataclass
class Config:
    requests: int = 30  # timed requests with and without SPC
    block: int = 1  # requests per block; the blocks alternate (1: every other request)
    warmups: int = 3
    leaves: int = 200
    months: int = 36
    measures: int = 60


def _summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": statistics.median(ms), "p95": percentile(ms, 95), "min": min(ms), "max": max(ms)}


def _extras(world, cfg: Config) -> dict:
    """Rebases and settings on a share of the measures, as a region in use would have."""
    from lagesbild.measurements.models import Rebase, SpcSetting
    from lagesbild.org.models import OrgUnit

    region = OrgUnit.objects.get(pk=world.regions[0][0])
    codes = world.measure_codes
    Rebase.objects.bulk_create([Rebase(measure_code=c, org_unit=region, month=date(2025, 1, 1), reason="Ny rutin infördes")
                                for c in codes[::5]])
    SpcSetting.objects.bulk_create([SpcSetting(measure_code=c, fix_after=12, run_length=6) for c in codes[::7]])
    return {"rebases": len(codes[::5]), "settings": len(codes[::7])}


def _timed(cfg: Config, world) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(pk=world.national_user_id))
    url = f"/uppfoljning/{world.regions[0][1]}/?period={PERIOD}"

    cpu: dict[bool, list[float]] = {False: [], True: []}
    full_gc = {False: 0, True: 0}
    passes = []
    gc.callbacks.append(lambda phase, info: passes.append(1) if phase == "start" and info["generation"] == 2 else None)

    def get(spc: bool) -> float:
        with override_settings(LAGESBILD_DASHBOARD_SPC=spc):
            before = len(passes)
            t0, c0 = time.perf_counter(), time.thread_time()
            response = client.get(url)
            ms = (time.perf_counter() - t0) * 1000
            cpu[spc].append((time.thread_time() - c0) * 1000)
            full_gc[spc] += len(passes) - before
        assert response.status_code == 200, response.status_code
        body = response.content.decode()
        icons = body.count('class="spc-icon" src="/static/lagesbild/spc/') - (10 if spc else 0)  # less the legend's
        rows = body.count('<tr data-measure="')
        if spc and icons < rows:
            raise AssertionError(f"{icons} icons for {rows} measures")
        if not spc and icons:
            raise AssertionError(f"{icons} icons with SPC off")
        return ms

    for _ in range(cfg.warmups):
        get(False)
        get(True)
    cpu[False].clear()
    cpu[True].clear()
    full_gc.update({False: 0, True: 0})
    times: dict[bool, list[float]] = {False: [], True: []}
    while len(times[True]) < cfg.requests:
        for spc in (False, True):
            times[spc] += [get(spc) for _ in range(min(cfg.block, cfg.requests - len(times[spc])))]
    queries = {}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for spc in (False, True):
        with override_settings(LAGESBILD_DASHBOARD_SPC=spc), CaptureQueriesContext(connection) as q:
            client.get(url)
        queries[spc] = len(q)
    body = client.get(url).content.decode()
    variation = {k: body.count(f"/spc/{k}.svg") - 1 for k in (
        "common_cause", "improvement_high", "improvement_low", "concern_high", "concern_low", "neutral_high", "neutral_low")}
    assurance = {k: body.count(f"/spc/{k}.svg") - 1 for k in ("consistent_pass", "consistent_fail", "inconsistent")}
    paired = [b - a for a, b in zip(times[False], times[True])]  # each request with SPC less the one just before it
    return {"off": _summary(times[False]), "on": _summary(times[True]), "paired": _summary(paired),
            "cpu_off": _summary(cpu[False]), "cpu_on": _summary(cpu[True]), "full_gc": {"off": full_gc[False],
            "on": full_gc[True]}, "queries": {"off": queries[False],
            "on": queries[True]}, "variation": variation, "assurance": assurance, "url": url}


def _parts(world, runs: int = 20) -> dict:
    """The SPC work alone: the Python side for all measures, and the roll-up query's wider window."""
    from lagesbild.calc.periods import Period
    from lagesbild.measurements import presenters, selectors
    from lagesbild.org.models import OrgUnit

    region = OrgUnit.objects.get(pk=world.regions[0][0])
    period = Period.parse(PERIOD)
    measures = selectors.measures_for(period)
    targets = selectors.targets_around(region, measures, period.start)

    def statuses(months: int):
        return selectors.measure_statuses(region, measures, period, targets=targets, spc_months=months)

    with_series = statuses(36)
    out = {"measures_with_icons": sum(len(s.spc_values) >= presenters.SPC_MIN_POINTS for s in with_series)}
    for name, fn in (("statuses 24 months (ms)", lambda: statuses(0)), ("statuses 36 months (ms)", lambda: statuses(36)),
                     ("SPC in Python, all measures (ms)", lambda: presenters._spc_icons(region, with_series))):
        fn()
        ms = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            ms.append((time.perf_counter() - t0) * 1000)
        out[name] = statistics.median(ms)
    return out


def child(cfg: Config) -> dict:
    _django_env()
    os.environ["TEST_DATABASE_NAME"] = f"{DB_PREFIX}{os.getpid()}"
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    out: dict = {"config": asdict(cfg)}
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        rc = RollupConfig(regions=1, leaves=cfg.leaves, measures=cfg.measures, months=cfg.months)
        world = build_world(rc, "postgresql")
        load = load_postgres(world, rc)
        out["observations"] = load["rows"]
        out["region"] = world.regions[0][1]
        out["extras"] = _extras(world, cfg)
        log(f"spc: {load['rows']:,} observations loaded; timing the dashboard")
        out["dashboard"] = _timed(cfg, world)
        out["parts"] = _parts(world)
        v = connection.pg_version or 0
        out["server"] = f"{v // 10000}.{v % 10000}"
    finally:
        try:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        except Exception as exc:  # the parent drops it again
            log(f"spc: could not drop the test database: {exc}")
    out["max_rss"] = max_rss_bytes()
    return out


def run(cfg: Config, env: dict | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    for k in ("DJANGO_SETTINGS_MODULE", "LAGESBILD_VAR_DIR", "TEST_DATABASE_NAME"):
        env.pop(k, None)
    if not env.get("DATABASE_URL"):
        return {"skipped": "DATABASE_URL is not set (this benchmark runs on PostgreSQL)"}
    return run_child("benchmarks.bench_spc", cfg, env, DB_PREFIX, "spc")


def _int(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _ms(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def render(report: dict, info: dict, when, command: str) -> str:
    lines = ["## SPC on the region dashboard (PostgreSQL)", ""]
    if "skipped" in report or "error" in report:
        return "\n".join(lines + [f"Not run: {report.get('skipped') or report.get('error')}.", ""])
    d, p, c = report["dashboard"], report["parts"], report["config"]
    off, on, pd = d["off"], d["on"], d["paired"]
    added = on["p95"] - off["p95"]
    lines += [
        f"Measured {when:%Y-%m-%d %H:%M %Z} with `{command}` on PostgreSQL {report['server']}: one region of the roll-up "
        f"benchmark's synthetic data ({c['leaves']} enheter under 15 verksamheter and 3 förvaltningar, {c['measures']} "
        f"measures, {c['months']} months: {_int(report['observations'])} observations), a rebase at the region for "
        f"{report['extras']['rebases']} measures and settings (fix after 12, run "
        f"length 6) for {report['extras']['settings']}. The region dashboard `{d['url']}` through Django's test client, "
        f"{c['requests']} timed requests with the control charts' icons and {c['requests']} without "
        "(`LAGESBILD_DASHBOARD_SPC` off: the baseline, the same page in the same run), alternating request by request "
        f"(blocks of {c['block']}) after {c['warmups']} warm-ups of each. Machine: {info['cpu']}, {info['cpus']} CPUs, "
        f"{info['memory']}, Python {info['python']}, load {info['load']}.",
        "",
        "| dashboard | p50 ms | p95 ms | min ms | max ms |",
        "|---|---|---|---|---|",
        f"| without SPC (baseline) | {_ms(off['p50'])} | {_ms(off['p95'])} | {_ms(off['min'])} | {_ms(off['max'])} |",
        f"| with SPC icons | {_ms(on['p50'])} | {_ms(on['p95'])} | {_ms(on['min'])} | {_ms(on['max'])} |",
        f"| **added by SPC** (p95 with − p95 without) | {_ms(on['p50'] - off['p50'])} | **{_ms(added)}** | | |",
        f"| ratio with / without | {on['p50'] / off['p50']:.2f} | {on['p95'] / off['p95']:.2f} | | |".replace(".", ","),
        f"| each request with SPC − the one without just before it | {_ms(pd['p50'])} | {_ms(pd['p95'])} | "
        f"{_ms(pd['min'])} | {_ms(pd['max'])} |",
        f"| CPU time of the request's thread, without SPC | {_ms(d['cpu_off']['p50'])} | {_ms(d['cpu_off']['p95'])} | | |",
        f"| CPU time of the request's thread, with SPC | {_ms(d['cpu_on']['p50'])} | {_ms(d['cpu_on']['p95'])} | | |",
        "",
        f"Goal: SPC adds < 20 ms to the dashboard's p95 – **{'met' if added < 20 else 'not met'}** ({_ms(added)} ms). "
        f"Queries per request: {d['queries']['off']} without, {d['queries']['on']} with SPC (the settings and the "
        "rebases of all measures; the months come with the rows' own query). The thread's CPU time leaves out the "
        "database server and the waits for a CPU, so it moves less with the machine's load than the wall-clock times. "
        f"Full passes of Python's garbage collector (generation 2, some 60–130 ms each here) during the timed requests: "
        f"{d['full_gc']['off']} without SPC, {d['full_gc']['on']} with; a request that happens to trigger one lands in "
        "its arm's slowest few, so they move the p95s by chance.",
        "",
        "The parts, each timed alone (median of 20 runs):",
        "",
        "| part | ms |",
        "|---|---|",
        f"| `measure_statuses`, the window of the rows (24 months for a year) | {_ms(p['statuses 24 months (ms)'])} |",
        f"| `measure_statuses` with the control chart's 36 months (the same one query) | {_ms(p['statuses 36 months (ms)'])} |",
        f"| the settings, the rebases (one query each) and the last point of {p['measures_with_icons']} charts "
        f"(`presenters._spc_icons`, `calc.spc.latest`) | {_ms(p['SPC in Python, all measures (ms)'])} |",
        "",
        "Icons on the page: variation " + ", ".join(f"{k} {v}" for k, v in d["variation"].items() if v)
        + "; assurance " + ", ".join(f"{k} {v}" for k, v in d["assurance"].items() if v) + ". The synthetic "
        "series are noise around a level, so they are common cause; a row costs the same whichever rule fires "
        "(`calc.spc.latest` tests them all).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(Config(**json.loads(sys.argv[2]))), default=str))
    else:
        print("Run the benchmark with: .venv/bin/python -m benchmarks spc", file=sys.stderr)
        sys.exit(2)
