"""Changing measured data: all-or-nothing imports of observations and targets, and target edits.

Every function here takes ``actor=`` (who, through which channel), checks the permission, writes
in one transaction through the ingest pipeline and records the audit event; views, the API and
the command line only parse their input, build the actor and call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from django.db import connection, transaction
from django.utils import timezone

from lagesbild.catalogue.models import Measure
from lagesbild.calc import periods
from lagesbild.calc.periods import Period
from lagesbild.catalogue.selectors import valid_on, versions_by_code
from lagesbild.core.actor import Actor
from lagesbild.ingest import pipeline
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.models import Import
from lagesbild.ingest.tabular import Table
from lagesbild.org import audit, permissions, scope
from lagesbild.org.models import Membership, OrgUnit

from . import importers, subtree_sums
from .models import RUN_LENGTHS, Observation, Rebase, ReferenceObservation, SpcSetting, Target

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


def _result(imp) -> ImportResult:
    r = imp.record
    return ImportResult(r.outcome, r.created, r.updated, r.unchanged, r)


def _units():
    return {u.code.casefold(): u for u in OrgUnit.objects.only("id", "code", "path", "valid_from", "valid_to")}


def writable_paths(actor: Actor) -> list[str]:
    """The paths of the subtrees the actor may write data for ("" for everywhere)."""
    return _writable_paths(actor)


def _writable_paths(actor: Actor) -> list[str]:
    if actor.is_system or actor.user.is_superuser:
        return [""]
    return [m.org_unit.path for m in Membership.objects.filter(user=actor.user, role__in=DATA_ROLES)
            .select_related("org_unit")]


def _check_scope(table: Table, rows, units, actor: Actor) -> None:
    """Every row's unit must lie in the actor's data roles' subtrees (the system actor may write anywhere)."""
    allowed = tuple(_writable_paths(actor))
    if "" in allowed:
        return
    may: dict[str, bool] = {}  # per unit code: a file names a few hundred units in a million rows
    problems = ProblemList()
    for r in rows:
        code = r.unit_code
        ok = may.get(code)
        if ok is None:
            ok = may[code] = units[code.casefold()].path.startswith(allowed)
        if not ok:
            problems.add(table.file, "du saknar behörighet att rapportera för enheten", row=r.row, column="unit",
                         value=units[code.casefold()].code)
    problems.raise_if_any()


def import_observations(data: bytes, file_name: str, *, actor: Actor, reference: bool = False) -> ImportResult:
    """Upsert leaf observations from a CSV/XLSX file, all or nothing.

    Rows are keyed on (measure, unit, period, granularity, sex, age band): a row already stored
    with the same values is left alone, a changed one is updated, a new one inserted. Each row is
    stored on the measure version valid for its period. The figures are current the moment the
    transaction commits. With ``reference`` the rows are published comparison figures ("riket")
    and are stored apart, outside every roll-up; any unit may be named.
    """
    kind = KIND_REFERENCE if reference else KIND_OBSERVATIONS
    action = ("reference" if reference else "observations") + ".import"
    with pipeline.run(kind, file_name, data, actor, audit=audit.import_hook(actor, action)) as imp:
        table = imp.table()
        units = _units()
        rows = importers.parse_observations(table, versions_by_code(), units)
        if not reference:
            _check_scope(table, rows, units, actor)
        elif not (actor.is_system or may_import(actor.user)):
            raise InputError.one(table.file, "du saknar behörighet att importera jämförelsedata")
        _store_observations(imp, rows, units, table, ReferenceObservation if reference else Observation)
    return _result(imp)


def import_observation_rows(rows: list[dict], *, actor: Actor, source: str = "api") -> ImportResult:
    """The API's bulk write: the same validation as a file, from a list of dicts."""
    header = list(importers.OBS_COLUMNS)
    body = [(i + 2, ["" if r.get(c) is None else str(r.get(c)).strip() for c in header]) for i, r in enumerate(rows)]
    with pipeline.run(KIND_OBSERVATIONS, source, repr(rows).encode("utf-8"), actor,
                      audit=audit.import_hook(actor, "observations.import")) as imp:
        table = Table(source, header, body, "json")
        units = _units()
        parsed = importers.parse_observations(table, versions_by_code(), units)
        _check_scope(table, parsed, units, actor)
        _store_observations(imp, parsed, units, table, Observation)
    return _result(imp)


