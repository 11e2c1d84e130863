"""Survey benchmark: 20 indicators over 10 000 respondents × 200 questions.

Measured in one process run, each step several times (median and min reported):

(a) the engine: read the CSV, validate it against the spec, compute the indicators
    (lagesbild functions), with ``engine.compute`` also timed on its own;
(b) a plain-Python baseline written here by hand: csv module + the same rules compiled to
    closures doing Kleene logic; its counts must equal the engine's;
(c) the web import: POST both files to ``surveys:upload`` with django.test.Client against a
    fresh SQLite database (first import = full write; the same files again = 'unchanged'),
    against a baseline of csv parsing + one raw ``executemany`` INSERT into sqlite3.

With DATABASE_URL set, (c) is repeated on PostgreSQL in a child process, in a throw-away
test database (``test_…``) created and dropped by Django's test-database machinery, so the
database DATABASE_URL names is never written to.

Not a test: nothing here is collected by pytest (tests live in tests/).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import survey_data

SPEC_NAME = "bench-2025.yaml"
RESPONSES_NAME = "bench-2025-svar.csv"
BOUNDARY = "lagesbildBenchBoundary7MA4YWxkTrZu0gW"


# --------------------------------------------------------------------------- measuring


@dataclass
class Step:
    name: str
    times: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    def as_json(self) -> dict:
        return {"name": self.name, "times": self.times, "median": self.median, "min": self.min, "note": self.note}

    @classmethod
    def from_json(cls, d: dict) -> "Step":
        return cls(d["name"], list(d["times"]), d.get("note", ""))


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def traced_peak(fn: Callable[[], object]) -> int:
    """Peak bytes allocated by Python while ``fn`` runs (tracemalloc; run untimed, it is slow)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def max_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports KiB


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- (a) engine


def engine_pipeline(data: survey_data.SurveyData) -> tuple[dict[str, float], object]:
    """read_table + parse_spec + validate + compute, each stage timed; returns (stages, SurveyResult)."""
    from lagesbild.ingest.tabular import read_table
    from lagesbild.surveys import engine, responses, spec

    stages = {}
    t0 = time.perf_counter()
    s = spec.parse_spec(data.spec_yaml, SPEC_NAME)
    t1 = time.perf_counter()
    table = read_table(data.responses_csv, RESPONSES_NAME)
    t2 = time.perf_counter()
    resp = responses.validate(s, table)
    t3 = time.perf_counter()
    result = engine.compute(s, resp)
    t4 = time.perf_counter()
    stages["spec"], stages["read"], stages["validate"], stages["compute"] = t1 - t0, t2 - t1, t3 - t2, t4 - t3
    stages["total"] = t4 - t0
    return stages, result


def engine_counts(result) -> dict[str, tuple[int, int, int]]:
    return {r.spec.id: (r.numerator, r.n, r.excluded) for r in result.indicators}


# --------------------------------------------------------------------------- (b) baseline

Truth = Optional[bool]


def baseline_parse(data: survey_data.SurveyData) -> tuple[list[str], list[list[str]]]:
    """The plain way to read the file: decode, csv.reader, a list of rows."""
    rows = list(csv.reader(io.StringIO(data.responses_csv.decode("utf-8"), newline=""), delimiter=";"))
    return rows[0], rows[1:]


def _compile(rule: dict, col: dict[str, int], unknown: frozenset[str]) -> Callable[[list[str]], Truth]:
    """A rule dict (as written to the YAML) -> a closure over one row doing Kleene logic."""
    if "question" in rule:
        i = col[rule["question"]]
        yes = frozenset(label.casefold() for label in rule["in"])

        def leaf(row: list[str]) -> Truth:
            v = row[i].strip().casefold()
            if v in unknown:
                return None
            return v in yes

        return leaf
    if "not" in rule:
        part = _compile(rule["not"], col, unknown)

        def not_(row: list[str]) -> Truth:
            v = part(row)
            return None if v is None else not v

        return not_
    (kind, items), = rule.items()
    parts = tuple(_compile(p, col, unknown) for p in items)
    if kind == "all":

        def all_(row: list[str]) -> Truth:
            out: Truth = True
            for p in parts:
                v = p(row)
                if v is False:
                    return False
                if v is None:
                    out = None
            return out

        return all_

    def any_(row: list[str]) -> Truth:
        out: Truth = False
        for p in parts:
            v = p(row)
            if v is True:
                return True
            if v is None:
                out = None
        return out

    return any_


def _leaf_columns(rule: dict, col: dict[str, int]) -> list[int]:
    if "question" in rule:
        return [col[rule["question"]]]
    if "not" in rule:
        return _leaf_columns(rule["not"], col)
    (_, items), = rule.items()
    return [i for p in items for i in _leaf_columns(p, col)]


