"""Keep ``SubtreeSum`` equal to Σ of the observations below each unit, in the writer's transaction.

A unit's sums are its children's own observations plus its children's sums, so they are
recomputed bottom-up, deepest units first, one INSERT … SELECT per level and step. After an
import only the ancestors of the imported units and only the imported measures, granularities and
period range are recomputed, and the lowest level reads the imported rows about once;
the levels above read their children's sums. Everything is recomputed from the stored rows (never
adjusted by differences), so a refresh is exact and repeatable, and ``verify`` can prove it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date
from typing import Iterable, Optional

from django.db import connection, transaction

from lagesbild.ingest.errors import InputError
from lagesbild.org.models import OrgUnit

from .models import Observation, SubtreeSum

Combo = tuple[int, date, str]  # (measure id, period start, granularity)
OBS = Observation._meta.db_table
SUMS = SubtreeSum._meta.db_table
UNITS = OrgUnit._meta.db_table
KEY = ("org_unit_id", "period_start", "measure_id", "granularity")


def ancestors_by_depth(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """The strict ancestors of the units, grouped by depth."""
    paths = set()
    for path in OrgUnit.objects.filter(pk__in=list(set(unit_ids))).values_list("path", flat=True):
        parts = path.rstrip("/").split("/")
        paths.update("/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    out: dict[int, list[int]] = defaultdict(list)
    for pk, depth in OrgUnit.objects.filter(path__in=paths).values_list("pk", "depth"):
        out[depth].append(pk)
    return out


def refresh(unit_ids: Iterable[int], combos: Optional[Iterable[Combo]] = None,
            extra_ancestors: Iterable[int] = ()) -> None:
    """Recompute the sums of every ancestor of ``unit_ids`` (and of ``extra_ancestors``) for the
    given combinations, or for all of them with ``combos=None``."""
    by_depth = ancestors_by_depth(unit_ids)
    for pk, depth in OrgUnit.objects.filter(pk__in=list(extra_ancestors)).values_list("pk", "depth"):
        if pk not in by_depth[depth]:
            by_depth[depth].append(pk)
    _recompute_levels(by_depth, None if combos is None else set(combos))


def parents_by_depth() -> dict[int, list[int]]:
    """Every unit that has children, grouped by depth."""
    out: dict[int, list[int]] = defaultdict(list)
    for pk, depth in OrgUnit.objects.filter(children__isnull=False).distinct().values_list("pk", "depth"):
        out[depth].append(pk)
    return out


def rebuild() -> None:
    """Recompute every unit's sums from the observations (after a migration or a bulk load)."""
    with transaction.atomic():
        SubtreeSum.objects.all().delete()
        _recompute_levels(parents_by_depth(), None)


# Concurrent writers recompute one after the other (PostgreSQL; SQLite has one writer anyway):
# under READ COMMITTED the second then sees the first's committed rows in every statement,
# instead of failing on the unique key or summing a snapshot that misses them. The second waits
# a bounded time (a killed client's backend can hold the lock for seconds), then is told why.
LOCK_KEY = 0x4C_4147_5355  # "LAGSU"
LOCK_WAIT_SECONDS = 10.0
LOCK_POLL_SECONDS = 0.1
BUSY = "en import pågår redan – försök igen om en stund"


