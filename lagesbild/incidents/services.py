"""The write path for incidents: an export imported through its source's saved mapping (all or
nothing, idempotent on the case number) and the purge of old descriptions.

A case that comes again with the same content changes nothing; a changed case is updated in place;
cases the export does not hold are not touched (an export may cover one period). Unit codes are
matched to the organisation without regard to case; codes that match no unit are listed with how
many incidents carry them, never guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lagesbild.calc import incident_stats as stats
from lagesbild.calc import periods
from lagesbild.catalogue.selectors import versions_by_code
from lagesbild.core.actor import Actor
from lagesbild.ingest import pipeline
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.readers import read_bytes
from lagesbild.measurements import services as measurements
from lagesbild.org import audit, permissions, scope
from lagesbild.org.models import Membership, OrgUnit

from . import complaint_export, export, selectors
from .models import Complaint, Incident, IncidentMonth, Source

KIND = "incidents"
COMPLAINTS_KIND = "complaints"
COMPLAINT_FIELDS = ("channel", "received", "unit_id", "category", "sex", "forwarded", "action_taken", "description")
HANDLING_MEASURE = "avvikelser-28-dagar"  # the starter catalogue's "handled within 28 days"
FIELDS = ("unit_id", "reported", "occurred", "closed", "type", "cause", "severity", "lex_maria", "description")


@dataclass
class IncidentImportResult:
    outcome: str
    created: int
    updated: int
    unchanged: int
    observations: dict | None = None  # the 28-day measure written (None: not in the catalogue)
    record: object = None


MAPPING_ROLES = {Membership.Role.ADMIN, Membership.Role.STRATEGIST}


def visible_sources(user):
    """The sources whose owner lies within the user's part of the organisation (a source of the
    whole installation: superusers only)."""
    if user.is_superuser:
        return Source.objects.all()
    paths = [r.path for r in scope.roots(user)]
    if not paths:
        return Source.objects.none()
    match = Q()
    for path in paths:
        match |= Q(org_unit__path__startswith=path)
    return Source.objects.filter(match)


def may_manage(user, source: Source | None, roles=MAPPING_ROLES) -> bool:
    """Whether the user holds one of ``roles`` on the source's owner (or, for a new source, anywhere)."""
    if source is None:
        return scope.has_role(user, roles)
    if source.org_unit is None:
        return user.is_superuser
    return scope.can_see(user, source.org_unit) and scope.has_role(user, roles, source.org_unit)


def _require_source(actor: Actor, source: Source, roles) -> None:
    if not actor.is_system and not may_manage(actor.user, source, roles):
        raise PermissionDenied("Källan hör till en annan del av organisationen eller din roll får inte använda den.")


def default_owner(actor: Actor) -> OrgUnit | None:
    """A new source's owner when none is given: the highest unit where the user may edit mappings
    (None for the system: the whole installation)."""
    if actor.is_system:
        return None
    return next((r for r in scope.roots(actor.user) if scope.has_role(actor.user, MAPPING_ROLES, r)), None)


def save_source(name: str, mapping_text: str, *, actor: Actor, owner: OrgUnit | None = None) -> Source:
    """Create or replace a source's mapping (validated first), owned by ``owner`` (default: the
    existing source's owner, or ``default_owner``): an administrator's or a strategist's task on
    the owner."""
    file = f"{name}.yaml"
    if complaint_export.is_complaints(mapping_text, file):
        mapping, kind = complaint_export.parse_mapping(mapping_text, file), Source.Kind.COMPLAINTS
    else:
        mapping, kind = export.parse_mapping(mapping_text, file), Source.Kind.INCIDENTS
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(name=mapping.source or name).first()
        if source is not None:
            _require_source(actor, source, MAPPING_ROLES)
            if source.kind != kind and (source.incidents.exists() or source.complaints.exists()):
                raise InputError.one(file, "källan har redan ärenden av det andra slaget; ge mappningen ett nytt namn",
                                     path="source", value=source.name)
        owner = owner or (source.org_unit if source is not None else default_owner(actor))
        permissions.require(actor, MAPPING_ROLES, owner)
        source, _ = Source.objects.update_or_create(name=mapping.source or name,
                                                    defaults={"mapping": mapping_text, "kind": kind, "org_unit": owner})
        audit.record(actor, "incidents.source", source, name=source.name, kind=kind,
                     owner=owner.code if owner else "")
    return source


