"""Changing measured data: all-or-nothing imports of observations and targets."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from lagesbild.catalogue.models import Measure
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.models import Import, sha256
from lagesbild.ingest.tabular import Table
from lagesbild.ingest.readers import read_table
from lagesbild.org import scope
from lagesbild.org.models import Membership, OrgUnit

from . import importers, subtree_sums
from .models import Observation, ReferenceObservation, Target

log = logging.getLogger(__name__)
DATA_ROLES = {Membership.Role.ADMIN, Membership.Role.STRATEGIST}
KIND_OBSERVATIONS = "observations"
KIND_TARGETS = "targets"
KIND_REFERENCE = "reference-observations"


@dataclass
class ImportResult:
    outcome: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    record: Import | None = None


def _lookups():
    measures: dict[str, Measure] = {}
    for m in Measure.objects.order_by("code", "-version"):
        measures.setdefault(m.code.casefold(), m)
    units = {u.code.casefold(): u for u in OrgUnit.objects.only("id", "code", "path", "valid_from", "valid_to")}
    return measures, units


def _writable_paths(user) -> list[str]:
    if user is None or user.is_superuser:
        return [""]
    return [m.org_unit.path for m in Membership.objects.filter(user=user, role__in=DATA_ROLES).select_related("org_unit")]


def _check_scope(table: Table, rows, units, user, unit_of) -> None:
    allowed = tuple(_writable_paths(user))
    if "" in allowed:
        return
    may: dict[str, bool] = {}  # per unit code: a file names a few hundred units in a million rows
    problems = ProblemList()
    for r in rows:
        code = unit_of(r)
        ok = may.get(code)
        if ok is None:
            ok = may[code] = units[code.casefold()].path.startswith(allowed)
        if not ok:
            problems.add(table.file, "du saknar behörighet att rapportera för enheten", row=r.row, column="unit",
                         value=units[code.casefold()].code)
    problems.raise_if_any()


def _refused(kind, file_name, data, user, exc: InputError) -> None:
    Import.objects.create(kind=kind, file_name=file_name[:255], sha256=sha256(data), size=len(data), uploaded_by=user,
                          outcome=Import.Outcome.FAILED, problems=[p.as_dict() for p in exc.problems])


def import_observations(data: bytes, file_name: str, user=None, reference: bool = False) -> ImportResult:
    """Upsert leaf observations from a CSV/XLSX file, all or nothing.

    Rows are keyed on (measure, unit, period, granularity, sex, age band): a row already stored
    with the same values is left alone, a changed one is updated, a new one inserted. The
    figures are current the moment the transaction commits: nothing is cached.
    With ``reference`` the rows are published comparison figures ("riket") and are stored
    apart, outside every roll-up; any unit may be named.
    """
    kind = KIND_REFERENCE if reference else KIND_OBSERVATIONS
    try:
        table = read_table(data, file_name)
        measures, units = _lookups()
        rows = importers.parse_observations(table, measures, units)
        if not reference:
            _check_scope(table, rows, units, user, lambda r: r.unit_code)
        elif not may_import(user):
            raise InputError.one(file_name, "du saknar behörighet att importera jämförelsedata")
    except InputError as exc:
        _refused(kind, file_name, data, user, exc)
        log.info("observation import refused: %d problems", len(exc.problems))
        raise
    model = ReferenceObservation if reference else Observation
    return _store_observations(rows, measures, units, table, data, file_name, user, model, kind)


def import_observation_rows(rows: list[dict], user=None, source: str = "api") -> ImportResult:
    """The API's bulk write: the same validation as a file, from a list of dicts."""
    header = list(importers.OBS_COLUMNS)
    body = [(i + 2, ["" if r.get(c) is None else str(r.get(c)).strip() for c in header]) for i, r in enumerate(rows)]
    data = repr(rows).encode("utf-8")
    table = Table(source, header, body, "json")
    try:
        measures, units = _lookups()
        parsed = importers.parse_observations(table, measures, units)
        _check_scope(table, parsed, units, user, lambda r: r.unit_code)
    except InputError as exc:
        _refused(KIND_OBSERVATIONS, source, data, user, exc)
        raise
    return _store_observations(parsed, measures, units, table, data, source, user)


