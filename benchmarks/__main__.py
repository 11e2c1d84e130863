"""`make bench` / `python -m benchmarks [all|survey|rollup|pages|patients|spc|incidents]`: run them, rewrite docs/benchmarks.md.

Each benchmark rewrites only its own section of docs/benchmarks.md (between HTML comment
markers), so running one leaves the other's figures as they are.

survey  the survey engine and the web import (minutes). Options: --reps N (default 3), --no-profile.
rollup  the national roll-up: region dashboard, import and roll-up SQL against hand-written SQL,
        on PostgreSQL (DATABASE_URL, ≈30 million observations; takes a long while) and on SQLite
        (one region). Options: --regions, --leaves, --months, --import-rows, --requests, --runs,
        --no-postgres, --no-sqlite, --no-diagnostics, --from-json (re-render a saved run).

pages   server time of the main pages on the demo data (SQLite). Options: --against REV (time REV too,
        in a git worktree, alternating with this tree), --page-requests N (default 30), --page-rounds N (default 3).

patients  patient records (benchmarks/bench_patients.py): 1 000 000 episodes with their assessments and
        actions; `patients compute` against a plain-Python baseline; with DATABASE_URL the ingest against a raw
        COPY, the ward view while it runs, a year's recompute against hand-written SQL. Options:
        --episodes N, --patient-runs N, --no-postgres, --no-compute.

incidents  incidents (benchmarks/bench_incidents.py), PostgreSQL only (DATABASE_URL): 500 000 incidents
        imported against a raw COPY and again (idempotent), then the analytics pages of the region over five
        years against /ordlista/, with where their time goes. Options: --incidents N, --complaints N,
        --page-requests N (default 30), --profile-import.

clusters  text patterns (benchmarks/bench_clusters.py): fit and assign 50 000 demo-like incident descriptions
        against scikit-learn's plain TfidfVectorizer on the same texts. Options: --texts N.

spc     what the control charts' icons add to the region dashboard on PostgreSQL (DATABASE_URL): one region,
        60 measures, 36 months; the dashboard with and without SPC in the same run. Options: --spc-requests N
        (default 30).

Common: --no-write (print only), --output PATH. With DATABASE_URL set, the PostgreSQL parts run
in child processes against throw-away databases on that server that are dropped afterwards;
the database DATABASE_URL names is never written to.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from .report import COMMAND, DOC, ROOT, command_line, machine, write_section


def _load() -> str | None:
    try:
        return "%.2f / %.2f / %.2f" % os.getloadavg()
    except OSError:
        return None


def run_survey(args, command: str, output: Path) -> int:
    from . import bench_survey, survey_report

    when = dt.datetime.now().astimezone()
    load_before = _load()
    report = bench_survey.run(reps=args.reps, profile=not args.no_profile)
    info = machine()
    if load_before is not None:
        info["load"] = load_before
    text = survey_report.render(report, info, when, command)
    return _emit("survey", text, args, output)


def run_rollup(args, command: str, output: Path, env: dict) -> int:
    from . import bench_rollup, rollup_report

    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        report, info, when, command = saved["report"], saved["info"], dt.datetime.fromisoformat(saved["when"]), saved["command"]
    else:
        cfg = bench_rollup.Config(
            regions=args.regions, leaves=args.leaves, months=args.months, import_rows=args.import_rows,
            sqlite_import_rows=args.sqlite_import_rows or args.import_rows, requests=args.requests, runs=args.runs,
            postgres=not args.no_postgres, sqlite=not args.no_sqlite, diagnostics=not args.no_diagnostics,
        )
        when = dt.datetime.now().astimezone()
        load_before = _load()
        report = bench_rollup.run(cfg, env)
        info = machine()
        info["load"] = load_before or info["load"]
        info["load_after"] = _load() or "unknown"
        bench_rollup.OUT.mkdir(parents=True, exist_ok=True)
        (bench_rollup.OUT / "report.json").write_text(json.dumps(
            {"report": report, "info": info, "when": when.isoformat(), "command": command}, default=str, indent=1),
            encoding="utf-8")
        rollup_report.append_history(bench_rollup.OUT.parent / "rollup-history.jsonl", report, info, when)
    history = rollup_report.read_history(bench_rollup.OUT.parent / "rollup-history.jsonl")
    text = rollup_report.render(report, info, when, command, history)
    return _emit("rollup", text, args, output)


def run_pages(args, command: str, output: Path) -> int:
    from . import bench_pages, pages_report

    when = dt.datetime.now().astimezone()
    load_before = _load()
    report = bench_pages.run(requests=args.page_requests, rounds=args.page_rounds, against=args.against)
    bench_pages.OUT.mkdir(parents=True, exist_ok=True)
    (bench_pages.OUT / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    info = machine()
    info["load"] = load_before or info["load"]
    return _emit("pages", pages_report.render(report, info, when, command), args, output)


def run_patients(args, command: str, output: Path, env: dict) -> int:
    from . import bench_patients, patients_report

    cfg = bench_patients.Config(episodes=args.episodes, runs=args.patient_runs, postgres=not args.no_postgres,
                                compute=not args.no_compute)
    when = dt.datetime.now().astimezone()
    load_before = _load()
    report = bench_patients.run(cfg, env)
    bench_patients.OUT.mkdir(parents=True, exist_ok=True)
    (bench_patients.OUT / "report.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    info = machine()
    info["load"] = load_before or info["load"]
    return _emit("patients", patients_report.render(report, info, when, command), args, output)


def run_spc(args, command: str, output: Path, env: dict) -> int:
    from . import bench_spc

    when = dt.datetime.now().astimezone()
    load_before = _load()
    report = bench_spc.run(bench_spc.Config(requests=args.spc_requests), env)
    bench_spc.OUT.mkdir(parents=True, exist_ok=True)
    (bench_spc.OUT / "report.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    info = machine()
    info["load"] = load_before or info["load"]
    return _emit("spc", bench_spc.render(report, info, when, command), args, output)


def run_incidents(args, command: str, output: Path, env: dict) -> int:
    from . import bench_incidents, incidents_report

    cfg = bench_incidents.Config(incidents=args.incidents, complaints=args.complaints, requests=args.page_requests,
                                 profile_import=args.profile_import)
    when = dt.datetime.now().astimezone()
    load_before = _load()
    report = bench_incidents.run(cfg, env)
    bench_incidents.OUT.mkdir(parents=True, exist_ok=True)
    (bench_incidents.OUT / "report.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    info = machine()
    info["load"] = load_before or info["load"]
    return _emit("incidents", incidents_report.render(report, info, when, command), args, output)


def run_clusters(args, command: str, output: Path) -> int:
    from . import bench_clusters

    when = dt.datetime.now().astimezone()
    load_before = _load()
    report = bench_clusters.run(bench_clusters.Config(texts=args.texts))
    bench_clusters.OUT.mkdir(parents=True, exist_ok=True)
    (bench_clusters.OUT / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    info = machine()
    info["load"] = load_before or info["load"]
    return _emit("clusters", bench_clusters.render(report, info, when, command), args, output)


def _emit(name: str, text: str, args, output: Path) -> int:
    print(text)
    if not args.no_write:
        write_section(name, text, output)
        print(f"\nwrote the {name} section of {output}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("which", nargs="?", choices=("all", "survey", "rollup", "pages", "patients", "spc", "incidents",
                                            "clusters"), default="all")
    ap.add_argument("--no-write", action="store_true", help="print the section(s), do not rewrite docs/benchmarks.md")
    ap.add_argument("--output", type=Path, default=DOC, help="the results file (default docs/benchmarks.md)")
    g = ap.add_argument_group("survey")
    g.add_argument("--reps", type=int, default=3, help="repetitions per step (default 3)")
    g.add_argument("--no-profile", action="store_true", help="skip the cProfile pass over engine.compute")
    g = ap.add_argument_group("rollup")
    g.add_argument("--regions", type=int, default=21, help="regions with data on PostgreSQL (default 21)")
    g.add_argument("--leaves", type=int, default=200, help="leaf units per region (default 200)")
    g.add_argument("--months", type=int, default=120, help="months of data ending 2025-12 (default 120)")
    g.add_argument("--import-rows", type=int, default=1_000_000, help="rows in the import file (default 1 000 000)")
    g.add_argument("--sqlite-import-rows", type=int, default=None, help="rows in the SQLite import file (default: --import-rows)")
    g.add_argument("--requests", type=int, default=50, help="timed dashboard requests (default 50)")
    g.add_argument("--runs", type=int, default=10, help="timed runs per roll-up query and baseline (default 10)")
    g.add_argument("--no-postgres", action="store_true")
    g.add_argument("--no-sqlite", action="store_true")
    g.add_argument("--no-diagnostics", action="store_true", help="skip the what-if run with PostgreSQL's default settings")
    g.add_argument("--from-json", help="re-render a saved run (benchmarks/out/rollup/report.json) instead of running")
    g = ap.add_argument_group("pages")
    g.add_argument("--against", help="a git revision to time as the baseline (e.g. main)")
    g.add_argument("--page-requests", type=int, default=30, help="timed requests per page and round (default 30)")
    g.add_argument("--page-rounds", type=int, default=3, help="rounds per tree, alternating (default 3)")
    g = ap.add_argument_group("patients")
    g.add_argument("--episodes", type=int, default=1_000_000, help="episodes in the data set (default 1 000 000)")
    g.add_argument("--patient-runs", type=int, default=3, help="timed runs of each recompute query (default 3)")
    g.add_argument("--no-compute", action="store_true", help="skip `patients compute` against its baseline")
    g = ap.add_argument_group("incidents")
    g.add_argument("--incidents", type=int, default=500_000, help="incidents in the export (default 500 000)")
    g.add_argument("--complaints", type=int, default=30_000, help="complaints over the four channels (default 30 000)")
    g.add_argument("--profile-import", action="store_true", help="cProfile both imports (slower)")
    g = ap.add_argument_group("clusters")
    g.add_argument("--texts", type=int, default=50_000, help="descriptions to fit and assign (default 50 000)")
    g = ap.add_argument_group("spc")
    g.add_argument("--spc-requests", type=int, default=30, help="timed dashboard requests with and without SPC (default 30)")
    args = ap.parse_args(argv)
    if args.reps < 1 or args.runs < 1 or args.requests < 1:
        ap.error("--reps, --runs and --requests must be at least 1")

    os.chdir(ROOT)
    env = dict(os.environ)  # the survey's SQLite part changes os.environ; the roll-up children get this
    names = ("all", "survey", "rollup", "pages", "patients", "spc", "incidents", "clusters")
    extra = " ".join(a for a in (argv if argv is not None else sys.argv[1:]) if a not in names)
    if args.which == "all":
        base = COMMAND if not extra else f".venv/bin/python -m benchmarks {extra}"
    else:
        base = f".venv/bin/python -m benchmarks {args.which}" + (f" {extra}" if extra else "")
    command = command_line(base)  # before the run: the survey's SQLite part takes DATABASE_URL out of the environment
    status = 0
    if args.which in ("all", "survey"):
        status |= run_survey(args, command, args.output)
    if args.which in ("all", "rollup"):
        status |= run_rollup(args, command, args.output, env)
    if args.which in ("all", "pages"):
        status |= run_pages(args, command, args.output)
    if args.which in ("all", "patients"):
        status |= run_patients(args, command, args.output, env)
    if args.which in ("all", "spc"):
        status |= run_spc(args, command, args.output, env)
    if args.which in ("all", "incidents"):
        status |= run_incidents(args, command, args.output, env)
    if args.which in ("all", "clusters"):
        status |= run_clusters(args, command, args.output)
    return status


if __name__ == "__main__":
    sys.exit(main())
