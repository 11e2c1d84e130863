"""Reference data: the nation, the 21 regions (county codes) and the 290 municipalities (SCB codes).

Municipalities lie directly under the nation (they are principals of their own, not part of
the region's organisation); county_code places them geographically.

Frozen: the migration reads the reference files itself and imports no application code, so
refactoring the application never breaks migrating a new database.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load(apps, schema_editor):
    OrgUnit = apps.get_model("org", "OrgUnit")
    nation = OrgUnit.objects.create(code="SE", name="Sverige", kind="nation", parent=None, path="SE/", depth=0)
    OrgUnit.objects.bulk_create(
        [OrgUnit(code=r["code"], name=r["name"], kind="region", parent=nation, path=f"SE/{r['code']}/", depth=1,
                 county_code=r["code"]) for r in _rows("regioner.csv")]
        + [OrgUnit(code=r["code"], name=r["name"], kind="kommun", parent=nation, path=f"SE/{r['code']}/", depth=1,
                   county_code=r["county_code"]) for r in _rows("kommuner.csv")]
    )


def unload(apps, schema_editor):
    OrgUnit = apps.get_model("org", "OrgUnit")
    OrgUnit.objects.filter(kind__in=["kommun", "region"], depth=1).delete()
    OrgUnit.objects.filter(code="SE").delete()


def pattern_index(apps, schema_editor):
    # A plain b-tree on PostgreSQL does not serve LIKE 'prefix%' under a non-C collation;
    # varchar_pattern_ops does. SQLite's index serves the prefix query as it is.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS orgunit_path_like_idx ON org_orgunit (path varchar_pattern_ops)"
        )


def drop_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS orgunit_path_like_idx")


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [
        # The index first: PostgreSQL refuses CREATE INDEX on a table with pending FK trigger events.
        migrations.RunPython(pattern_index, drop_pattern_index),
        migrations.RunPython(load, unload),
    ]
