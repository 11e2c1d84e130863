"""Changing the measure catalogue: file imports and single saves, all-or-nothing, with provenance.

Every change goes through ``upsert_specs``: validated ``MeasureSpec``s (lagesbild/catalogue/io.py)
are written on their key (code, version), so importing the same file twice changes nothing.
Every public change takes ``actor=``, checks the catalogue role, writes the audit event and runs
in one transaction; files are imported through the ingest pipeline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from django.db import IntegrityError, transaction

from lagesbild.core.actor import Actor
from lagesbild.ingest import pipeline
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.models import Import
from lagesbild.org import audit, permissions

from . import io
from .io import MeasureSpec
from .models import ActionPlan, FocusArea, Foundation, Measure

log = logging.getLogger(__name__)
KIND = "measures"
STARTER_FILE = Path(__file__).resolve().parent / "data" / "startkatalog.yaml"
# Changing these on a version that already has data would change the meaning of stored
# figures; a new version is the way to do that.
GUARDED = ("unit", "direction")
_FK = ("focus_area", "foundation")


@dataclass
class UpsertResult:
    created: list[tuple[str, int]] = field(default_factory=list)
    updated: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)
    measures: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass
class ImportResult:
    record: Import
    outcome: str  # Import.Outcome
    result: UpsertResult


def _framework() -> tuple[dict, dict]:
    """Focus areas and foundations by number, of the latest action plan."""
    plan = ActionPlan.objects.order_by("-period_start", "-id").first()
    if plan is None:
        return {}, {}
    return (
        {fa.number: fa for fa in FocusArea.objects.filter(plan=plan)},
        {f.number: f for f in Foundation.objects.filter(plan=plan)},
    )


def _model_values(spec: MeasureSpec, areas: dict, foundations: dict) -> dict:
    values = spec.values()
    values["focus_area"] = areas.get(spec.focus_area) if spec.focus_area else None
    values["foundation"] = foundations.get(spec.foundation) if spec.foundation else None
    values["comparable_with"] = list(spec.comparable_with)
    return values


def _differs(measure, values: dict) -> bool:
    for name, value in values.items():
        if name in _FK:
            if getattr(measure, f"{name}_id") != (value.pk if value is not None else None):
                return True
        elif getattr(measure, name) != value:
            return True
    return False


def _has_data(measure) -> bool:
    return any(
        getattr(measure, rel).exists() for rel in ("observations", "targets") if hasattr(measure, rel)
    )


def upsert_specs(specs: Iterable[MeasureSpec], file: str = "") -> UpsertResult:
    """Write specs on (code, version): create the new, update the changed, leave the rest.

    Raises InputError (nothing written by this call) when a focus area or foundation does not
    exist, or when a spec changes the unit or direction of a version that already has
    observations or targets. The caller checks the permission and holds the transaction.
    """
    specs = list(specs)
    areas, foundations = _framework()
    existing = {(m.code, m.version): m for m in Measure.objects.filter(code__in={s.code for s in specs})}
    problems = ProblemList()
    for spec in specs:
        if spec.focus_area and spec.focus_area not in areas:
            problems.add(file, f"fokusområde {spec.focus_area} finns inte i handlingsplanen (mått {spec.code})",
                         row=spec.row, column="focus_area", value=str(spec.focus_area))
        if spec.foundation and spec.foundation not in foundations:
            problems.add(file, f"grundförutsättning {spec.foundation} finns inte i handlingsplanen (mått {spec.code})",
                         row=spec.row, column="foundation", value=str(spec.foundation))
        current = existing.get(spec.key)
        if current is not None:
            for name in GUARDED:
                if getattr(current, name) != getattr(spec, name) and _has_data(current):
                    problems.add(
                        file,
                        f"version {spec.version} av {spec.code} har redan data; ändra {name} genom en ny version",
                        row=spec.row, column=name, value=getattr(spec, name),
                    )
    problems.raise_if_any()
    result = UpsertResult()
    for spec in specs:
        values = _model_values(spec, areas, foundations)
        current = existing.get(spec.key)
        if current is not None and not _differs(current, values):
            result.unchanged.append(spec.key)
            result.measures.append(current)
            continue
        measure = current if current is not None else Measure()
        for name, value in values.items():
            setattr(measure, name, value)
        measure.save()
        (result.updated if current is not None else result.created).append(spec.key)
        result.measures.append(measure)
    return result


def load_starter_catalogue() -> UpsertResult:
    """Load data/startkatalog.yaml (validated like an import); idempotent."""
    specs = io.parse_yaml(STARTER_FILE.read_text(encoding="utf-8"), STARTER_FILE.name)
    return upsert_specs(specs, STARTER_FILE.name)


def import_measures(data: bytes, file_name: str, *, actor: Actor) -> ImportResult:
    """Import a catalogue file (YAML, CSV or XLSX) as a whole or not at all.

    Raises PermissionDenied for an actor without a catalogue role, InputError with every located
    problem for bad input (recorded as a failed Import, nothing else written). A file that
    changes nothing is recorded with outcome 'unchanged'.
    """
    permissions.require(actor, permissions.CATALOGUE_ROLES)

    with pipeline.run(KIND, file_name or "katalog", data, actor, audit=audit.import_hook(actor, "catalogue.import"),
                      target="måttkatalog") as imp:
        specs = io.parse_file(imp.data, imp.file_name)
        record = imp.start(rows=len(specs))
        result = _upsert_once(specs, imp.file_name)
        imp.finish(created=len(result.created), updated=len(result.updated), unchanged=len(result.unchanged))
    log.info("measure import %s: %d created, %d updated, %d unchanged", record.pk, len(result.created),
             len(result.updated), len(result.unchanged))
    return ImportResult(record, record.outcome, result)


def _upsert_once(specs: list[MeasureSpec], file_name: str) -> UpsertResult:
    """``upsert_specs`` in a savepoint; a concurrent write of the same (code, version) is refused."""
    try:
        with transaction.atomic():
            return upsert_specs(specs, file_name)
    except IntegrityError:
        # Someone else wrote the same (code, version) meanwhile; nothing of this file was kept.
        raise InputError.one(file_name, "katalogen ändrades samtidigt av någon annan; försök igen") from None


def save_measure(spec: MeasureSpec, *, actor: Actor, create: bool = False) -> Measure:
    """Create or update one measure version (the API's write path); raise InputError if invalid.

    With ``create`` the (code, version) must not exist yet.
    """
    permissions.require(actor, permissions.CATALOGUE_ROLES)
    exists = InputError.one("API", f"version {spec.version} av {spec.code} finns redan", column="version",
                            value=str(spec.version))
    try:
        with transaction.atomic():
            if create and Measure.objects.filter(code=spec.code, version=spec.version).exists():
                raise exists
            result = upsert_specs([spec], "API")
            measure = result.measures[0]
            if result.changed:
                audit.record(actor, "catalogue.measure.create" if result.created else "catalogue.measure.update",
                             measure, code=spec.code, version=spec.version)
    except IntegrityError:
        raise exists from None
    return measure


__all__ = ["import_measures", "save_measure", "upsert_specs", "load_starter_catalogue", "ImportResult", "UpsertResult"]
