"""Changing the organisation: import, create, edit, move and reorganise units.

Every public function takes ``actor=`` (lagesbild.core.actor.Actor), checks the actor's role
(administrator on the unit's parent, or on the new parent; the system actor may do anything),
writes in one transaction, keeps the materialised ``path``/``current_path`` consistent, and
writes the audit event. Views, the API and the command line only build the actor and call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Optional

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat, Substr

from lagesbild.core.actor import Actor
from lagesbild.ingest import pipeline
from lagesbild.ingest.models import Import

from . import audit, importers, permissions, signals
from .models import CODE_RE, PATH_SEP, Membership, OrgUnit, Succession

log = logging.getLogger(__name__)
KIND_IMPORT = "org-units"
ONE_DAY = timedelta(days=1)


def require_admin_over(actor: Actor, unit: OrgUnit) -> None:
    """Changing a unit needs the administrator role on its parent (on the unit itself for a root)."""
    permissions.require(actor, permissions.ORG_ROLES, unit.parent if unit.parent_id else unit)


# --- materialised paths ------------------------------------------------------------------


def _replace_prefix(column: str, old: str, new: str):
    return Concat(Value(new), Substr(column, len(old) + 1), output_field=CharField())


def _ancestor_paths(path: str) -> list[str]:
    """The paths strictly above ``path`` ('SE/08/A/' -> ['SE/', 'SE/08/'])."""
    parts = path.rstrip(PATH_SEP).split(PATH_SEP)
    return [PATH_SEP.join(parts[:i]) + PATH_SEP for i in range(1, len(parts))]


def move_unit(unit: OrgUnit, new_parent: OrgUnit, *, actor: Actor) -> OrgUnit:
    """Put ``unit`` under ``new_parent`` (administrator over the unit and on the new parent)."""
    unit.refresh_from_db()
    new_parent.refresh_from_db()
    require_admin_over(actor, unit)
    permissions.require(actor, permissions.ORG_ROLES, new_parent)
    with transaction.atomic():
        old_parent = unit.parent.code if unit.parent_id else ""
        unit = _move(unit, new_parent)
        audit.record(actor, "org.unit.move", unit, code=unit.code, old_parent=old_parent, parent=new_parent.code)
    return unit


def _move(unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Rewrite ``path``, ``depth`` and ``current_path`` of ``unit``'s whole subtree (and of closed
    units whose history maps into it) with prefix UPDATEs. The caller checked the permission."""
    unit.refresh_from_db()
    new_parent.refresh_from_db()
    if new_parent.path.startswith(unit.path):
        raise ValidationError(f"{unit.code} kan inte flyttas in under sig själv ({new_parent.code}).")
    old, new = unit.path, f"{new_parent.path}{unit.code}{PATH_SEP}"
    delta = new_parent.depth + 1 - unit.depth
    old_ancestors = list(OrgUnit.objects.filter(path__in=_ancestor_paths(old)).values_list("pk", flat=True))
    with transaction.atomic():
        OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
        OrgUnit.objects.filter(path__startswith=old).update(
            path=_replace_prefix("path", old, new), depth=F("depth") + delta
        )
        OrgUnit.objects.filter(current_path__startswith=old).update(
            current_path=_replace_prefix("current_path", old, new)
        )
        refresh_current_paths()
        unit.refresh_from_db()
        new_ancestors = list(OrgUnit.objects.filter(path__in=_ancestor_paths(new)).values_list("pk", flat=True))
        signals.unit_moved.send(OrgUnit, unit=unit, old_ancestor_ids=old_ancestors, new_ancestor_ids=new_ancestors)
    log.info("org unit %s moved: %s -> %s", unit.pk, old, new)
    return unit


def refresh_current_paths() -> int:
    """Recompute ``current_path`` where it can differ from ``path``; return how many changed.

    A unit with a successor takes its first successor's current path (transitively: A→B→C
    sends A to C). A closed unit without a successor of its own follows its parent when the
    parent was remapped. Every other unit's current path is its own path.
    """
    first: dict[int, int] = {}
    for pred, succ in Succession.objects.order_by("date", "id").values_list("predecessor_id", "successor_id"):
        first.setdefault(pred, succ)
    q = Q(pk__in=list(first)) | ~Q(current_path=F("path"))
    for p in OrgUnit.objects.filter(pk__in=list(first)).values_list("path", flat=True):
        q |= Q(valid_to__isnull=False, path__startswith=p)
    fields = ("id", "path", "current_path", "parent_id", "valid_to")
    units = {u.pk: u for u in OrgUnit.objects.filter(q).only(*fields)}
    missing = set(first.values()) - set(units)
    others = OrgUnit.objects.in_bulk(list(missing)) if missing else {}
    memo: dict[int, str] = {}

    def target(u: OrgUnit, stack: frozenset = frozenset()) -> str:
        if u.pk in memo:
            return memo[u.pk]
        if u.pk in stack:  # a cycle cannot be written through the services; be safe anyway
            return u.path
        stack = stack | {u.pk}
        parent = units.get(u.parent_id)
        if u.pk in first:
            succ = units.get(first[u.pk]) or others[first[u.pk]]
            t = target(succ, stack)
        elif u.valid_to is not None and parent is not None and target(parent, stack) != parent.path:
            t = target(parent, stack)
        else:
            t = u.path
        memo[u.pk] = t
        return t

    changed = []
    for u in units.values():
        t = target(u)
        if t != u.current_path:
            u.current_path = t
            changed.append(u)
    OrgUnit.objects.bulk_update(changed, ["current_path"], batch_size=500)
    return len(changed)


