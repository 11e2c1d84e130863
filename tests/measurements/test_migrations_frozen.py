"""Migrations freeze the code they run: no imports of live application code."""

import ast
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from lagesbild.core.actor import Actor
from lagesbild.measurements import services, subtree_sums
from lagesbild.measurements.models import SubtreeSum
from tests.measurements.conftest import csv

MIGRATIONS = Path(__file__).resolve().parents[2] / "lagesbild" / "measurements" / "migrations"


@pytest.mark.parametrize("path", sorted(MIGRATIONS.glob("0*.py")), ids=lambda p: p.name)
def test_no_migration_imports_application_code(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("lagesbild"), (path.name, node.module)
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("lagesbild") for a in node.names), path.name


@pytest.mark.django_db
def test_the_frozen_fill_computes_what_the_application_computes(tree, share, region_admin):
    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;", "t-andel;T-VC1;2025-Q2;;;3;4;",
                                     "t-andel;T-AVD3;2025-02;K;;1;1;"), "a.csv", actor=Actor.cli(region_admin))
    expected = sorted(SubtreeSum.objects.values_list("org_unit_id", "measure_id", "period_start", "granularity",
                                                     "numerator", "denominator", "row_count"))
    SubtreeSum.objects.all().delete()
    migration = importlib.import_module("lagesbild.measurements.migrations.0005_subtree_sums")
    migration.fill(apps, SimpleNamespace(connection=connection))  # fill uses only the editor's connection
    assert sorted(SubtreeSum.objects.values_list("org_unit_id", "measure_id", "period_start", "granularity",
                                                 "numerator", "denominator", "row_count")) == expected
    assert subtree_sums.verify() == []


@pytest.fixture
def refdata(transactional_db):
    from lagesbild.catalogue.reference import ensure_reference_data

    ensure_reference_data()


@pytest.mark.django_db(transaction=True)
def test_the_target_key_migration_merges_duplicates_written_before_it(refdata, tree, share, capsys):
    """Issue 8, item 10: duplicates stored before the constraint existed are reported and merged
    (the one written last is kept), then the key is unique."""
    from lagesbild.measurements.models import Target

    constraint = next(c for c in Target._meta.constraints if c.name == "target_key_uniq")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Target, constraint)
    try:
        old = Target.objects.create(measure=share, org_unit=tree["med"], comparator=">=", value=80)
        new = Target.objects.create(measure=share, org_unit=tree["med"], comparator=">=", value=90)
        other = Target.objects.create(measure=share, org_unit=tree["med"], comparator=">=", value=70,
                                      valid_from="2025-01-01")
        migration = importlib.import_module("lagesbild.measurements.migrations.0007_target_key_uniq")
        migration.merge_duplicates(apps, None)
    finally:
        with connection.schema_editor() as editor:
            editor.add_constraint(Target, constraint)
    assert sorted(Target.objects.values_list("pk", flat=True)) == sorted([new.pk, other.pk])
    report = capsys.readouterr().out
    assert f"mål id {old.pk}" in report and f"samma nyckel som mål id {new.pk}" in report
