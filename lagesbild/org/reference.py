"""Reference units: the nation, the 21 regions (county codes) and the 290 municipalities (SCB codes).

Used by the data migration (with the historical model) and by tests that flush the database.
Municipalities lie directly under the nation (they are principals of their own, not part of
the region's organisation); county_code places them geographically.
"""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_units(OrgUnit) -> None:
    """Create the reference units with the given model class (historical or current)."""
    has_current = any(f.name == "current_path" for f in OrgUnit._meta.get_fields())

    def unit(code, name, kind, parent, path, depth, county_code=""):
        extra = {"current_path": path} if has_current else {}
        return OrgUnit(code=code, name=name, kind=kind, parent=parent, path=path, depth=depth,
                       county_code=county_code, **extra)

    nation = unit("SE", "Sverige", "nation", None, "SE/", 0)
    nation.save()
    OrgUnit.objects.bulk_create(
        [unit(r["code"], r["name"], "region", nation, f"SE/{r['code']}/", 1, r["code"]) for r in rows("regioner.csv")]
        + [unit(r["code"], r["name"], "kommun", nation, f"SE/{r['code']}/", 1, r["county_code"])
           for r in rows("kommuner.csv")]
    )


def ensure_reference_data() -> None:
    """Load the reference units, the national framework and the starter catalogue when a flushed
    database lacks them (the migrations load them once; transactional tests flush them)."""
    from lagesbild.catalogue.framework import load_framework
    from lagesbild.catalogue.models import ActionPlan

    from .models import OrgUnit

    if not OrgUnit.objects.filter(code="SE").exists():
        load_units(OrgUnit)
    if not ActionPlan.objects.exists():
        from lagesbild.catalogue.models import FocusArea, Foundation

        load_framework(ActionPlan, Foundation, FocusArea)
    from lagesbild.catalogue.models import Measure

    if not Measure.objects.exists():
        from lagesbild.catalogue.services import load_starter_catalogue

        load_starter_catalogue()