def import_export(data: bytes, file: str, *, source: Source, actor: Actor,
                  as_of: date | None = None) -> IncidentImportResult:
    """An export of the source's kind: incidents, or complaints (then ``import_complaints``)."""
    _require_source(actor, source, measurements.DATA_ROLES)
    if source.kind == Source.Kind.COMPLAINTS:
        return import_complaints(data, file, source=source, actor=actor)
    mapping = export.parse_mapping(source.mapping, f"{source.name}.yaml")
    with pipeline.run(KIND, file, data, actor, audit=audit.import_hook(actor, "incidents.import"),
                      target=source.name) as imp:
        rows = export.read_rows(data, file, mapping)
        units = _units([(row, found.unit) for row, found in rows], file, mapping.columns["unit"], actor, "händelser")
        record = imp.start(rows=len(rows))
        # The stored cases as tuples (pk, *FIELDS), not model instances: half a million of those
        # would cost seconds and a gigabyte; models are built for the new and the changed only.
        stored = {case: rest for case, *rest in Incident.objects.filter(source=source)
                  .values_list("case", "pk", *FIELDS).iterator(chunk_size=10000)}
        new, changed, same, earlier, now = [], [], 0, set(), timezone.now()
        for _, found in rows:
            values = (units[found.unit.casefold()].pk, found.reported, found.occurred, found.closed, found.type,
                      found.cause, found.severity, found.lex_maria, found.description)
            old = stored.get(found.case)
            if old is None:
                new.append(Incident(source=source, case=found.case, source_import=record, **dict(zip(FIELDS, values))))
            elif tuple(old[1:]) == values:
                same += 1
            else:
                earlier.add((old[1], old[2].replace(day=1)))  # a case may move to another unit or month
                changed.append(Incident(pk=old[0], source=source, case=found.case, source_import=record,
                                        updated_at=now, **dict(zip(FIELDS, values))))
        Incident.objects.bulk_create(new, batch_size=2000)
        Incident.objects.bulk_update(changed, [*FIELDS, "source_import", "updated_at"], batch_size=2000)
        from . import clusters  # here, not at the top: it loads scikit-learn

        clusters.assign_new([i.pk for i in new] + [i.pk for i in changed])  # to the stored patterns, if any
        cells = {(units[found.unit.casefold()].pk, found.reported.replace(day=1)) for _, found in rows}
        cells |= earlier
        count_months(cells)
        observations = write_handling(record, cells, as_of or timezone.localdate())
        imp.finish(created=len(new), updated=len(changed), unchanged=same)
    return IncidentImportResult(imp.record.outcome, len(new), len(changed), same, observations, imp.record)


def count_months(cells: set[tuple[int, date]]) -> None:
    """IncidentMonth counted anew from the stored incidents for the cells' units over the span of
    their months (a few more cells than touched, each counted exactly)."""
    if not cells:
        return
    units, months = {u for u, _ in cells}, {m for _, m in cells}
    first, last = min(months), max(months)
    stored = Incident.objects.filter(unit_id__in=units, reported__gte=first, reported__lt=periods.add_months(last, 1))
    counted = (stored.annotate(month=TruncMonth("reported")).values_list("unit_id", "month")
               .annotate(n=Count("id")).order_by())
    IncidentMonth.objects.filter(unit_id__in=units, month__gte=first, month__lte=last).delete()
    IncidentMonth.objects.bulk_create([IncidentMonth(unit_id=u, month=_day(m), incidents=n) for u, m, n in counted],
                                      batch_size=2000)


def write_handling(record, cells: set[tuple[int, date]], as_of: date) -> dict[str, int] | None:
    """The 28-day handling share (HANDLING_MEASURE) per unit and month of registration for the
    cells, from every stored incident of those units and months (all sources), written as
    observations derived from ``record``. None when the catalogue has no such measure."""
    if not cells or HANDLING_MEASURE not in versions_by_code():
        return None
    months = {m for _, m in cells}
    first, last = min(months), max(months)
    # calc.incident_stats.handled_by_month as one grouped query: the due incidents per unit and
    # month, and those of them closed in time (tests/incidents/test_import_db.py holds them equal).
    due = Incident.objects.filter(unit_id__in={u for u, _ in cells}, reported__gte=first,
                                  reported__lt=periods.add_months(last, 1),
                                  reported__lte=as_of - timedelta(days=stats.HANDLING_DAYS))
    counted = (due.annotate(month=TruncMonth("reported")).values_list("unit_id", "month")
               .annotate(den=Count("id"), num=Count("id", filter=selectors.IN_TIME)).order_by())
    figures = [measurements.DerivedFigure(HANDLING_MEASURE, unit, _day(month), "", num, den)
               for unit, month, den, num in counted if (unit, _day(month)) in cells]
    return measurements.write_derived(record, [HANDLING_MEASURE], cells, figures)


