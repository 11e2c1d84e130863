"""Changing measured data: all-or-nothing imports of observations and targets."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from lagesbild.catalogue.models import Measure
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.models import Import, sha256
from lagesbild.ingest.tabular import Table, read_table
from lagesbild.org import scope
from lagesbild.org.models import Membership, OrgUnit

from . import importers
from .models import Observation, ReferenceObservation, Target

log = logging.getLogger(__name__)
DATA_ROLES = {Membership.Role.ADMIN, Membership.Role.STRATEGIST}
KIND_OBSERVATIONS = "observations"
KIND_TARGETS = "targets"
KIND_REFERENCE = "reference-observations"
BATCH = 5000


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
        if connection.vendor == "postgresql":
            created, changed, same = _upsert_postgresql(model, wanted, record)
        else:
            created, changed, same = _upsert_orm(model, wanted, record)
        outcome = Import.Outcome.UNCHANGED if not created and not changed else Import.Outcome.OK
        if outcome != record.outcome:
            Import.objects.filter(pk=record.pk).update(outcome=outcome)
            record.outcome = outcome
    log.info("observations imported: %d new, %d changed, %d unchanged", created, changed, same)
    return ImportResult(outcome, created, changed, same, record)


def _upsert_orm(model, wanted: dict, record: Import) -> tuple[int, int, int]:
    """Any database: read the stored rows of the measures and period range, then insert the new
    rows and update the changed ones in batches."""
    is_leaf = model is Observation
    existing = {}
    if wanted:
        starts = [k[2] for k in wanted]
        u_ids = {k[1] for k in wanted}
        qs = model.objects.filter(
            measure_id__in={k[0] for k in wanted}, period_start__gte=min(starts), period_start__lte=max(starts)
        ).values_list("id", "measure_id", "org_unit_id", "period_start", "granularity", "sex", "age_band",
                      "numerator", "denominator", *(["status"] if is_leaf else []))
        if len(u_ids) < 1000:
            qs = qs.filter(org_unit_id__in=u_ids)
        for pk, *rest in qs.iterator(chunk_size=20000):
            existing[tuple(rest[:6])] = (pk, *rest[6:])
    now = timezone.now()
    extra = (lambda r: {"status": r.status, "updated_at": now}) if is_leaf else (lambda r: {})
    fields = ["numerator", "denominator", "source_import"] + (["status", "updated_at"] if is_leaf else [])
    new, changed, same = [], [], 0
    for key, r in wanted.items():
        old = existing.get(key)
        values = (r.numerator, r.denominator, r.status) if is_leaf else (r.numerator, r.denominator)
        if old is None:
            new.append(model(measure_id=key[0], org_unit_id=key[1], period_start=key[2], granularity=key[3],
                             sex=key[4], age_band=key[5], numerator=r.numerator, denominator=r.denominator,
                             source_import=record, **extra(r)))
        elif old[1:] == values:
            same += 1
        else:
            changed.append(model(pk=old[0], numerator=r.numerator, denominator=r.denominator,
                                 source_import=record, **extra(r)))
    model.objects.bulk_create(new, batch_size=BATCH)
    model.objects.bulk_update(changed, fields, batch_size=BATCH)
    return len(new), len(changed), same


def _upsert_postgresql(model, wanted: dict, record: Import) -> tuple[int, int, int]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … ON CONFLICT that
    updates only rows whose values differ, counting inserts and updates in the same statement."""
    is_leaf = model is Observation
    table = connection.ops.quote_name(model._meta.db_table)
    value_cols = ["numerator", "denominator"] + (["status"] if is_leaf else [])
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE lagesbild_obs_in (measure_id bigint, org_unit_id bigint, period_start date, "
            "granularity varchar(10), sex varchar(1), age_band varchar(20), numerator bigint, denominator bigint, "
            "status varchar(12)) ON COMMIT DROP"
        )
        with cur.connection.cursor().copy("COPY lagesbild_obs_in FROM STDIN") as copy:
            for key, r in wanted.items():
                copy.write_row((*key, r.numerator, r.denominator, r.status))
        stamp = ", updated_at" if is_leaf else ""
        stamp_value = ", now()" if is_leaf else ""
        stamp_update = ", updated_at = EXCLUDED.updated_at" if is_leaf else ""
        cols = ", ".join(value_cols)
        cur.execute(
            f"WITH up AS (INSERT INTO {table} (measure_id, org_unit_id, period_start, granularity, sex, age_band, "
            f"{cols}, source_import_id{stamp}) "
            f"SELECT measure_id, org_unit_id, period_start, granularity, sex, age_band, {cols}, %s{stamp_value} "
            f"FROM lagesbild_obs_in "
            f"ON CONFLICT (measure_id, org_unit_id, period_start, granularity, sex, age_band) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in value_cols)
            + f", source_import_id = EXCLUDED.source_import_id{stamp_update} "
            f"WHERE ({', '.join(f'{table}.{c}' for c in value_cols)}) IS DISTINCT FROM "
            f"({', '.join(f'EXCLUDED.{c}' for c in value_cols)}) "
            f"RETURNING (xmax = 0) AS inserted) "
            f"SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up",
            [record.pk],
        )
        created, changed = cur.fetchone()
        cur.execute("DROP TABLE lagesbild_obs_in")
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
