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

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    def as_json(self) -> dict:
        return {"name": self.name, "times": self.times, "median": self.median, "min": self.min}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field_name: str) -> Optional[int]:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _trim() -> None:
    """Give freed memory back to the OS so the RSS before a step is what is really live."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class PeakRSS:
    """Peak resident memory while a block runs: Linux VmHWM, reset through /proc/self/clear_refs.

    Costs nothing while the block runs, so it is taken inside a timed repetition. Where the
    reset is not possible (not Linux) only the process-wide ru_maxrss is reported.
    """

    def __init__(self) -> None:
        self.before: Optional[int] = None
        self.peak: Optional[int] = None

    def __enter__(self) -> "PeakRSS":
        _trim()
        try:
            _CLEAR_REFS.write_text("5")
        except OSError:
            return self
        rss = _status_kib("VmRSS")
        self.before = rss * 1024 if rss is not None else None
        return self

    def __exit__(self, *exc) -> None:
        if self.before is not None:
            hwm = _status_kib("VmHWM")
            self.peak = hwm * 1024 if hwm is not None else None

    def as_json(self) -> Optional[dict]:
        if self.before is None or self.peak is None:
            return None
        return {"before": self.before, "peak": self.peak, "growth": self.peak - self.before}


def measured(fn: Callable[[], object], memory: Optional[dict], name: str) -> tuple[float, object]:
    """timed(fn); with ``memory`` given, also record the block's peak RSS there under ``name``."""
    if memory is None:
        return timed(fn)
    with PeakRSS() as peak:
        out = timed(fn)
    if peak.as_json() is not None:
        memory[name] = peak.as_json()
    return out


def max_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports KiB