def _store_observations(imp, rows, units, table, model) -> None:
    imp.start(rows=len(rows), encoding=table.encoding)
    u_id = {u.code: u.id for u in units.values()}
    wanted = {(r.measure_id, u_id[r.unit_code], r.period.start, r.period.granularity, r.sex, r.age_band): r
              for r in rows}
    if model is Observation:
        _lock_referenced(table.file, {k[0] for k in wanted}, {k[1] for k in wanted})
    upsert = _upsert_postgresql if connection.vendor == "postgresql" else _upsert_sqlite
    created, changed, same = upsert(model, wanted, imp.record, table.file)
    if model is Observation and (created or changed):
        subtree_sums.refresh({k[1] for k in wanted}, {(k[0], k[2], k[3]) for k in wanted})
    imp.finish(created=created, updated=changed, unchanged=same)


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


def _refuse_split_conflicts(cur, table: str, wanted: dict, file_name: str) -> None:
    """The total-versus-split rule against the stored rows: a key (measure, unit, period) holds
    either one total row or rows split by sex and/or age band, never both, whichever import wrote
    them. Run on the staged rows, so the database joins them with the unique key's index."""
    cur.execute(
        f"SELECT s.measure_id, s.org_unit_id, s.period_start, s.granularity, s.sex, s.age_band, o.sex, o.age_band, "
        f"o.source_import_id FROM {STAGING} s JOIN {table} o ON o.measure_id = s.measure_id "
        "AND o.org_unit_id = s.org_unit_id AND o.period_start = s.period_start AND o.granularity = s.granularity "
        "WHERE (o.sex <> '') <> (s.sex <> '') OR (o.age_band <> '') <> (s.age_band <> '') LIMIT 20"
    )
    found = cur.fetchall()
    if not found:
        return
    files = dict(Import.objects.filter(pk__in={f[8] for f in found}).values_list("pk", "file_name"))
    problems = ProblemList()
    for m, u, start, g, sex, age, stored_sex, stored_age, import_id in found:
        row = wanted[(m, u, start if isinstance(start, date) else date.fromisoformat(start), g, sex, age)]
        stored = "en totalrad" if not stored_sex and not stored_age else (
            f"en uppdelad rad (kön {stored_sex or '–'}, åldersgrupp {stored_age or '–'})")
        problems.add(file_name, f"{stored} för samma mått, enhet och period finns redan, från importen "
                                f"{files.get(import_id, '–')!r}; totalrad och uppdelade rader skulle räknas dubbelt",
                     row=row.row, column="period", value=row.period.key)
    problems.raise_if_any()


def _upsert_sqlite(model, wanted: dict, record: Import, file_name: str) -> tuple[int, int, int]:
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
            _refuse_split_conflicts(cur, table, wanted, file_name)
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


def _upsert_postgresql(model, wanted: dict, record: Import, file_name: str) -> tuple[int, int, int]:
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
        cur.execute(f"ANALYZE {STAGING}")  # row counts for the planner: a join over the unique key's index
        _refuse_split_conflicts(cur, table, wanted, file_name)
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


@dataclass(frozen=True)
class DerivedFigure:
    """A monthly figure computed from other data (patient records, incidents) for one unit."""

    measure_code: str
    unit_id: int
    month: date  # the first day of the month
    sex: str  # "" for all, or "K" / "M"
    numerator: int
    denominator: int