def _store_observations(rows, measures, units, table, data, file_name, user, model=Observation,
                        kind=KIND_OBSERVATIONS) -> ImportResult:
    with transaction.atomic():
        record = Import.objects.create(
            kind=kind, file_name=file_name[:255], sha256=sha256(data), size=len(data), uploaded_by=user,
            rows=len(rows), outcome=Import.Outcome.OK, encoding=table.encoding,
        )
        m_id = {m.code: m.id for m in measures.values()}
        u_id = {u.code: u.id for u in units.values()}
        wanted = {(m_id[r.measure_code], u_id[r.unit_code], r.period.start, r.period.granularity, r.sex, r.age_band): r
                  for r in rows}
        if model is Observation:
            _lock_referenced(file_name, {k[0] for k in wanted}, {k[1] for k in wanted})
        if connection.vendor == "postgresql":
            created, changed, same = _upsert_postgresql(model, wanted, record)
        else:
            created, changed, same = _upsert_sqlite(model, wanted, record)
        if model is Observation and (created or changed):
            subtree_sums.refresh({k[1] for k in wanted}, {(k[0], k[2], k[3]) for k in wanted})
        outcome = Import.Outcome.UNCHANGED if not created and not changed else Import.Outcome.OK
        if outcome != record.outcome:
            Import.objects.filter(pk=record.pk).update(outcome=outcome)
            record.outcome = outcome
    log.info("observations imported: %d new, %d changed, %d unchanged", created, changed, same)
    return ImportResult(outcome, created, changed, same, record)


def _lock_referenced(file_name: str, measure_ids: set[int], unit_ids: set[int]) -> None:
    """Observations have no foreign-key constraints (models.Observation): lock the units and
    measures they name until this transaction commits (FOR KEY SHARE, as a constraint's check
    does), so nobody deletes one meanwhile, and fail if one has gone since the lookups. SQLite
    has one writer at a time, which is the same."""
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    for model, ids in ((Measure, measure_ids), (OrgUnit, unit_ids)):
        table = connection.ops.quote_name(model._meta.db_table)
        found: set[int] = set()
        ordered = sorted(ids)
        with connection.cursor() as cur:
            for i in range(0, len(ordered), 500):
                chunk = ordered[i:i + 500]
                cur.execute(f"SELECT id FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))}){lock}", chunk)
                found.update(r[0] for r in cur.fetchall())
        if ids - found:
            raise InputError.one(file_name, f"{model._meta.verbose_name} togs bort under importen; försök igen")


KEY_COLUMNS = ("measure_id", "org_unit_id", "period_start", "granularity", "sex", "age_band")
STAGING = "lagesbild_obs_in"


def _value_columns(model) -> list[str]:
    return ["numerator", "denominator"] + (["status"] if model is Observation else [])


def _upsert_sqlite(model, wanted: dict, record: Import) -> tuple[int, int, int]:
    """SQLite: the rows into a temporary table (one executemany), then one UPDATE … FROM for the
    stored rows whose values differ and one INSERT … SELECT for the new ones."""
    table = connection.ops.quote_name(model._meta.db_table)
    value_cols = _value_columns(model)
    is_leaf = model is Observation
    cols = [*KEY_COLUMNS, *value_cols]
    on_key = " AND ".join(f"o.{c} = s.{c}" for c in KEY_COLUMNS)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE {STAGING} (measure_id integer, org_unit_id integer, period_start text, "
                    "granularity text, sex text, age_band text, numerator integer, denominator integer, status text)")
        try:
            cur.execute(f"CREATE UNIQUE INDEX {STAGING}_key ON {STAGING} ({', '.join(KEY_COLUMNS)})")
            cur.executemany(
                f"INSERT INTO {STAGING} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                [(k[0], k[1], k[2].isoformat(), *k[3:], r.numerator, r.denominator, *((r.status,) if is_leaf else ()))
                 for k, r in wanted.items()],
            )
            stamp = ", updated_at = %s" if is_leaf else ""
            cur.execute(
                f"UPDATE {table} AS o SET " + ", ".join(f"{c} = s.{c}" for c in value_cols)
                + f", source_import_id = %s{stamp} FROM {STAGING} AS s WHERE {on_key} AND ("
                + " OR ".join(f"o.{c} IS NOT s.{c}" for c in value_cols) + ")",
                [record.pk, *([now] if is_leaf else [])],
            )
            changed = cur.rowcount
            cur.execute(
                f"INSERT INTO {table} ({', '.join(cols)}, source_import_id{', updated_at' if is_leaf else ''}) "
                f"SELECT {', '.join('s.' + c for c in cols)}, %s{', %s' if is_leaf else ''} FROM {STAGING} AS s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS o WHERE {on_key})",
                [record.pk, *([now] if is_leaf else [])],
            )
            created = cur.rowcount
        finally:
            cur.execute(f"DROP TABLE {STAGING}")
    return created, changed, len(wanted) - created - changed


