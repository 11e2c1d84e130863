"""The write path for patient records: import (all or nothing, incremental) and purge.

An import takes any of the three tables (episodes, assessments, actions). An episode that comes
again is updated in place; an episode marked ``deleted`` is removed with its assessments and
actions; for every episode named in an assessments (actions) file, its stored assessments
(actions) become exactly the file's. Nothing else is touched. In the same transaction the
affected ward-months of the measures (the standard four, or the file LAGESBILD_PATIENT_MEASURES
names) are recomputed from the stored records and written as observations through the
measurements service, pointing at this import.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lagesbild.calc import localtime, periods
from lagesbild.calc import patient_measures as pm
from lagesbild.catalogue.selectors import versions_by_code
from lagesbild.core.actor import Actor
from lagesbild.ingest import pipeline
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.measurements import services as measurements
from lagesbild.org import audit, permissions
from lagesbild.org.models import Membership, OrgUnit

from . import keys, measure_sql, measure_spec, records
from .stored import among, calc_records, chunks
from .models import Assessment, Episode, Movement, PreventiveAction

KIND = "patients"
FILES = ("episodes", "assessments", "actions", "movements")


@dataclass
class PatientImportResult:
    outcome: str
    episodes: dict[str, int]  # created, updated, unchanged, deleted
    assessments: dict[str, int]  # created, deleted
    actions: dict[str, int]
    observations: dict[str, int]  # from measurements.write_derived
    record: object = None


def import_records(sources: dict[str, tuple[bytes, str] | None], *, actor: Actor,
                   key: keys.PseudonymKey | None = None, as_of: datetime | None = None) -> PatientImportResult:
    """Import any of the four tables (``sources``: name -> (bytes, file name) or None): episodes,
    assessments, actions, movements. The user may write only for the wards in their data roles: the
    episodes' admitting wards, the wards moved to, and the stored episodes that the other files name."""
    if key is None:
        try:
            key = keys.from_environment()
        except keys.KeyMissing as exc:
            raise InputError.one(keys.ENV, str(exc)) from None
    given = {name: sources.get(name) for name in FILES if sources.get(name)}
    if not given:
        raise InputError.one("(inga filer)", "ange minst en fil: vårdtillfällen, riskbedömningar, åtgärder eller förflyttningar")
    name = " + ".join(file for _, file in given.values())
    data = b"\0".join(content for content, _ in given.values())
    with pipeline.run(KIND, name, data, actor, audit=audit.import_hook(actor, "patients.import")) as imp:
        found = records.load_for_import(given, key, stored=_stored_ids)
        units = _units_for(found, actor)
        _check_stored_scope(found, actor)
        record = imp.start(rows=len(found.episodes) + len(found.assessments) + len(found.actions)
                           + len(found.movements))
        cells: set[tuple[int, date]] = set()
        ep = _write_episodes(found, units, record, cells)
        named = {a.episode for a in found.assessments} | {a.episode for a in found.actions} \
            | {m[0] for m in found.movements}
        by_id = {e: pk for query in among(Episode.objects.values_list("episode", "pk"), "episode", named)
                 for e, pk in query}
        asm = _replace_children(Assessment, found.assessments, by_id, cells,
                                lambda a: (a.kind, a.performed_at, a.risk), ("kind", "performed_at", "risk"))
        act = _replace_children(PreventiveAction, found.actions, by_id, cells,
                                lambda a: (a.kind, a.started_at), ("kind", "started_at"))
        moves = _replace_movements(found.movements, by_id, units)
        _refresh_statistics(ep["created"] + asm["created"] + act["created"])
        obs = recompute(record, cells, as_of or timezone.now())
        changed = ep["created"] + ep["updated"] + ep["deleted"] + asm["created"] + asm["deleted"] \
            + act["created"] + act["deleted"] + moves["created"] + moves["deleted"]
        imp.finish(created=ep["created"] + asm["created"] + act["created"] + moves["created"],
                   updated=changed - ep["created"] - asm["created"] - act["created"] - moves["created"],
                   unchanged=ep["unchanged"])
    return PatientImportResult(imp.record.outcome, ep, asm, act, obs, imp.record)