def import_complaints(data: bytes, file: str, *, source: Source, actor: Actor) -> IncidentImportResult:
    """A complaints export through its source's mapping: all or nothing, idempotent on the case
    number, a changed case updated in place, cases the export does not hold left as they are."""
    _require_source(actor, source, measurements.DATA_ROLES)
    mapping = complaint_export.parse_mapping(source.mapping, f"{source.name}.yaml")
    with pipeline.run(COMPLAINTS_KIND, file, data, actor, audit=audit.import_hook(actor, "complaints.import"),
                      target=source.name) as imp:
        rows = complaint_export.read_rows(data, file, mapping)
        units = _units([(row, found.unit) for row, found, _ in rows], file, mapping.columns["unit"], actor, "ärenden")
        record = imp.start(rows=len(rows))
        stored = {c.case: c for c in Complaint.objects.filter(source=source)}
        new, changed, same = [], [], 0
        for _, found, description in rows:
            values = {"channel": found.channel, "received": found.received, "unit_id": units[found.unit.casefold()].pk,
                      "category": found.category, "sex": found.sex, "forwarded": found.forwarded,
                      "action_taken": found.action_taken, "description": description}
            old = stored.get(found.case)
            if old is None:
                new.append(Complaint(source=source, case=found.case, source_import=record, **values))
            elif all(getattr(old, f) == v for f, v in values.items()):
                same += 1
            else:
                for f, v in values.items():
                    setattr(old, f, v)
                old.source_import = record
                changed.append(old)
        Complaint.objects.bulk_create(new, batch_size=2000)
        Complaint.objects.bulk_update(changed, [*COMPLAINT_FIELDS, "source_import", "updated_at"], batch_size=2000)
        imp.finish(created=len(new), updated=len(changed), unchanged=same)
    return IncidentImportResult(imp.record.outcome, len(new), len(changed), same, None, imp.record)


def _day(value) -> date:
    """TruncMonth gives a datetime on some backends and a date on others."""
    return value.date() if hasattr(value, "date") else value


def _units(rows: list[tuple[int, str]], file: str, column: str, actor: Actor, what: str) -> dict[str, OrgUnit]:
    """The units by code (case-insensitive) of the (row, code) pairs; unknown codes listed with
    how many ``what`` carry them, and every unit within the actor's data scope."""
    wanted = Counter(code.casefold() for _, code in rows)
    units = {u.code.casefold(): u for u in OrgUnit.objects.all() if u.code.casefold() in wanted}
    problems = ProblemList()
    first_row = {}
    for row, code in rows:
        first_row.setdefault(code.casefold(), (row, code))
    for code, count in sorted(wanted.items(), key=lambda kv: (-kv[1], kv[0])):
        if code not in units:
            row, written = first_row[code]
            problems.add(file, f"okänd enhet: {count} {what} har koden (första på rad {row}); lägg in enheten "
                         "eller rätta koden i exporten", row=row, column=column, value=written)
    problems.raise_if_any()
    allowed = tuple(measurements.writable_paths(actor))
    for code, unit in units.items():
        if not unit.path.startswith(allowed):
            row, written = first_row[code]
            problems.add(file, "du saknar behörighet att rapportera för enheten", row=row, column=column, value=written)
    problems.raise_if_any()
    return units


def import_path(path, *, source: Source, actor: Actor) -> IncidentImportResult:
    return import_export(read_bytes(path), Path(path).name, source=source, actor=actor)


def purge_descriptions(older_than_months: int, *, actor: Actor, today: date | None = None) -> int:
    """Blank the descriptions of incidents registered, and complaints received, more than
    ``older_than_months`` months ago; the cases and every figure from them stay. The number blanked."""
    if older_than_months < 1:
        raise InputError.one("--older-than-months", "ange minst 1 månad")
    permissions.require(actor, {Membership.Role.ADMIN})
    today = today or timezone.localdate()
    cutoff = periods.add_months(today, -older_than_months)
    with transaction.atomic():
        count = Incident.objects.filter(reported__lt=cutoff).exclude(description="").update(description="")
        complaints = Complaint.objects.filter(received__lt=cutoff).exclude(description="").update(description="")
        audit.record(actor, "incidents.purge", None, incidents=count, complaints=complaints,
                     older_than_months=older_than_months)
    return count + complaints
