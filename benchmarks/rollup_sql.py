"""Hand-written SQL baselines for the roll-up queries, for PostgreSQL and SQLite.

Each function returns a list of (variant, sql, params) doing the same aggregation as one of
the application's queries, with ``%s`` placeholders (run through Django's cursor, which
turns them into ``?`` on SQLite). The benchmark times every variant and takes the fastest as
the baseline, and checks that each variant returns exactly the rows the application's
query returns.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

OBS = "measurements_observation"
SUMS = "measurements_subtreesum"
UNIT = "org_orgunit"


def _in(vendor: str, ids: Sequence[int]) -> tuple[str, list]:
    """``= ANY(%s)`` with one array parameter on PostgreSQL, ``IN (%s, …)`` on SQLite."""
    if vendor == "postgresql":
        return "= ANY(%s)", [list(ids)]
    return "IN (" + ", ".join(["%s"] * len(ids)) + ")", list(ids)


def next_prefix(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix`` ('SE/08/' -> 'SE/080')."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def sums(vendor: str, path: str, measure_ids: Sequence[int], start: date, end: date,
         unit_ids: Sequence[int] | None = None) -> list[tuple[str, str, list]]:
    """Σ per (measure, period_start, granularity) over the subtree at ``path`` (what ``_grouped`` does).

    With ``unit_ids`` (the subtree's units, looked up beforehand) one more form filters on them directly.
    """
    m_sql, m_params = _in(vendor, measure_ids)
    cols = ("o.measure_id, o.period_start, o.granularity, SUM(o.numerator), SUM(o.denominator), COUNT(*)")
    where = f"o.measure_id {m_sql} AND o.period_start >= %s AND o.period_start < %s"
    group = "GROUP BY o.measure_id, o.period_start, o.granularity"
    tail = [*m_params, start, end]
    return [
        ("join + LIKE", f"SELECT {cols} FROM {OBS} o JOIN {UNIT} u ON u.id = o.org_unit_id "
                        f"WHERE u.path LIKE %s AND {where} {group}", [path + "%", *tail]),
        ("join + path range", f"SELECT {cols} FROM {OBS} o JOIN {UNIT} u ON u.id = o.org_unit_id "
                              f"WHERE u.path >= %s AND u.path < %s AND {where} {group}",
         [path, next_prefix(path), *tail]),
        ("unit ids in a CTE", f"WITH s AS MATERIALIZED (SELECT id FROM {UNIT} WHERE path LIKE %s) "
                              f"SELECT {cols} FROM {OBS} o WHERE o.org_unit_id IN (SELECT id FROM s) AND {where} {group}",
         [path + "%", *tail]),
    ] + ([
        ("unit ids as an array (one bitmap scan)",
         f"SELECT {cols} FROM {OBS} o WHERE o.org_unit_id = ANY(ARRAY(SELECT id FROM {UNIT} WHERE path LIKE %s)) "
         f"AND {where} {group}", [path + "%", *tail]),
    ] if vendor == "postgresql" else []) + ([
        ("unit ids looked up first, passed as a list",
         f"SELECT {cols} FROM {OBS} o WHERE o.org_unit_id {_in(vendor, unit_ids)[0]} AND {where} {group}",
         [*_in(vendor, unit_ids)[1], *tail]),
    ] if unit_ids else [])


def stored(vendor: str, unit_id: int, measure_ids: Sequence[int], start: date, end: date) -> list[tuple[str, str, list]]:
    """The same Σ read by hand from the stored subtree sums plus the unit's own rows."""
    m_sql, m_params = _in(vendor, measure_ids)
    where = f"measure_id {m_sql} AND period_start >= %s AND period_start < %s"
    return [
        ("stored subtree sums + own rows (UNION ALL)",
         f"SELECT measure_id, period_start, granularity, numerator, denominator, row_count FROM {SUMS} "
         f"WHERE org_unit_id = %s AND {where} UNION ALL "
         f"SELECT measure_id, period_start, granularity, SUM(numerator), SUM(denominator), COUNT(*) FROM {OBS} "
         f"WHERE org_unit_id = %s AND {where} GROUP BY measure_id, period_start, granularity",
         [unit_id, *m_params, start, end, unit_id, *m_params, start, end]),
    ]


def sums_everything(vendor: str, measure_ids: Sequence[int], start: date, end: date) -> list[tuple[str, str, list]]:
    """The nation: every unit lies below it, so the hand-written form needs no join at all."""
    m_sql, m_params = _in(vendor, measure_ids)
    return sums(vendor, "SE/", measure_ids, start, end) + [
        ("no join (the root covers every unit)",
         f"SELECT o.measure_id, o.period_start, o.granularity, SUM(o.numerator), SUM(o.denominator), COUNT(*) "
         f"FROM {OBS} o WHERE o.measure_id {m_sql} AND o.period_start >= %s AND o.period_start < %s "
         f"GROUP BY o.measure_id, o.period_start, o.granularity", [*m_params, start, end]),
    ]


def _child_expr(vendor: str, n: int) -> str:
    find = "strpos" if vendor == "postgresql" else "instr"
    return f"substr(u.path, 1, {find}(substr(u.path, {n + 1}), '/') + {n})"


def per_child(vendor: str, path: str, parent_id: int, measure_ids: Sequence[int], start: date, end: date,
              granularities: Sequence[str], by_measure: bool) -> list[tuple[str, str, list]]:
    """Σ per child of the unit at ``path`` (and per measure when ``by_measure``): child_values /
    child_statuses."""
    m_sql, m_params = _in(vendor, measure_ids)
    g_sql, g_params = _in(vendor, granularities)
    mcol = ", o.measure_id" if by_measure else ""
    where = f"o.measure_id {m_sql} AND o.period_start >= %s AND o.period_start < %s AND o.granularity {g_sql}"
    tail = [*m_params, start, end, *g_params]
    aggs = "SUM(o.numerator), SUM(o.denominator), COUNT(*)"
    child = _child_expr(vendor, len(path))
    concat = "ch.path || '%%'"
    return [
        ("join + LIKE + substr", f"SELECT {child} AS child{mcol}, {aggs} FROM {OBS} o JOIN {UNIT} u ON u.id = o.org_unit_id "
                                 f"WHERE u.path LIKE %s AND u.path <> %s AND {where} GROUP BY 1{', 2' if by_measure else ''}",
         [path + "%", path, *tail]),
        ("unit → child map in a CTE",
         f"WITH c AS MATERIALIZED (SELECT u.id, ch.path AS child FROM {UNIT} ch JOIN {UNIT} u "
         f"ON u.path LIKE {concat} WHERE ch.parent_id = %s) "
         f"SELECT c.child{mcol}, {aggs} FROM {OBS} o JOIN c ON c.id = o.org_unit_id WHERE {where} "
         f"GROUP BY c.child{mcol}", [parent_id, *tail]),
    ]


def latest(vendor: str, path: str, measure_ids: Sequence[int], end: date) -> list[tuple[str, str, list]]:
    """The last month with data per measure in the subtree before ``end`` (measure_statuses' data_until)."""
    m_sql, m_params = _in(vendor, measure_ids)
    out = [
        ("join + GROUP BY max",
         f"SELECT o.measure_id, MAX(o.period_start) FROM {OBS} o JOIN {UNIT} u ON u.id = o.org_unit_id "
         f"WHERE u.path LIKE %s AND o.measure_id {m_sql} AND o.period_start < %s GROUP BY o.measure_id",
         [path + "%", *m_params, end]),
    ]
    if vendor == "postgresql":
        out.append((
            "one index probe per unit × measure (LATERAL … LIMIT 1)",
            f"SELECT m.id, MAX(x.p) FROM unnest(%s::bigint[]) AS m(id) "
            f"CROSS JOIN (SELECT id FROM {UNIT} WHERE path LIKE %s) s "
            f"CROSS JOIN LATERAL (SELECT o.period_start AS p FROM {OBS} o WHERE o.org_unit_id = s.id "
            f"AND o.measure_id = m.id AND o.period_start < %s ORDER BY o.period_start DESC LIMIT 1) x GROUP BY m.id",
            [list(measure_ids), path + "%", end],
        ))
    else:
        out.append((
            "one index probe per unit × measure (correlated … LIMIT 1)",
            f"SELECT x.id, MAX(x.p) FROM (SELECT m.id AS id, (SELECT o.period_start FROM {OBS} o "
            f"WHERE o.org_unit_id = s.id AND o.measure_id = m.id AND o.period_start < %s "
            f"ORDER BY o.period_start DESC LIMIT 1) AS p "
            f"FROM catalogue_measure m, (SELECT id FROM {UNIT} WHERE path LIKE %s) s WHERE m.id {m_sql}) x "
            f"WHERE x.p IS NOT NULL GROUP BY x.id",
            [end, path + "%", *m_params],
        ))
    return out
