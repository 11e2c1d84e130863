"""What the PostgreSQL benchmarks share: a run in a child process (its own test database, which
the parent drops again whatever happens) and an import timed per phase."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from .bench_survey import log

ROOT = Path(__file__).resolve().parent.parent


def run_child(module: str, cfg, env: dict, db_prefix: str, label: str) -> dict:
    """``python -m <module> --child <cfg as JSON>``: its last stdout line is the result (JSON).
    The child creates ``<db_prefix><pid>``; it is dropped here too, should the child not have."""
    from .bench_rollup import _drop_database

    proc = subprocess.Popen([sys.executable, "-m", module, "--child", json.dumps(asdict(cfg))],
                            env={k: v for k, v in env.items() if k not in ("DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME")},
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        stdout, _ = proc.communicate()
    finally:
        try:
            _drop_database(env["DATABASE_URL"], f"{db_prefix}{proc.pid}", prefix=db_prefix)
        except Exception as exc:
            log(f"{label}: could not check for a leftover database: {exc}")
    if proc.returncode != 0:
        return {"error": f"the run failed (exit {proc.returncode}); see the log above"}
    return json.loads(stdout.strip().splitlines()[-1])


def phase_timer(phases: dict[str, float]):
    """``timed(owner, attr, label)`` wraps ``owner.attr`` so that its calls add their time to
    ``phases[label]``: an import timed per phase without changing the product's code."""

    def timed(owner, attr: str, label: str) -> None:
        inner = getattr(owner, attr)

        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return inner(*a, **kw)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - t0
        setattr(owner, attr, wrapper)

    return timed


@contextmanager
def own_database(prefix: str, out: dict):
    """In a child: Django set up on a new test database ``<prefix><pid>`` (yielded: its name),
    dropped again on the way out (the parent drops it too, should this fail). An exception inside
    is printed and recorded as ``out["error"]``, so the figures measured before it are kept."""
    name = f"{prefix}{os.getpid()}"
    os.environ["TEST_DATABASE_NAME"] = name
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    log(f"postgresql: creating and migrating {name}")
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        yield name
    except Exception:
        traceback.print_exc()
        out["error"] = traceback.format_exc().splitlines()[-1]
    finally:
        try:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)
            log(f"postgresql: dropped {name}")
        except Exception as exc:  # the parent drops it again
            log(f"postgresql: could not drop the test database: {exc}")