def baseline_compute(
    data: survey_data.SurveyData, header: list[str], rows: list[list[str]]
) -> dict[str, tuple[int, int, int]]:
    """The same 20 numerators / n / excluded by a direct loop over the pre-parsed rows."""
    col = {name: i for i, name in enumerate(header)}
    unknown = frozenset({""} | {m.casefold() for m in data.missing_labels})
    i_type = col["respondent_type"]
    population = [row for row in rows if row[i_type].strip().casefold() == "region"]
    out = {}
    for ind in data.indicators:
        fn = _compile(ind["rule"], col, unknown)
        if ind["missing"] == "strict":
            kleene, idx = fn, tuple(_leaf_columns(ind["rule"], col))

            def fn(row, kleene=kleene, idx=idx):  # any unknown answer -> unknown
                for i in idx:
                    if row[i].strip().casefold() in unknown:
                        return None
                return kleene(row)

        num = n = excluded = 0
        for row in population:
            v = fn(row)
            if v is None:
                excluded += 1
            else:
                n += 1
                if v:
                    num += 1
        out[ind["id"]] = (num, n, excluded)
    return out


# --------------------------------------------------------------------------- profile


def profile_compute(data: survey_data.SurveyData, top: int = 12) -> list[dict]:
    """cProfile one engine.compute; the functions with the most own time."""
    import cProfile
    import pstats

    from lagesbild.ingest.tabular import read_table
    from lagesbild.surveys import engine, responses, spec

    s = spec.parse_spec(data.spec_yaml, SPEC_NAME)
    resp = responses.validate(s, read_table(data.responses_csv, RESPONSES_NAME))
    prof = cProfile.Profile()
    prof.enable()
    engine.compute(s, resp)
    prof.disable()
    st = pstats.Stats(prof)
    total = st.total_tt
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _) in st.stats.items():
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({func})",
                "calls": nc,
                "tottime": tt,
                "cumtime": ct,
                "share": tt / total if total else 0.0,
            }
        )
    rows.sort(key=lambda r: r["tottime"], reverse=True)
    return rows[:top]


