"""Two fields for the handbook (foundation, limitations) and the starter catalogue of measures.

Frozen: the starter catalogue as validated by the import parser when this migration was written
(lagesbild/catalogue/data/startkatalog.yaml, normalised) is stored beside it in
0004_startkatalog.json and written on (code, version): running it again updates instead of
duplicating. It imports no application code, so refactoring never breaks migrating a new
database. Other apps rely on its measure codes.
"""

import json
from datetime import date
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

CATALOGUE = Path(__file__).with_name("0004_startkatalog.json")


def load(apps, schema_editor):
    Measure, FocusArea, Foundation, ActionPlan = (
        apps.get_model("catalogue", m) for m in ("Measure", "FocusArea", "Foundation", "ActionPlan")
    )
    plan = ActionPlan.objects.order_by("-period_start", "-id").first()
    areas = {fa.number: fa for fa in FocusArea.objects.filter(plan=plan)}
    foundations = {f.number: f for f in Foundation.objects.filter(plan=plan)}
    for values in json.loads(CATALOGUE.read_text(encoding="utf-8"))["measures"]:
        values = dict(values)
        code, version = values.pop("code"), values.pop("version")
        values["focus_area"] = areas.get(values["focus_area"]) if values["focus_area"] else None
        values["foundation"] = foundations.get(values["foundation"]) if values["foundation"] else None
        for name in ("valid_from", "valid_to"):
            values[name] = date.fromisoformat(values[name]) if values[name] else None
        Measure.objects.update_or_create(code=code, version=version, defaults=values)
    if schema_editor.connection.vendor == "postgresql":
        # The new field's index is created at the end of this migration; PostgreSQL refuses
        # that while the inserts' deferred foreign-key checks are pending, so run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0003_measure"),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="foundation",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to="catalogue.foundation",
                verbose_name="grundförutsättning",
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="limitations",
            field=models.TextField(blank=True, verbose_name="felkällor och begränsningar"),
        ),
        # Reversing keeps the measures: observations may point to them, and loading is idempotent.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