def _upsert_postgresql(model, wanted: dict, record: Import) -> tuple[int, int, int]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … ON CONFLICT that
    updates only rows whose values differ, counting inserts and updates in the same statement."""
    is_leaf = model is Observation
    table = connection.ops.quote_name(model._meta.db_table)
    value_cols = _value_columns(model)
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE {STAGING} (measure_id bigint, org_unit_id bigint, period_start date, "
            "granularity varchar(10), sex varchar(1), age_band varchar(20), numerator bigint, denominator bigint, "
            "status varchar(12)) ON COMMIT DROP"
        )
        with cur.connection.cursor().copy(f"COPY {STAGING} FROM STDIN") as copy:
            for key, r in wanted.items():
                copy.write_row((*key, r.numerator, r.denominator, r.status))
        stamp = ", updated_at" if is_leaf else ""
        stamp_value = ", %s" if is_leaf else ""  # the time of this write, also inside a longer transaction
        stamp_update = ", updated_at = EXCLUDED.updated_at" if is_leaf else ""
        cols = ", ".join(value_cols)
        cur.execute(
            f"WITH up AS (INSERT INTO {table} (measure_id, org_unit_id, period_start, granularity, sex, age_band, "
            f"{cols}, source_import_id{stamp}) "
            f"SELECT measure_id, org_unit_id, period_start, granularity, sex, age_band, {cols}, %s{stamp_value} "
            f"FROM {STAGING} "
            f"ON CONFLICT (measure_id, org_unit_id, period_start, granularity, sex, age_band) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in value_cols)
            + f", source_import_id = EXCLUDED.source_import_id{stamp_update} "
            f"WHERE ({', '.join(f'{table}.{c}' for c in value_cols)}) IS DISTINCT FROM "
            f"({', '.join(f'EXCLUDED.{c}' for c in value_cols)}) "
            f"RETURNING (xmax = 0) AS inserted) "
            f"SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up",
            [record.pk, *([timezone.now()] if is_leaf else [])],
        )
        created, changed = cur.fetchone()
        cur.execute(f"DROP TABLE {STAGING}")
    return created, changed, len(wanted) - created - changed


def import_targets(data: bytes, file_name: str, user=None) -> ImportResult:
    """Upsert targets (key: measure, unit, valid_from) from a file, all or nothing."""
    try:
        table = read_table(data, file_name)
        measures, units = _lookups()
        rows = importers.parse_targets(table, measures, units)
        _check_scope(table, rows, units, user, lambda r: r.unit_code)
    except InputError as exc:
        _refused(KIND_TARGETS, file_name, data, user, exc)
        raise
    created = updated = same = 0
    with transaction.atomic():
        record = Import.objects.create(kind=KIND_TARGETS, file_name=file_name[:255], sha256=sha256(data), size=len(data),
                                       uploaded_by=user, rows=len(rows), outcome=Import.Outcome.OK, encoding=table.encoding)
        for r in rows:
            values = dict(comparator=r.comparator, value=r.value, warning_band=r.warning_band, valid_to=r.valid_to)
            t = Target.objects.filter(measure=measures[r.measure_code.casefold()], org_unit=units[r.unit_code.casefold()],
                                      valid_from=r.valid_from).first()
            if t is None:
                Target.objects.create(measure=measures[r.measure_code.casefold()], org_unit=units[r.unit_code.casefold()],
                                      valid_from=r.valid_from, **values)
                created += 1
            elif all(getattr(t, k) == v for k, v in values.items()):
                same += 1
            else:
                for k, v in values.items():
                    setattr(t, k, v)
                t.save()
                updated += 1
        if not created and not updated:
            Import.objects.filter(pk=record.pk).update(outcome=Import.Outcome.UNCHANGED)
    return ImportResult(Import.Outcome.OK if created or updated else Import.Outcome.UNCHANGED, created, updated, same, record)


def may_import(user) -> bool:
    return scope.has_role(user, DATA_ROLES)
