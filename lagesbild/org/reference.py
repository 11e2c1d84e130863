"""Reference units: the nation, the 21 regions (county codes) and the 290 municipalities (SCB codes).

Used by tests that flush the database (the data migration keeps its own frozen copy).
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
    """Create the reference units."""

    def unit(code, name, kind, parent, path, depth, county_code=""):
        return OrgUnit(code=code, name=name, kind=kind, parent=parent, path=path, depth=depth,
                       county_code=county_code, current_path=path)

    nation = unit("SE", "Sverige", "nation", None, "SE/", 0)
    nation.save()
    OrgUnit.objects.bulk_create(
        [unit(r["code"], r["name"], "region", nation, f"SE/{r['code']}/", 1, r["code"]) for r in rows("regioner.csv")]
        + [unit(r["code"], r["name"], "kommun", nation, f"SE/{r['code']}/", 1, r["county_code"])
           for r in rows("kommuner.csv")]
    )


def ensure_units() -> None:
    """Load the reference units when a flushed database lacks them (the migration loads them
    once; transactional tests flush them)."""
    from .models import OrgUnit

    if not OrgUnit.objects.filter(code="SE").exists():
        load_units(OrgUnit)
