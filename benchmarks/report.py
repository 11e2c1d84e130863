"""Shared by the benchmarks: machine facts, number formatting and the sections of docs/benchmarks.md.

Each benchmark owns one section of the results file, between ``<!-- name:start -->`` and
``<!-- name:end -->``; writing a section leaves the rest of the file as it is.
"""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
COMMAND = "make bench  # = .venv/bin/python -m benchmarks"
HEADER = (
    "# Benchmarks\n\n"
    "_This file is written by `make bench` (= `.venv/bin/python -m benchmarks`; `python -m benchmarks survey` or "
    "`python -m benchmarks rollup` runs one of them). Each benchmark rewrites only its own section, between its "
    "`<!-- name:start -->` and `<!-- name:end -->` markers; do not edit the numbers by hand._\n"
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def command_line(command: str = COMMAND) -> str:
    """The command as run; DATABASE_URL (password masked) when PostgreSQL was measured too."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return command
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=f"{parts.username}:***@{host}")
    return f"DATABASE_URL={urlunsplit(parts)} {command}"


def machine() -> dict:
    import django

    try:
        load = "%.2f / %.2f / %.2f" % os.getloadavg()
    except OSError:
        load = "unknown"
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory": _mem_total(),
        "platform": platform.platform(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "load": load,
    }


def s(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}" if x < 10 else f"{x:.2f}"


def mb(x: int | None) -> str:
    return "–" if x is None else f"{n_(round(x / 1024 / 1024))} MiB"


def n_(x: int) -> str:
    """10 000, not 10,000 (Swedish and SI style, unambiguous either way)."""
    return f"{x:,}".replace(",", " ")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "–"




def write_section(name: str, text: str, path: Path = DOC) -> None:
    """Replace the section ``name`` of the results file with ``text`` (appended when it is new)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.strip()}\n{end}"
    doc = path.read_text(encoding="utf-8") if path.exists() else HEADER
    i, j = doc.find(start), doc.find(end)
    if 0 <= i < j:
        doc = doc[:i] + block + doc[j + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc, encoding="utf-8")


def read_section(name: str, path: Path = DOC) -> str | None:
    if not path.exists():
        return None
    doc = path.read_text(encoding="utf-8")
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    i, j = doc.find(start), doc.find(end)
    return doc[i + len(start):j].strip() if 0 <= i < j else None
