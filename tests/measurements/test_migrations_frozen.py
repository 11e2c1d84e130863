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