# --- import ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    outcome: str  # Import.Outcome
    record: Import
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0
    successions: int = 0

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome, "import_id": self.record.pk, "rows": self.rows,
            "created": self.created, "updated": self.updated, "moved": self.moved,
            "unchanged": self.unchanged, "successions": self.successions,
        }


def import_units(data: bytes, file_name: str, *, actor: Actor) -> ImportResult:
    """Create or update org units from a CSV/XLSX file, all or nothing.

    Rows are matched on ``code``; a re-import of the same content changes nothing and is
    recorded as 'unchanged'. Every row must lie where the actor is an administrator (checked per
    row, so a row outside the actor's role is a located problem). A refused file is recorded as a
    failed Import with its located problems and InputError is raised.
    """

    with pipeline.run(KIND_IMPORT, file_name, data, actor, audit=audit.import_hook(actor, "org.import")) as imp:
        parsed = importers.read_units(imp.table(), imp.file_name)
        parsed.rows = importers.resolve(parsed, imp.file_name, actor)
        tops = sorted({r.parent_code for r in parsed.rows if r.depth == 0})
        record = imp.start(rows=parsed.n_rows, encoding=parsed.encoding, target=", ".join(tops))
        result = _write(parsed, record, imp.file_name)
        changed = result.created or result.updated or result.successions
        result.outcome = Import.Outcome.OK if changed else Import.Outcome.UNCHANGED
        imp.finish(created=len(result.created), updated=len(result.updated), unchanged=result.unchanged,
                   outcome=result.outcome)
    return result


def _write(parsed: importers.Parsed, rec: Import, file_name: str) -> ImportResult:
    result = ImportResult(Import.Outcome.OK, rec, rows=parsed.n_rows)
    for r in parsed.rows:  # parents first; re-read each time, since a move rewrites paths
        parent = OrgUnit.objects.get(code=r.parent_code)
        unit = OrgUnit.objects.filter(code=r.code).first()
        values = {"name": r.name, "kind": r.kind, "valid_from": r.valid_from, "valid_to": r.valid_to}
        if unit is None:
            OrgUnit(code=r.code, parent=parent, source_import=rec, **values).save()
            result.created.append(r.code)
            continue
        changed = False
        if unit.parent_id != parent.pk:
            unit = _move(unit, parent)
            result.moved.append(r.code)
            changed = True
        diff = {k: v for k, v in values.items() if getattr(unit, k) != v}
        if diff or changed:
            for k, v in diff.items():
                setattr(unit, k, v)
            unit.parent = parent
            unit.source_import = rec
            unit.save()
            result.updated.append(r.code)
        else:
            result.unchanged += 1
    for r in parsed.rows:
        if r.successor_code:
            result.successions += _link(
                OrgUnit.objects.get(code=r.code), OrgUnit.objects.get(code=r.successor_code), r.valid_to + ONE_DAY,
                f"Import {file_name}",
            )
    if result.created or result.updated or result.successions:
        refresh_current_paths()
    return result


def _link(pred: OrgUnit, succ: OrgUnit, on: date, note: str = "") -> int:
    """Record (or re-date) one succession; return 1 when something was written."""
    s = Succession.objects.filter(predecessor=pred, successor=succ).first()
    if s is None:
        Succession.objects.create(predecessor=pred, successor=succ, date=on, note=note[:500])
        return 1
    if s.date != on:
        s.date = on
        s.save(update_fields=["date"])
        return 1
    return 0


# --- reorganisation ----------------------------------------------------------------------


def _reaches(start: Iterable[int], goal: set[int]) -> bool:
    """True when following successions from ``start`` reaches a unit in ``goal``."""
    edges: dict[int, list[int]] = {}
    for p, s in Succession.objects.values_list("predecessor_id", "successor_id"):
        edges.setdefault(p, []).append(s)
    stack, seen = list(start), set()
    while stack:
        u = stack.pop()
        if u in goal:
            return True
        if u not in seen:
            seen.add(u)
            stack.extend(edges.get(u, ()))
    return False


