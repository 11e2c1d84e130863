"""Reference data: Agera för säker vård 2025–2030, its four foundations and five focus areas."""

from django.db import migrations

from lagesbild.catalogue.framework import FOCUS_AREAS, FOUNDATIONS, PLAN


def load(apps, schema_editor):
    ActionPlan = apps.get_model("catalogue", "ActionPlan")
    Foundation = apps.get_model("catalogue", "Foundation")
    FocusArea = apps.get_model("catalogue", "FocusArea")
    plan = ActionPlan.objects.create(**PLAN)
    Foundation.objects.bulk_create(Foundation(plan=plan, number=n, name=name) for n, name in FOUNDATIONS)
    FocusArea.objects.bulk_create(FocusArea(plan=plan, number=n, name=name) for n, name in FOCUS_AREAS)


def unload(apps, schema_editor):
    apps.get_model("catalogue", "ActionPlan").objects.filter(code=PLAN["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
