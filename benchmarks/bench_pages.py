"""Server time of the main pages on the demo data, for this tree and for a baseline revision.

`python -m benchmarks pages [--against REV]` loads the demo (`lagesbild demo load`) into a
throw-away SQLite database, signs in as a demo user and requests each main page through Django's
test client: the whole server side (middleware, view, queries, template) without a network or a
browser. With ``--against`` the same is done in a git worktree of REV, in child processes that
alternate between the two trees, so both are measured in the same run on the same machine state.

This file runs in two ways: imported by ``benchmarks.__main__`` (the driver), and as a script in a
child process whose ``sys.path`` starts with the tree under test (``--child``), so that it can time a
revision that does not have this file.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "pages"

# (label, path, user): the pages a strategist opens; the demo region is 08 (Region Kalmar län).
# The start page's four sections are requests of their own, fetched by htmx as the page opens.
HTMX = {"HX-Request": "true"}
PAGES = [
    ("Start", "/", "kalmar"),
    ("Start: mått utanför målet (htmx)", "/start/utanfor-malet/", "kalmar"),
    ("Start: försenade åtgärder (htmx)", "/start/forsenade/", "kalmar"),
    ("Start: importer som väntar (htmx)", "/start/importer/", "kalmar"),
    ("Start: ändrat sedan förra besöket (htmx)", "/start/andringar/", "kalmar"),
    ("Uppföljning, region", "/uppfoljning/08/", "kalmar"),
    ("Uppföljning, verksamhet", "/uppfoljning/08-HSF-MEDK/", "chef"),
    ("Mått, region", "/uppfoljning/08/matt/riskbedomning-70-24h/", "kalmar"),
    ("Värmekarta, region", "/uppfoljning/08/karta/", "kalmar"),
    ("Förbättringsarbete", "/forbattring/", "kalmar"),
    ("Luckor mot målen", "/forbattring/luckor/", "kalmar"),
    ("Försenade åtgärder", "/forbattring/forsenade/", "kalmar"),
    ("Måttkatalog", "/matt/", "kalmar"),
    ("Organisation", "/organisation/", "kalmar"),
    ("Enkäter", "/enkater/", "kalmar"),
    ("Enkätresultat", "/enkater/sos-2025/", "kalmar"),
    ("Ordlista", "/ordlista/", "kalmar"),
]


def _child_env(tree: Path, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LAGESBILD_TESTING")}
    env.update(
        PYTHONPATH=str(tree), LAGESBILD_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="lagesbild.settings",
        LAGESBILD_DEBUG="0", LAGESBILD_HTTPS="0", LAGESBILD_ALLOWED_HOSTS="testserver",
        LAGESBILD_SECRET_KEY=secrets.token_urlsafe(48),
    )
    return env


def _load_demo(tree: Path, var_dir: Path) -> None:
    env = _child_env(tree, var_dir)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=tree, env=env, check=True)
    subprocess.run([sys.executable, "-c", "import sys; from lagesbild.cli import main; sys.exit(main(['demo', 'load']))"],
                   cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)


def _time_tree(tree: Path, var_dir: Path, requests: int) -> dict:
    """One child process: ``requests`` timed requests per page (after three untimed ones and one profiled)."""
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", "--requests", str(requests)],
                         cwd=tree, env=_child_env(tree, var_dir), check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def child(requests: int) -> dict:
    """Runs inside the tree under test: time every page that exists there."""
    import cProfile
    import pstats

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    users = {u.username: u for u in get_user_model().objects.all()}
    clients: dict[str, Client] = {}
    result = {}
    for label, path, username in PAGES:
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(users[username])
        headers = HTMX if path.startswith("/start/") else {}
        first = client.get(path, headers=headers)
        if first.status_code == 404:
            continue  # the page does not exist in this tree
        assert first.status_code == 200, (path, first.status_code)
        client.get(path, headers=headers)
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path, headers=headers)
        # Python function calls of one request: a count that does not depend on the machine's load
        profile = cProfile.Profile()
        profile.runcall(client.get, path, headers=headers)
        calls = pstats.Stats(profile).total_calls
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(path, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        result[label] = {"path": path, "ms": times, "queries": len(queries), "calls": calls, "bytes": len(response.content)}
    return result


def run(requests: int = 30, rounds: int = 3, against: str | None = None) -> dict:
    """Time this tree (and ``against``'s, alternating) and return per page median and p95."""
    trees = {"this": ROOT}
    with tempfile.TemporaryDirectory(prefix="lagesbild-pages-") as tmp:
        tmp = Path(tmp)
        if against:
            base = tmp / "baseline-tree"
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), against], cwd=ROOT, check=True)
            trees = {"baseline": base, "this": ROOT}
        try:
            for name, tree in trees.items():
                (tmp / name).mkdir()
                print(f"pages: loading the demo for {name} ...", file=sys.stderr)
                _load_demo(tree, tmp / name)
            samples: dict[str, dict] = {name: {} for name in trees}
            for r in range(rounds):
                for name, tree in trees.items():
                    print(f"pages: round {r + 1}/{rounds}, {name} ...", file=sys.stderr)
                    for label, row in _time_tree(tree, tmp / name, requests).items():
                        got = samples[name].setdefault(label, {**row, "ms": []})
                        got["ms"] += row["ms"]
        finally:
            if against:
                subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    report = {"requests": requests * rounds, "against": against, "pages": []}
    for label, path, _user in PAGES:
        row = {"label": label, "path": path}
        for name in trees:
            got = samples[name].get(label)
            if got:
                ms = sorted(got["ms"])
                row[name] = {"p50": statistics.median(ms), "p95": ms[int(0.95 * (len(ms) - 1))],
                             "queries": got["queries"], "calls": got["calls"], "kb": got["bytes"] / 1024}
        report["pages"].append(row)
    return report


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--requests", type=int, default=30)
    a = ap.parse_args()
    sys.path.insert(0, os.getcwd())
    print(json.dumps(child(a.requests)))
