"""Reference data: Agera för säker vård 2025–2030, its four foundations and five focus areas."""

from django.db import migrations

from lagesbild.catalogue.framework import PLAN, load_framework


def load(apps, schema_editor):
    load_framework(*(apps.get_model("catalogue", m) for m in ("ActionPlan", "Foundation", "FocusArea")))


def unload(apps, schema_editor):
    apps.get_model("catalogue", "ActionPlan").objects.filter(code=PLAN["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