def reorganise(
    closed: list[OrgUnit], successors: list[OrgUnit], on: date, *, actor: Actor, note: str = ""
) -> list[Succession]:
    """Close ``closed`` the day before ``on`` and record that ``successors`` took over.

    Each closed unit's history is mapped onto its first successor (``current_path``),
    transitively. Raises PermissionDenied (role) or ValidationError (with Swedish messages).
    """
    closed = list({u.pk: u for u in closed}.values())
    successors = list({u.pk: u for u in successors}.values())
    if not closed or not successors:
        raise ValidationError("Ange minst en enhet som läggs ned och minst en efterträdare.")
    for u in closed + successors:
        u.refresh_from_db()
        require_admin_over(actor, u)
    last_day = on - ONE_DAY
    errors = []
    both = {u.pk for u in closed} & {u.pk for u in successors}
    if both:
        errors.append("En enhet kan inte både läggas ned och vara efterträdare.")
    for u in closed:
        if u.valid_from and last_day < u.valid_from:
            errors.append(f"{u.code} startar {u.valid_from:%Y-%m-%d} och kan inte läggas ned före dess.")
        if u.valid_to and u.valid_to < last_day:
            errors.append(f"{u.code} är redan nedlagd ({u.valid_to:%Y-%m-%d}).")
    for s in successors:
        if s.valid_to and s.valid_to < on:
            errors.append(f"Efterträdaren {s.code} är nedlagd {s.valid_to:%Y-%m-%d}.")
        if s.valid_from and s.valid_from > on:
            errors.append(f"Efterträdaren {s.code} startar först {s.valid_from:%Y-%m-%d}.")
    if not both and _reaches([s.pk for s in successors], {u.pk for u in closed}):
        errors.append("Efterträdarna efterträder redan (direkt eller indirekt) någon av de nedlagda enheterna.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        OrgUnit.objects.filter(pk__in=[u.pk for u in closed]).update(valid_to=last_day)
        for u in closed:
            for s in successors:
                Succession.objects.update_or_create(predecessor=u, successor=s, defaults={"date": on, "note": note[:500]})
        refresh_current_paths()
        audit.record(
            actor, "org.reorganise", successors[0], on=on.isoformat(),
            closed=[u.code for u in closed], successors=[s.code for s in successors],
        )
    made = list(Succession.objects.filter(predecessor__in=closed, successor__in=successors).select_related(
        "predecessor", "successor"))
    for u in closed:
        u.refresh_from_db()
    return made


# --- single units from the UI ------------------------------------------------------------


def _check_dates(valid_from: Optional[date], valid_to: Optional[date]) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": "Slutdatum ligger före startdatum."})


def create_unit(
    parent: OrgUnit, *, actor: Actor, code: str, name: str, kind: str, valid_from: Optional[date] = None,
    valid_to: Optional[date] = None,
) -> OrgUnit:
    """Create a unit under ``parent`` (administrator role on ``parent`` needed)."""
    permissions.require(actor, permissions.ORG_ROLES, parent)
    code, name = code.strip(), name.strip()
    if not CODE_RE.match(code):
        raise ValidationError({"code": "Koden får bara innehålla bokstäver, siffror, punkt, bindestreck och understreck."})
    if code.casefold() in importers.RESERVED_CODES:
        raise ValidationError({"code": "Koden är reserverad för sidornas adresser; välj en annan."})
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": "Koden används redan av en annan enhet."})
    if kind not in importers.RANK or not importers.kind_fits(kind, parent.kind):
        raise ValidationError({"kind": f"Den typen kan inte ligga under en {parent.get_kind_display().lower()}."})
    _check_dates(valid_from, valid_to)
    with transaction.atomic():
        unit = OrgUnit(code=code, name=name, kind=kind, parent=parent, valid_from=valid_from, valid_to=valid_to)
        unit.save()
        audit.record(actor, "org.unit.create", unit, code=code, parent=parent.code)
    return unit


def update_unit(unit: OrgUnit, *, actor: Actor, **values) -> list[str]:
    """Change a unit's name and validity; return the names of the fields that changed."""
    require_admin_over(actor, unit)
    allowed = {"name", "valid_from", "valid_to"}
    if set(values) - allowed:
        raise ValueError(f"update_unit changes only {sorted(allowed)}")
    new = {k: values.get(k, getattr(unit, k)) for k in allowed}
    if not (new["name"] or "").strip():
        raise ValidationError({"name": "Namn saknas."})
    _check_dates(new["valid_from"], new["valid_to"])
    changed = {k: (getattr(unit, k), v) for k, v in new.items() if getattr(unit, k) != v}
    if not changed:
        return []
    with transaction.atomic():
        for k, (_, v) in changed.items():
            setattr(unit, k, v)
        unit.save()
        if "valid_to" in changed:
            refresh_current_paths()
        audit.record(actor, "org.unit.edit", unit, code=unit.code, changes={
            k: [str(a) if a is not None else None, str(b) if b is not None else None] for k, (a, b) in changed.items()
        })
    return sorted(changed)


# --- memberships ---------------------------------------------------------------------------


def set_membership(user, unit: OrgUnit, role: str, *, actor: Actor) -> Membership:
    """Give ``user`` ``role`` on ``unit`` (replacing the role they held there); administrator on
    the unit needed. The audit event names the user by id only."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Okänd roll."})
    permissions.require(actor, permissions.ORG_ROLES, unit)
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(user=user, org_unit=unit, defaults={"role": role})
        audit.record(actor, "org.membership.create" if created else "org.membership.update", membership,
                     user_id=user.pk, unit=unit.code, role=role)
    return membership
