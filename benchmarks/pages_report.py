"""The pages section of docs/benchmarks.md: server time per main page, this tree against a baseline."""

from __future__ import annotations


def _ms(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def _int(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def render(report: dict, info: dict, when, command: str) -> str:
    base = report.get("against")
    lines = [
        "## Main pages on the demo data (server time)",
        "",
        f"Measured {when:%Y-%m-%d %H:%M %Z} with `{command}`: {report['requests']} timed requests per page after three "
        "untimed ones and one profiled, through Django's test client (middleware, view, queries, template; "
        "no network, no browser), "
        "signed in as a demo user, production settings (DEBUG off) on SQLite. "
        + (f"The baseline is revision `{base}`, measured in the same run in a git worktree with its own demo "
           "database; the two trees alternate round by round. A section of the start page is measured as htmx "
           "asks for it. " if base else "")
        + f"Machine: {info['cpu']}, {info['cpus']} CPUs, {info['memory']}, Python {info['python']}, load {info['load']}.",
        "",
    ]
    if base:
        lines += ["| page | baseline p50 / p95 ms | this p50 / p95 ms | p50 ratio | function calls ratio "
                  "| queries baseline → this |", "|---|---|---|---|---|---|"]
    else:
        lines += ["| page | p50 / p95 ms | function calls | queries |", "|---|---|---|---|"]
    for row in report["pages"]:
        this, old = row.get("this"), row.get("baseline")
        name = f"{row['label']} `{row['path']}`"
        if not base:
            lines.append(f"| {name} | {_ms(this['p50'])} / {_ms(this['p95'])} | {_int(this['calls'])} | {this['queries']} |")
            continue
        was = f"{_ms(old['p50'])} / {_ms(old['p95'])}" if old else "– (new page)"
        now = f"{_ms(this['p50'])} / {_ms(this['p95'])}" if this else "–"
        ratio = f"{this['p50'] / old['p50']:.2f}".replace(".", ",") if old and this else "–"
        calls = f"{this['calls'] / old['calls']:.2f}".replace(".", ",") if old and this else "–"
        queries = f"{old['queries'] if old else '–'} → {this['queries'] if this else '–'}"
        lines.append(f"| {name} | {was} | {now} | {ratio} | {calls} | {queries} |")
    lines += [
        "",
        "The function calls are those of one request under cProfile: unlike the times they do not move with the",
        "machine's load, so a ratio above 1 there is real work added. The start page's four sections are requests",
        "of their own (rows \"Start: …\"), fetched in parallel by htmx once the page has arrived; the page is",
        "readable, with its headings, before they come.",
        "",
    ]
    return "\n".join(lines)
