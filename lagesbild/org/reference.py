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
    nation = OrgUnit.objects.create(code="SE", name="Sverige", kind="nation", path="SE/", current_path="SE/", depth=0)
    OrgUnit.objects.bulk_create(
        [OrgUnit(code=r["code"], name=r["name"], kind="region", parent=nation, path=f"SE/{r['code']}/",
                 current_path=f"SE/{r['code']}/", depth=1,
                 county_code=r["code"]) for r in rows("regioner.csv")]
        + [OrgUnit(code=r["code"], name=r["name"], kind="kommun", parent=nation, path=f"SE/{r['code']}/",
                   current_path=f"SE/{r['code']}/", depth=1,
                   county_code=r["county_code"]) for r in rows("kommuner.csv")]
    )


def ensure_reference_data() -> None:
    """Load the reference units and the national framework when a flushed database lacks them."""
    from lagesbild.catalogue.framework import load_framework
    from lagesbild.catalogue.models import ActionPlan

    from .models import OrgUnit

    if not OrgUnit.objects.filter(code="SE").exists():
        load_units(OrgUnit)
    if not ActionPlan.objects.exists():
        from lagesbild.catalogue.models import FocusArea, Foundation

        load_framework(ActionPlan, Foundation, FocusArea)
