"""Reference data: the nation, the 21 regions (county codes) and the 290 municipalities (SCB codes).

Municipalities lie directly under the nation (they are principals of their own, not part of
the region's organisation); county_code places them geographically.
"""

from django.db import migrations

from lagesbild.org.reference import load_units


def load(apps, schema_editor):
    load_units(apps.get_model("org", "OrgUnit"))


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
