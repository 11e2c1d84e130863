"""Two fields for the handbook (foundation, limitations) and the starter catalogue of measures.

The catalogue is read from lagesbild/catalogue/data/startkatalog.yaml through the same parser
as an import (so it is validated) and written on (code, version): running it again updates
instead of duplicating. Other apps rely on its measure codes.
"""

import django.db.models.deletion
from django.db import migrations, models


def load(apps, schema_editor):
    from lagesbild.catalogue.services import load_starter_catalogue

    load_starter_catalogue(
        models=tuple(apps.get_model("catalogue", m) for m in ("Measure", "FocusArea", "Foundation", "ActionPlan"))
    )
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
