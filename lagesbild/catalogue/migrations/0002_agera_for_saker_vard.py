"""Reference data: Agera för säker vård 2025–2030, its four foundations and five focus areas.

Frozen: the text is copied here (not imported from lagesbild.catalogue.framework), so
refactoring the application never breaks migrating a new database.
"""

from django.db import migrations

PLAN = {
    "code": "agera-for-saker-vard-2025-2030",
    "title": "Agera för säker vård – nationell handlingsplan för ökad patientsäkerhet 2025–2030",
    "period_start": 2025,
    "period_end": 2030,
    "vision": "God och säker vård – överallt och alltid",
}
FOUNDATIONS = [
    (1, "Engagerad ledning och tydlig styrning"),
    (2, "En god säkerhetskultur"),
    (3, "Adekvat kunskap och kompetens"),
    (4, "Patienten som medskapare"),
]
FOCUS_AREAS = [
    (1, "Öka kunskap om inträffade vårdskador"),
    (2, "Tillförlitliga och säkra system och processer"),
    (3, "Säker vård här och nu"),
    (4, "Stärka analys, lärande och utveckling"),
    (5, "Öka riskmedvetenhet och beredskap"),
]


def load(apps, schema_editor):
    ActionPlan, Foundation, FocusArea = (apps.get_model("catalogue", m) for m in ("ActionPlan", "Foundation", "FocusArea"))
    plan = ActionPlan.objects.create(**PLAN)
    Foundation.objects.bulk_create([Foundation(plan=plan, number=n, name=name) for n, name in FOUNDATIONS])
    FocusArea.objects.bulk_create([FocusArea(plan=plan, number=n, name=name) for n, name in FOCUS_AREAS])


def unload(apps, schema_editor):
    apps.get_model("catalogue", "ActionPlan").objects.filter(code=PLAN["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