def _short(filename: str) -> str:
    for marker in ("/lagesbild/", "/site-packages/", "/lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1] if marker != "/lagesbild/" else "lagesbild/" + filename.split(marker, 1)[1]
    return filename


# --------------------------------------------------------------------------- (c) web import


def setup_django_sqlite(var_dir: Path) -> None:
    """Django on a fresh SQLite file in ``var_dir``, migrated. Must run before any Django import."""
    os.environ.pop("DATABASE_URL", None)
    _django_env()
    os.environ["LAGESBILD_VAR_DIR"] = str(var_dir)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _django_env() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "lagesbild.settings"
    os.environ["LAGESBILD_TESTING"] = "1"
    os.environ.pop("LAGESBILD_DEBUG", None)  # DEBUG would record every query
    os.environ.pop("TEST_DATABASE_NAME", None)
    os.environ["LAGESBILD_LOG_LEVEL"] = "WARNING"


def multipart_body(data: survey_data.SurveyData) -> bytes:
    """The request body a browser sends, encoded once so the client's encoding is not timed."""
    parts = []
    for field_name, file_name, payload, ctype in (
        ("spec", SPEC_NAME, data.spec_bytes, "application/x-yaml"),
        ("responses", RESPONSES_NAME, data.responses_csv, "text/csv"),
    ):
        parts.append(
            (
                f"--{BOUNDARY}\r\n"
                f'Content-Disposition: form-data; name="{field_name}"; filename="{file_name}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n"
            ).encode()
            + payload
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _strategist_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from lagesbild.org.models import Membership, OrgUnit

    user, _ = get_user_model().objects.get_or_create(username="bench-strateg")
    Membership.objects.get_or_create(
        user=user, org_unit=OrgUnit.objects.get(code="SE"), defaults={"role": Membership.Role.STRATEGIST}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def web_import(data: survey_data.SurveyData, reps: int, label: str, memory: bool = True) -> dict:
    """POST the files to surveys:upload: full write, then the same files again ('unchanged')."""
    from django.db import connection
    from django.urls import reverse

    from lagesbild.ingest.models import Import
    from lagesbild.surveys.models import Survey, SurveyRespondent

    client = _strategist_client()
    url = reverse("surveys:upload")
    body = multipart_body(data)
    ctype = f"multipart/form-data; boundary={BOUNDARY}"
    key = "bench-2025"
    results_url = reverse("surveys:results", kwargs={"key": key})

    def post():
        return client.post(url, data=body, content_type=ctype)

    def check(response, outcome: str) -> None:
        if response.status_code != 302:
            text = response.content.decode("utf-8", "replace")
            raise AssertionError(f"{label}: upload answered {response.status_code}, not 302:\n{text[:3000]}")
        if response["Location"] != results_url:
            raise AssertionError(f"{label}: upload redirected to {response['Location']}, not {results_url}")
        stored = SurveyRespondent.objects.filter(survey__key=key).count()
        if stored != data.n_respondents:
            raise AssertionError(f"{label}: {stored} SurveyRespondent rows stored, expected {data.n_respondents}")
        last = Import.objects.filter(kind="survey-responses").order_by("-id").first()
        if last.outcome != outcome:
            raise AssertionError(f"{label}: the import was recorded as {last.outcome!r}, expected {outcome!r}")

    def clear() -> None:
        Survey.objects.filter(key=key).delete()

    full, again, page = Step(f"web import, first (full write) [{label}]"), Step(
        f"web import, same files again (unchanged) [{label}]"
    ), Step(f"results page GET after import [{label}]")
    for rep in range(reps):
        clear()
        t, response = timed(post)
        check(response, Import.Outcome.OK)
        full.times.append(t)
        t, response = timed(post)
        check(response, Import.Outcome.UNCHANGED)
        again.times.append(t)
        t, response = timed(lambda: client.get(results_url))
        if response.status_code != 200:
            raise AssertionError(f"{label}: results page answered {response.status_code}")
        page.times.append(t)
        log(f"{label} rep {rep + 1}/{reps}: full {full.times[-1]:.2f}s, unchanged {again.times[-1]:.2f}s, "
            f"results page {page.times[-1]:.2f}s")

    peak = None
    if memory:
        clear()
        peak = traced_peak(post)
        check_resp = SurveyRespondent.objects.filter(survey__key=key).count()
        assert check_resp == data.n_respondents

    base = Step(f"baseline: csv + executemany INSERT [{label}]")
    for rep in range(reps):
        t, n = timed(lambda: import_baseline(data, connection.vendor, rep))
        assert n == data.n_respondents, n
        base.times.append(t)
    log(f"{label} import baseline: median {base.median:.2f}s")
    return {
        "vendor": connection.vendor,
        "steps": [s.as_json() for s in (full, again, page, base)],
        "import_peak": peak,
        "db_size": _db_size(connection),
    }


def _db_size(connection) -> Optional[int]:
    if connection.vendor == "sqlite":
        try:
            return os.path.getsize(connection.settings_dict["NAME"])
        except OSError:
            return None
    return None


_BASELINE_DIR: Optional[Path] = None


def import_baseline(data: survey_data.SurveyData, vendor: str, rep: int) -> int:
    """Parse with csv, then one executemany INSERT (respondent key + answers JSON) in one transaction."""
    text = data.responses_csv.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader)
    qids = header[2:]
    params = [(row[0], json.dumps(dict(zip(qids, row[2:])))) for row in reader]
    if vendor == "sqlite":
        import sqlite3

        path = (_BASELINE_DIR or Path(tempfile.gettempdir())) / f"baseline-{rep}.sqlite3"
        path.unlink(missing_ok=True)
        con = sqlite3.connect(path)
        try:
            con.execute("CREATE TABLE respondent (id INTEGER PRIMARY KEY, key TEXT NOT NULL, answers TEXT NOT NULL)")
            with con:
                con.executemany("INSERT INTO respondent (key, answers) VALUES (?, ?)", params)
            return con.execute("SELECT count(*) FROM respondent").fetchone()[0]
        finally:
            con.close()
            path.unlink(missing_ok=True)
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection itself
    table = f"bench_baseline_{rep}"
    with raw.transaction():
        with raw.cursor() as cur:
            cur.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, key text NOT NULL, answers jsonb NOT NULL)")
            cur.executemany(f"INSERT INTO {table} (key, answers) VALUES (%s, %s::jsonb)", params)
    with raw.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        n = cur.fetchone()[0]
        cur.execute(f"DROP TABLE {table}")
    return n


# --------------------------------------------------------------------------- PostgreSQL child


def postgres_child(reps: int) -> dict:
    """Run (c) against PostgreSQL in a throw-away test database; called in a child process."""
    _django_env()
    os.environ["TEST_DATABASE_NAME"] = f"test_lagesbild_bench_{os.getpid()}"
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        data = survey_data.generate()
        out = web_import(data, reps, "PostgreSQL", memory=False)
        out["server"] = connection.cursor().connection.info.server_version
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    out["max_rss"] = max_rss_bytes()
    return out


def run_postgres(reps: int, url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=url)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_survey", "--postgres-child", str(reps)],
        env=env, stdout=subprocess.PIPE, text=True, timeout=900,
    )
    if proc.returncode != 0:
        return {"error": f"the PostgreSQL run failed (exit {proc.returncode}); see the output above"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the whole run


def run(reps: int = 3, profile: bool = True, memory: bool = True, postgres: Optional[str] = None) -> dict:
    """Everything in one process; returns plain data for the report."""
    global _BASELINE_DIR
    started = time.perf_counter()
    postgres = postgres if postgres is not None else os.environ.get("DATABASE_URL")
    report: dict = {"reps": reps}

    t, data = timed(survey_data.generate)
    report["data"] = {
        "respondents": data.n_respondents,
        "questions": len(data.questions),
        "indicators": len(data.indicators),
        "strict": sum(1 for i in data.indicators if i["missing"] == "strict"),
        "csv_bytes": len(data.responses_csv),
        "spec_bytes": len(data.spec_bytes),
        "seed": survey_data.SEED,
        "generate_seconds": t,
    }
    log(f"generated {data.n_respondents} × {len(data.questions)} ({len(data.responses_csv) / 1e6:.1f} MB) in {t:.1f}s")

    # (b) baseline first: it also gives the counts the engine must match.
    b_parse, b_compute, b_total = Step("baseline: csv parse"), Step("baseline: compute 20 indicators"), Step(
        "baseline: parse + compute"
    )
    base_counts = None
    for _ in range(reps):
        tp, (header, rows) = timed(lambda: baseline_parse(data))
        tc, counts = timed(lambda: baseline_compute(data, header, rows))
        b_parse.times.append(tp)
        b_compute.times.append(tc)
        b_total.times.append(tp + tc)
        base_counts = counts
        del header, rows
    log(f"baseline: parse {b_parse.median:.2f}s, compute {b_compute.median:.3f}s")

    # (a) the engine, stage by stage.
    names = {
        "spec": "engine: parse_spec (YAML)",
        "read": "engine: read_table (CSV)",
        "validate": "engine: responses.validate",
        "compute": "engine: engine.compute",
        "total": "engine: read + validate + compute",
    }
    e_steps = {k: Step(v) for k, v in names.items()}
    for rep in range(reps):
        gc.collect()
        stages, result = engine_pipeline(data)
        for k, v in stages.items():
            e_steps[k].times.append(v)
        counts = engine_counts(result)
        del result
        if counts != base_counts:
            diff = {k: (counts.get(k), base_counts.get(k)) for k in counts if counts.get(k) != base_counts.get(k)}
            raise AssertionError(f"the baseline disagrees with the engine (engine, baseline): {diff}")
        log(f"engine rep {rep + 1}/{reps}: total {stages['total']:.2f}s (compute {stages['compute']:.2f}s)")
    report["counts"] = {k: list(v) for k, v in base_counts.items()}
    report["counts_equal"] = True

    peaks = {}
    if memory:
        peaks["engine: read + validate + compute"] = traced_peak(lambda: engine_pipeline(data))
        h, r = baseline_parse(data)
        peaks["baseline: compute 20 indicators"] = traced_peak(lambda: baseline_compute(data, h, r))
        del h, r
        peaks["baseline: parse + compute"] = traced_peak(lambda: baseline_compute(data, *baseline_parse(data)))
        log("memory peaks measured")

    report["profile"] = profile_compute(data) if profile else []
    if profile:
        log("profiled engine.compute")

    # (c) the web import on SQLite, in this process.
    with tempfile.TemporaryDirectory(prefix="lagesbild-bench-") as tmp:
        _BASELINE_DIR = Path(tmp)
        t_setup, _ = timed(lambda: setup_django_sqlite(Path(tmp)))
        log(f"Django on a fresh SQLite database, migrated in {t_setup:.1f}s")
        web = web_import(data, reps, "SQLite", memory=memory)
        from django.db import connections

        connections.close_all()
        _BASELINE_DIR = None
    if web.get("import_peak") is not None:
        peaks["web import, first (full write) [SQLite]"] = web["import_peak"]
    report["web"] = [web]
    report["max_rss"] = max_rss_bytes()

    if postgres:
        log("PostgreSQL: running the web import in a child process")
        report["web"].append(run_postgres(reps, postgres))
    else:
        report["postgres_skipped"] = "DATABASE_URL is not set"

    steps = [b_parse, b_compute, b_total, *e_steps.values()]
    report["steps"] = [s.as_json() for s in steps]
    report["memory"] = peaks
    report["elapsed"] = time.perf_counter() - started
    return report


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--postgres-child":
        result = postgres_child(int(sys.argv[2]))
        print(json.dumps(result))
    else:
        print("Run the benchmark with: .venv/bin/python -m benchmarks", file=sys.stderr)
        sys.exit(2)