def _lock(cur) -> None:
    """Take the sums' transaction lock within LOCK_WAIT_SECONDS, else an InputError (PostgreSQL)."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if cur.fetchone()[0]:
            return
        if time.monotonic() >= deadline:
            raise InputError.one("import", BUSY)
        time.sleep(LOCK_POLL_SECONDS)


def _recompute_levels(by_depth: dict[int, list[int]], combos: Optional[set[Combo]]) -> None:
    if not any(by_depth.values()) or combos == set():
        return
    combo_filter, params = (lambda alias: ""), []
    if combos is not None:
        # The combinations as a box – their measures × their granularities × the period range from
        # the first to the last – so each statement filters with plain index conditions (a join with
        # the list misleads the planner about freshly imported rows). Recomputing a combination
        # the file did not touch gives the same sums again.
        measures = sorted({m for m, _, _ in combos})
        grans = sorted({g for _, _, g in combos})

        def combo_filter(alias: str) -> str:
            return (f" AND {alias}.measure_id IN ({', '.join(['%s'] * len(measures))})"
                    f" AND {alias}.granularity IN ({', '.join(['%s'] * len(grans))})"
                    f" AND {alias}.period_start >= %s AND {alias}.period_start <= %s")
        params = [*measures, *grans, min(p for _, p, _ in combos), max(p for _, p, _ in combos)]
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            _lock(cur)
        for depth in sorted(by_depth, reverse=True):  # children before their parents
            for chunk in _chunks(sorted(set(by_depth[depth])), 500):
                _recompute(cur, chunk, combo_filter, params)


def _recompute(cur, ids: list[int], combo_filter, params: list) -> None:
    marks = ", ".join(["%s"] * len(ids))
    where_combo = combo_filter("x")
    cur.execute(f"DELETE FROM {SUMS} WHERE org_unit_id IN ({marks}){combo_filter(SUMS)}", [*ids, *params])
    # 1. the children's own observations
    cur.execute(
        f"INSERT INTO {SUMS} (org_unit_id, measure_id, period_start, granularity, numerator, denominator, row_count) "
        f"SELECT c.parent_id, x.measure_id, x.period_start, x.granularity, SUM(x.numerator), SUM(x.denominator), COUNT(*) "
        f"FROM {UNITS} c JOIN {OBS} x ON x.org_unit_id = c.id WHERE c.parent_id IN ({marks}){where_combo} "
        "GROUP BY c.parent_id, x.measure_id, x.period_start, x.granularity",
        [*ids, *params],
    )
    # 2. plus the children's own sums (already current: deeper levels go first)
    cur.execute(
        f"INSERT INTO {SUMS} (org_unit_id, measure_id, period_start, granularity, numerator, denominator, row_count) "
        f"SELECT c.parent_id, x.measure_id, x.period_start, x.granularity, SUM(x.numerator), SUM(x.denominator), SUM(x.row_count) "
        f"FROM {UNITS} c JOIN {SUMS} x ON x.org_unit_id = c.id WHERE c.parent_id IN ({marks}){where_combo} "
        "GROUP BY c.parent_id, x.measure_id, x.period_start, x.granularity "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET numerator = {SUMS}.numerator + EXCLUDED.numerator, "
        f"denominator = COALESCE({SUMS}.denominator + EXCLUDED.denominator, {SUMS}.denominator, EXCLUDED.denominator), "
        f"row_count = {SUMS}.row_count + EXCLUDED.row_count",
        [*ids, *params],
    )


def _chunks(items: list[int], size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def verify() -> list[tuple]:
    """Differences between the stored sums and Σ of the observations below each unit, computed
    afresh from the leaves: [(unit id, measure id, period start, granularity, stored, expected)]."""
    expected: dict[tuple, tuple] = {}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT a.id, o.measure_id, o.period_start, o.granularity, SUM(o.numerator), SUM(o.denominator), COUNT(*) "
            f"FROM {UNITS} a JOIN {UNITS} u ON u.path LIKE a.path || '%%' AND u.id <> a.id "
            f"JOIN {OBS} o ON o.org_unit_id = u.id GROUP BY a.id, o.measure_id, o.period_start, o.granularity")
        for a, m, p, g, num, den, n in cur.fetchall():
            expected[(a, m, _day(p), g)] = (num, den, n)
    stored = {(a, m, p, g): (num, den, n) for a, m, p, g, num, den, n in SubtreeSum.objects.values_list(
        "org_unit_id", "measure_id", "period_start", "granularity", "numerator", "denominator", "row_count")}
    return sorted((*k, stored.get(k), expected.get(k)) for k in set(stored) | set(expected)
                  if stored.get(k) != expected.get(k))


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