def import_fhir(data: bytes, file: str, *, actor: Actor, key: keys.PseudonymKey | None = None,
                as_of: datetime | None = None) -> PatientImportResult:
    """A FHIR R4 Bundle or NDJSON (``fhir.py``), imported as its tables are; problems are located
    by the resource's path. A file that cannot be read is recorded as a refused import."""
    from . import fhir

    try:
        parsed, deleted = fhir.tables(data, file)
    except InputError as exc:
        pipeline.refused(KIND, file, data, actor, exc)
        raise
    try:
        return import_records(fhir.csv_sources(parsed, deleted, file), actor=actor, key=key, as_of=as_of)
    except InputError as exc:
        raise fhir.located(exc, parsed, file) from None


def _stored_ids(ids: set[str]) -> set[str]:
    return {e for query in among(Episode.objects.values_list("episode", flat=True), "episode", ids) for e in query}


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert plain rows: with COPY on PostgreSQL, else with one prepared statement (bulk_create
    builds a model per row and prepares every value through the ORM: most of an import's time for
    tens of thousands)."""
    if not rows:
        return
    meta = model._meta
    columns = ", ".join(meta.get_field(f).column for f in fields)
    table = connection.ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    stamps = [i for i, f in enumerate(fields) if meta.get_field(f).get_internal_type() == "DateTimeField"]
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cur:
        for chunk in chunks(rows):
            if stamps:
                chunk = [tuple(adapt(v) if i in stamps else v for i, v in enumerate(row)) for row in chunk]
            cur.executemany(sql, chunk)


BULK = 10_000  # rows written in one import beyond which PostgreSQL's statistics are refreshed


def _refresh_statistics(written: int) -> None:
    """After a large write, let PostgreSQL's planner see the new rows before the measures are
    counted: without statistics it plans the first big import's statement as if the tables were
    empty (minutes instead of seconds; docs/benchmarks.md). ANALYZE inside the transaction
    samples the rows it has written."""
    if connection.vendor == "postgresql" and written >= BULK:
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Episode, Assessment, PreventiveAction))
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {tables}")


def _units_for(found: records.PatientRecords, actor: Actor) -> dict[str, OrgUnit]:
    """The episodes' admitting units by code (as written, case-insensitive), each in the actor's
    data scope; a problem per unknown or foreign unit at its first row."""
    codes = {e.unit for e in found.episodes} | {m[1] for m in found.movements}
    by_code = {u.code.casefold(): u for u in OrgUnit.objects.filter(code__in=codes)}
    if len(by_code) < len({c.casefold() for c in codes}):  # codes written in another case
        wanted = {c.casefold() for c in codes}
        by_code.update({u.code.casefold(): u for u in OrgUnit.objects.all() if u.code.casefold() in wanted})
    allowed = tuple(measurements.writable_paths(actor))
    problems, reported = ProblemList(), set()
    placed = [(e.unit, *found.rows[e.id]) for e in found.episodes] + [(m[1], m[4], m[5]) for m in found.movements]
    for code, file, row in placed:
        unit = by_code.get(code.casefold())
        message = ("okänd enhet" if unit is None else
                   None if unit.path.startswith(allowed) else "du saknar behörighet att rapportera för enheten")
        if message and code not in reported:
            reported.add(code)
            problems.add(file, message, row=row, column="unit", value=code)
    problems.raise_if_any()
    return {code: by_code[code.casefold()] for code in codes}


def _check_stored_scope(found: records.PatientRecords, actor: Actor) -> None:
    """Every stored episode the import touches (updated, deleted, or named by an assessment, action
    or movement) must lie on a ward the actor may write for, whatever ward the file gives it now
    (the file's own wards are checked in ``_units_for``)."""
    allowed = tuple(measurements.writable_paths(actor))
    if "" in allowed:
        return
    named = ({e.id for e in found.episodes} | {a.episode for a in found.assessments} | {a.episode for a in found.actions}
             | {m[0] for m in found.movements} | set(found.deleted))
    foreign = set()
    for query in among(Episode.objects.values_list("episode", "unit__path"), "episode", named):
        foreign |= {e for e, path in query
                    if not path.startswith(allowed)}
    if foreign:
        problems = ProblemList()
        for eid in sorted(foreign)[:20]:
            problems.add(", ".join(found.files.values()), "du saknar behörighet att rapportera för vårdtillfällets enhet",
                         column="episode", value=eid)
        problems.raise_if_any()


def _cell(unit_id: int, moment: datetime) -> tuple[int, date]:
    local = localtime.local(moment)
    return unit_id, date(local.year, local.month, 1)


def _write_episodes(found: records.PatientRecords, units: dict[str, OrgUnit], record, cells: set) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    now = timezone.now()
    stored = {e.episode: e for query in among(Episode.objects.all(), "episode", [e.id for e in found.episodes] + found.deleted)
              for e in query}
    for eid in found.deleted:
        old = stored.get(eid)
        if old is not None:
            cells.add(_cell(old.unit_id, old.admitted_at))
            old.delete()
            counts["deleted"] += 1
    new = []
    for e in found.episodes:
        values = {"unit_id": units[e.unit].pk, "pseudonym": found.pseudonyms[e.id], "age": e.age, "sex": e.sex,
                  "admitted_at": e.admitted_at, "discharged_at": e.discharged_at, "bed": found.beds.get(e.id, "")}
        old = stored.get(e.id)
        cells.add(_cell(values["unit_id"], e.admitted_at))
        if old is None:
            new.append((e.id, values["unit_id"], values["pseudonym"], e.age, e.sex, e.admitted_at, e.discharged_at,
                        values["bed"], record.pk, now))
            continue
        if all(getattr(old, f) == v for f, v in values.items()):
            counts["unchanged"] += 1
            continue
        cells.add(_cell(old.unit_id, old.admitted_at))  # it may move to another ward-month
        for f, v in values.items():
            setattr(old, f, v)
        old.source_import = record
        old.save()
        counts["updated"] += 1
    _insert(Episode, ["episode", "unit", "pseudonym", "age", "sex", "admitted_at", "discharged_at", "bed",
                      "source_import", "updated_at"], new)
    counts["created"] = len(new)
    return counts


def _replace_children(model, rows: list, by_id: dict[str, int], cells: set, key, fields) -> dict:
    """For each episode named in the file, make its stored rows exactly the file's (duplicates once)."""
    if not rows:
        return {"created": 0, "deleted": 0}
    wanted: dict[int, set] = defaultdict(set)
    for r in rows:
        wanted[by_id[r.episode]].add(key(r))
    stored: dict[int, dict] = defaultdict(dict)
    for query in among(model.objects.values_list("pk", "episode_id", *fields), "episode", wanted):
        for pk, episode_id, *values in query:
            stored[episode_id][tuple(values)] = pk
    gone = [pk for eid, have in stored.items() for k, pk in have.items() if k not in wanted[eid]]
    new = [(eid, *k) for eid, ks in wanted.items() for k in ks if k not in stored[eid]]
    for query in among(model.objects.all(), "pk", gone):
        query.delete()
    _insert(model, ["episode", *fields], new)
    touched = {eid for eid in wanted if set(stored[eid]) != wanted[eid]}
    for query in among(Episode.objects.values_list("unit_id", "admitted_at"), "pk", touched):
        for unit_id, admitted in query:
            cells.add(_cell(unit_id, admitted))
    return {"created": len(new), "deleted": len(gone)}


def _replace_movements(movements: list[tuple], by_id: dict[str, int], units: dict[str, OrgUnit]) -> dict:
    """For each episode named in the movements file, its stored movements become exactly the file's
    (they move the patient in the ward view; the measures stay with the admitting ward)."""
    if not movements:
        return {"created": 0, "deleted": 0}
    wanted: dict[int, set] = defaultdict(set)
    for eid, code, moved, bed, _file, _row in movements:
        wanted[by_id[eid]].add((units[code].pk, moved, bed))
    stored: dict[int, dict] = defaultdict(dict)
    for query in among(Movement.objects.values_list("pk", "episode_id", "unit_id", "moved_at", "bed"), "episode", wanted):
        for pk, episode_id, *values in query:
            stored[episode_id][tuple(values)] = pk
    gone = [pk for eid, have in stored.items() for k, pk in have.items() if k not in wanted[eid]]
    new = [(eid, *k) for eid, ks in wanted.items() for k in ks if k not in stored[eid]]
    for query in among(Movement.objects.all(), "pk", gone):
        query.delete()
    _insert(Movement, ["episode", "unit", "moved_at", "bed"], new)
    return {"created": len(new), "deleted": len(gone)}


def recompute(record, cells: set[tuple[int, date]], as_of: datetime) -> dict[str, int]:
    """The configured measures for the (unit, month) cells, from every stored episode admitted on
    that unit in that local month, written as observations derived from ``record``. PostgreSQL
    counts them with one statement (measure_sql); elsewhere the reference evaluator does."""
    measures = measure_spec.configured()
    known = versions_by_code()
    missing = [m.code for m in measures if m.code.casefold() not in known]
    if missing:
        raise InputError.one(str(getattr(settings, "LAGESBILD_PATIENT_MEASURES", "") or measure_spec.STANDARD_FILE.name),
                             "måttet finns inte i katalogen; lägg in det där innan patientdata importeras",
                             value=", ".join(missing))
    counted = measure_sql.in_cells(measures, cells, as_of) if connection.vendor == "postgresql" \
        else _evaluated(measures, cells, as_of)
    summed: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for t in counted:
        count = summed[(t.measure, t.unit_id, t.month, t.sex)]
        count[0] += t.numerator
        count[1] += t.denominator
    figures = [measurements.DerivedFigure(code, unit_id, month, sex, num, den)
               for (code, unit_id, month, sex), (num, den) in summed.items() if den]
    return measurements.write_derived(record, [m.code for m in measures], cells, figures)


def _evaluated(measures, cells: set[tuple[int, date]], as_of: datetime) -> list[measure_sql.Tally]:
    """The reference evaluator over the stored records of the cells' units, admitted from the
    first cell's month to the last's."""
    if not cells:
        return []
    start, end = localtime.local_months(min(m for _, m in cells), max(m for _, m in cells))
    episodes = Episode.objects.filter(
        unit_id__in={u for u, _ in cells}, admitted_at__gte=start, admitted_at__lt=end,
    ).only("episode", "unit_id", "admitted_at", "discharged_at", "age", "sex")
    out = []
    for row in pm.evaluate(*calc_records(list(episodes)), as_of, measures):
        unit_id, month = int(row.unit), date.fromisoformat(row.period + "-01")
        if (unit_id, month) in cells:
            out += [measure_sql.Tally(row.measure, unit_id, month, sex, num, den) for sex, (num, den) in row.by_sex.items()]
    return out


def discharge(episode_id: str, at: datetime, *, actor: Actor, as_of: datetime | None = None) -> None:
    """Record the discharge of a stored episode (a record system's discharge message, which carries
    no identity number) and recompute its ward-month; in the import pipeline, so it is audited and
    the derived figures point at it."""
    data = f"{episode_id}|{at.isoformat()}".encode("utf-8")
    with pipeline.run(KIND, f"utskrivning {episode_id}", data, actor, audit=audit.import_hook(actor, "patients.import")) as imp:
        episode = Episode.objects.select_for_update().filter(episode=episode_id).select_related("unit").first()
        if episode is None:
            raise InputError.one(f"utskrivning {episode_id}", "okänt vårdtillfälle", column="episode", value=episode_id)
        if not episode.unit.path.startswith(tuple(measurements.writable_paths(actor))):
            raise InputError.one(f"utskrivning {episode_id}", "du saknar behörighet att rapportera för enheten")
        if at < episode.admitted_at:
            raise InputError.one(f"utskrivning {episode_id}", "utskrivningen ligger före inskrivningen")
        record = imp.start(rows=1)
        episode.discharged_at, episode.source_import = at, record
        episode.save(update_fields=["discharged_at", "source_import", "updated_at"])
        recompute(record, {_cell(episode.unit_id, episode.admitted_at)}, as_of or timezone.now())
        imp.finish(updated=1)


def purge(older_than_months: int, *, actor: Actor, today: date | None = None) -> int:
    """Delete episodes discharged more than ``older_than_months`` months ago (with their
    assessments, actions and movements); the observations derived from them stay."""
    if older_than_months < 1:
        raise InputError.one("--older-than-months", "ange minst 1 månad")
    permissions.require(actor, {Membership.Role.ADMIN})
    today = today or timezone.localdate()
    first_kept = periods.add_months(today, -older_than_months)
    cutoff = localtime.from_local(datetime(first_kept.year, first_kept.month, 1))
    with transaction.atomic():
        doomed = Episode.objects.filter(discharged_at__lt=cutoff)
        count = doomed.count()
        doomed.delete()
        audit.record(actor, "patients.purge", None, episodes=count, older_than_months=older_than_months)
    return count