_T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[bench +{time.monotonic() - _T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- (a) engine


def engine_pipeline(data: survey_data.SurveyData) -> tuple[dict[str, float], object]:
    """read_table + parse_spec + validate + compute, each stage timed; returns (stages, SurveyResult)."""
    from lagesbild.ingest.readers import read_table
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


PROFILE_RESPONDENTS = 2_000


def profile_compute(data: survey_data.SurveyData, top: int = 12) -> dict:
    """cProfile engine.compute on the first respondents; the functions with the most own time.

    A slice keeps the profiler's overhead small; the work per respondent is the same.
    """
    import cProfile
    import pstats

    from lagesbild.ingest.readers import read_table
    from lagesbild.surveys import engine, responses, spec

    s = spec.parse_spec(data.spec_yaml, SPEC_NAME)
    resp = responses.validate(s, read_table(data.responses_csv, RESPONSES_NAME))
    resp.respondents = resp.respondents[:PROFILE_RESPONDENTS]
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
    # Cumulative time of the engine's main parts, as a share of the whole compute.
    wanted = {
        ("engine.py", "compute"), ("engine.py", "facts_of"), ("engine.py", "evaluate_indicator"),
        ("engine.py", "_reason"), ("rules.py", "evaluate"),
    }
    parts = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _) in st.stats.items():
        if "lagesbild" in filename and (Path(filename).name, func) in wanted:
            parts[func] = max(parts.get(func, 0.0), ct)
    whole = parts.get("compute") or total
    return {
        "respondents": len(resp.respondents),
        "total": total,
        "top": rows[:top],
        "parts": {k: v / whole for k, v in parts.items() if whole},
    }


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


def register_respondents(data: survey_data.SurveyData) -> None:
    """Make every respondent a known unit of the population's kind (regions under the nation),
    as an import requires: one bulk insert before anything is timed."""
    from lagesbild.org.models import OrgUnit

    nation = OrgUnit.objects.get(code="SE")
    units = []
    for r in range(1, data.n_respondents + 1):
        code = f"BENCH-{r:05d}"
        path = f"{nation.path}{code}/"
        units.append(OrgUnit(code=code, name=f"Enhet {r:05d}", kind=OrgUnit.Kind.REGION, parent=nation, path=path,
                             current_path=path, depth=nation.depth + 1))
    OrgUnit.objects.bulk_create(units, batch_size=2000)


def web_import(data: survey_data.SurveyData, reps: int, label: str) -> dict:
    """POST the files to surveys:upload: full write, then the same files again ('unchanged')."""
    from django.db import connection
    from django.urls import reverse

    from lagesbild.ingest.models import Import
    from lagesbild.surveys.models import Survey, SurveyRespondent

    register_respondents(data)
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

    full = Step(f"web import, first (full write) [{label}]")
    again = Step(f"web import, same files again (unchanged) [{label}]")
    page = Step(f"results page GET after import [{label}]")
    base = Step(f"baseline: csv + executemany INSERT [{label}]")
    memory: dict = {}
    for rep in range(reps):
        mem = memory if rep == 0 else None
        Survey.objects.filter(key=key).delete()  # untimed: the next POST is a first import again
        t, response = measured(post, mem, full.name)
        check(response, Import.Outcome.OK)
        full.times.append(t)
        t, response = measured(post, mem, again.name)
        check(response, Import.Outcome.UNCHANGED)
        again.times.append(t)
        t, response = measured(lambda: client.get(results_url), mem, page.name)
        if response.status_code != 200:
            raise AssertionError(f"{label}: results page answered {response.status_code}")
        page.times.append(t)
        del response
        t, n = measured(lambda: import_baseline(data, connection.vendor, rep), mem, base.name)
        if n != data.n_respondents:
            raise AssertionError(f"{label}: the baseline stored {n} rows")
        base.times.append(t)
        log(
            f"{label} rep {rep + 1}/{reps}: full {full.times[-1]:.2f}s, unchanged {again.times[-1]:.2f}s, "
            f"results page {page.times[-1]:.2f}s, baseline {base.times[-1]:.2f}s"
        )
    steps = [full, again, page, base]
    return {
        "label": label,
        "vendor": connection.vendor,
        "steps": [s.as_json() for s in steps],
        "memory": memory,
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
    log(f"PostgreSQL: creating and migrating {os.environ['TEST_DATABASE_NAME']}")
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        data = survey_data.generate()
        out = web_import(data, reps, "PostgreSQL")
        v = connection.pg_version or 0
        out["server"] = f"{v // 10000}.{v % 10000}"
    finally:
        try:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        except Exception as exc:  # do not hide the original error
            log(f"PostgreSQL: could not drop the test database: {exc}")
    out["max_rss"] = max_rss_bytes()
    return out


def run_postgres(reps: int, url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=url)
    env.pop("LAGESBILD_VAR_DIR", None)  # the SQLite part's temporary folder is gone by now; settings would recreate it
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_survey", "--postgres-child", str(reps)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=900,
    )
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        return {
            "label": "PostgreSQL",
            "error": f"the PostgreSQL run failed (exit {proc.returncode}): {lines[-1] if lines else 'no output'}",
        }
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the whole run


def run(reps: int = 3, profile: bool = True, postgres: Optional[str] = None) -> dict:
    """Everything in one process; returns plain data for the report."""
    global _BASELINE_DIR
    started = time.perf_counter()
    postgres = postgres if postgres is not None else os.environ.get("DATABASE_URL")
    report: dict = {"reps": reps}
    memory: dict = {}

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
        "questions_read": len(
            {q for i in data.indicators for q in _leaf_columns(i["rule"], {q: q for q in data.questions})}
        ),
    }
    log(f"generated {data.n_respondents} × {len(data.questions)} ({len(data.responses_csv) / 1e6:.1f} MB) in {t:.1f}s")

    # (b) the baseline first: it also gives the counts the engine must match.
    b_parse = Step("baseline: csv parse")
    b_compute = Step("baseline: compute 20 indicators")
    b_total = Step("baseline: parse + compute")
    base_counts = None
    for rep in range(reps):
        mem = memory if rep == 0 else None
        tp, (header, rows) = measured(lambda: baseline_parse(data), mem, b_parse.name)
        tc, counts = measured(lambda: baseline_compute(data, header, rows), mem, b_compute.name)
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
        "total": "engine: total (spec + read + validate + compute)",
    }
    e_steps = {k: Step(v) for k, v in names.items()}
    for rep in range(reps):
        _, (stages, result) = measured(lambda: engine_pipeline(data), memory if rep == 0 else None, names["total"])
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

    if profile:
        report["profile"] = profile_compute(data)
        log("profiled engine.compute")

    # (c) the web import on SQLite, in this process.
    with tempfile.TemporaryDirectory(prefix="lagesbild-bench-") as tmp:
        _BASELINE_DIR = Path(tmp)
        t_setup, _ = timed(lambda: setup_django_sqlite(Path(tmp)))
        log(f"Django on a fresh SQLite database in {tmp}, migrated in {t_setup:.1f}s")
        web = web_import(data, reps, "SQLite")
        from django.db import connections

        connections.close_all()
        _BASELINE_DIR = None
    report["web"] = [web]
    peaks = [m["peak"] for m in (*memory.values(), *web["memory"].values())]
    report["max_rss"] = max([max_rss_bytes(), *peaks])

    if postgres:
        log("PostgreSQL: the web import again, in a child process")
        report["web"].append(run_postgres(reps, postgres))
    else:
        report["postgres_skipped"] = "DATABASE_URL is not set"

    report["steps"] = [s.as_json() for s in (b_parse, b_compute, b_total, *e_steps.values())]
    report["memory"] = memory
    report["elapsed"] = time.perf_counter() - started
    return report


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--postgres-child":
        result = postgres_child(int(sys.argv[2]))
        print(json.dumps(result))
    else:
        print("Run the benchmark with: .venv/bin/python -m benchmarks", file=sys.stderr)
        sys.exit(2)