def write_derived(record: Import, measure_codes: list[str], cells: set[tuple[int, date]],
                  figures: list[DerivedFigure]) -> dict[str, int]:
    """Within the measures × (unit, month) cells that were recomputed, make the stored monthly
    observations exactly ``figures``: new ones inserted, changed ones updated, those no longer
    derived (a denominator that fell to nothing) deleted; every row written points at ``record``,
    the import of the data they were derived from. Runs in the caller's transaction (the caller's
    import pipeline), keeps the subtree sums current, and refuses a figure that would sit beside a
    total row imported by hand for the same key, as an import does."""
    if not cells:
        return {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    unit_ids, months = {u for u, _ in cells}, {m for _, m in cells}
    versions = versions_by_code()
    measure_id = {}
    for f in figures:
        key = (f.measure_code, f.month)
        if key not in measure_id:
            measure_id[key] = valid_on(versions[f.measure_code.casefold()], f.month).id
    wanted = {
        (measure_id[(f.measure_code, f.month)], f.unit_id, f.month, periods.MONTH, f.sex, ""): importers.ObservationRow(
            0, measure_id[(f.measure_code, f.month)], "", Period.containing(f.month, periods.MONTH), f.sex, "",
            f.numerator, f.denominator, Observation.Status.FINAL)
        for f in figures
    }
    all_versions = [m.id for code in measure_codes for m in versions[code.casefold()]]
    stale = [pk for pk, *key in Observation.objects.filter(
        measure_id__in=all_versions, org_unit_id__in=unit_ids, period_start__in=months, granularity=periods.MONTH,
    ).values_list("pk", "measure_id", "org_unit_id", "period_start", "granularity", "sex", "age_band")
        if (key[1], key[2]) in cells and tuple(key) not in wanted]
    deleted = Observation.objects.filter(pk__in=stale).delete()[0] if stale else 0
    created = changed = same = 0
    if wanted:
        _lock_referenced(record.file_name, {k[0] for k in wanted}, {k[1] for k in wanted})
        upsert = _upsert_postgresql if connection.vendor == "postgresql" else _upsert_sqlite
        created, changed, same = upsert(Observation, wanted, record, record.file_name)
    if created or changed or deleted:
        combos = {(m, month, periods.MONTH) for m in all_versions for month in months}
        subtree_sums.refresh(unit_ids, combos)
    return {"created": created, "updated": changed, "unchanged": same, "deleted": deleted}


def import_targets(data: bytes, file_name: str, *, actor: Actor) -> ImportResult:
    """Upsert targets (key: measure, unit, valid_from) from a file, all or nothing."""
    with pipeline.run(KIND_TARGETS, file_name, data, actor, audit=audit.import_hook(actor, "targets.import")) as imp:
        table = imp.table()
        units = _units()
        rows = importers.parse_targets(table, versions_by_code(), units)
        _check_scope(table, rows, units, actor)
        imp.start(rows=len(rows), encoding=table.encoding)
        created = updated = same = 0
        for r in rows:
            values = dict(comparator=r.comparator, value=r.value, warning_band=r.warning_band, valid_to=r.valid_to)
            key = dict(measure_id=r.measure_id, org_unit=units[r.unit_code.casefold()], valid_from=r.valid_from)
            t = Target.objects.filter(**key).first()
            if t is None:
                Target.objects.create(**key, **values)
                created += 1
            elif all(getattr(t, k) == v for k, v in values.items()):
                same += 1
            else:
                for k, v in values.items():
                    setattr(t, k, v)
                t.save()
                updated += 1
        imp.finish(created=created, updated=updated, unchanged=same)
    return _result(imp)


TARGET_FIELDS = ("measure", "org_unit", "comparator", "value", "warning_band", "valid_from", "valid_to", "note")


def _refuse_duplicate_target(measure: Measure, unit: OrgUnit, valid_from: Optional[date], pk: Optional[int]) -> None:
    """A target's key is (measure, unit, valid_from), a missing valid_from included (models.Target)."""
    if Target.objects.filter(measure=measure, org_unit=unit, valid_from=valid_from).exclude(pk=pk).exists():
        raise InputError.one("mål", "det finns redan ett mål för måttet och enheten med samma giltig från",
                             column="valid_from", value=str(valid_from or ""))


def create_target(*, actor: Actor, measure: Measure, org_unit: OrgUnit, comparator: str, value: Decimal,
                  warning_band: Optional[Decimal] = None, valid_from: Optional[date] = None,
                  valid_to: Optional[date] = None, note: str = "") -> Target:
    """Set a target at a unit (it holds for the subtree); needs a target role on the unit."""
    permissions.require(actor, permissions.TARGET_ROLES, org_unit)
    with transaction.atomic():
        _refuse_duplicate_target(measure, org_unit, valid_from, None)
        target = Target.objects.create(measure=measure, org_unit=org_unit, comparator=comparator, value=value,
                                       warning_band=warning_band, valid_from=valid_from, valid_to=valid_to, note=note)
        audit.record(actor, "target.create", target)
    return target


def update_target(target: Target, *, actor: Actor, **changes) -> Target:
    """Change a target's fields (any of TARGET_FIELDS); needs a target role on the old and the new unit."""
    unknown = set(changes) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown target fields: {sorted(unknown)}")
    permissions.require(actor, permissions.TARGET_ROLES, target.org_unit)
    if "org_unit" in changes:
        permissions.require(actor, permissions.TARGET_ROLES, changes["org_unit"])
    with transaction.atomic():
        for k, v in changes.items():
            setattr(target, k, v)
        _refuse_duplicate_target(target.measure, target.org_unit, target.valid_from, target.pk)
        target.save()
        audit.record(actor, "target.update", target, fields=sorted(changes))
    return target


def delete_target(target: Target, *, actor: Actor) -> None:
    permissions.require(actor, permissions.TARGET_ROLES, target.org_unit)
    with transaction.atomic():
        audit.record(actor, "target.delete", target)
        target.delete()


def may_import(user) -> bool:
    return scope.has_role(user, DATA_ROLES)


# --- control charts: the settings of a measure and rebases (docs/spc.md) ----------------------

SPC_FILE = "styrdiagram"
FIX_AFTER_MAX = 120  # ten years of months
REASON_MAX = Rebase._meta.get_field("reason").max_length


def _require_measure(code: str) -> None:
    if not Measure.objects.filter(code=code).exists():
        raise InputError.one(SPC_FILE, "okänt mått", column="mått", value=code)


def set_spc_settings(measure_code: str, *, actor: Actor, fix_after: Optional[int], run_length: int) -> SpcSetting:
    """How the measure's control chart is drawn everywhere: "fix after N points" (None: every point
    of a group is its baseline; N ≥ 2) and the run length of a trend or shift (7 or 6). They belong
    to the measure, across its versions, as its catalogue entry does: an administrator or a
    strategist changes them."""
    permissions.require(actor, permissions.CATALOGUE_ROLES)
    problems = ProblemList()
    if fix_after is not None and not 2 <= fix_after <= FIX_AFTER_MAX:
        problems.add(SPC_FILE, f"fixera efter N punkter: N ska vara minst 2 (gränserna behöver en glidande "
                               f"variationsbredd) och högst {FIX_AFTER_MAX}, eller tomt för alla punkter",
                     column="fixera efter", value=str(fix_after))
    if run_length not in RUN_LENGTHS:
        problems.add(SPC_FILE, "en trend eller ett skift är 7 eller 6 punkter i följd", column="serielängd",
                     value=str(run_length))
    problems.raise_if_any()
    with transaction.atomic():
        _require_measure(measure_code)
        setting = SpcSetting.objects.select_for_update().filter(measure_code=measure_code).first()
        before = (setting.fix_after, setting.run_length) if setting else (None, RUN_LENGTHS[0])
        if setting is None:
            setting = SpcSetting(measure_code=measure_code)
        setting.fix_after, setting.run_length = fix_after, run_length
        setting.updated_by = actor.authenticated_user
        setting.save()
        audit.record(actor, "spc.settings", setting, measure=measure_code, fix_after=fix_after, run_length=run_length,
                     was={"fix_after": before[0], "run_length": before[1]})
    return setting


def record_rebase(measure_code: str, org_unit: OrgUnit, month: date, reason: str, *, actor: Actor) -> Rebase:
    """A new baseline for the measure's control chart at ``org_unit`` (and every unit below it) from
    ``month`` on, with the reason for it; needs a target role on the unit (a rebase changes the
    yardstick the chart judges by, as a target does)."""
    permissions.require(actor, permissions.TARGET_ROLES, org_unit)
    reason = " ".join((reason or "").split())
    month = date(month.year, month.month, 1)
    problems = ProblemList()
    if not reason:
        problems.add(SPC_FILE, "ange skälet till den nya baslinjen (t.ex. vilken förändring som infördes)",
                     column="skäl")
    elif len(reason) > REASON_MAX:
        problems.add(SPC_FILE, f"skälet får vara högst {REASON_MAX} tecken", column="skäl", value=f"{len(reason)} tecken")
    this_month = timezone.localdate().replace(day=1)
    if month > this_month:
        problems.add(SPC_FILE, "en ny baslinje kan inte börja i en månad som inte har börjat", column="månad",
                     value=f"{month:%Y-%m}")
    problems.raise_if_any()
    with transaction.atomic():
        _require_measure(measure_code)
        if Rebase.objects.filter(measure_code=measure_code, org_unit=org_unit, month=month).exists():
            raise InputError.one(SPC_FILE, "det finns redan en ny baslinje för måttet och enheten den månaden",
                                 column="månad", value=f"{month:%Y-%m}")
        rebase = Rebase.objects.create(measure_code=measure_code, org_unit=org_unit, month=month, reason=reason,
                                       created_by=actor.authenticated_user)
        # The reason is free text: it stays in the table, not in the audit log.
        audit.record(actor, "spc.rebase.create", rebase, measure=measure_code, unit=org_unit.code, month=f"{month:%Y-%m}")
    return rebase


def delete_rebase(rebase: Rebase, *, actor: Actor) -> None:
    permissions.require(actor, permissions.TARGET_ROLES, rebase.org_unit)
    with transaction.atomic():
        audit.record(actor, "spc.rebase.delete", rebase, measure=rebase.measure_code, unit=rebase.org_unit.code,
                     month=f"{rebase.month:%Y-%m}")
        rebase.delete()
