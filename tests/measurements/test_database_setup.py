"""The database set-up the roll-ups rely on (docs/benchmarks.md explains the choices)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")


def test_postgresql_sessions_run_without_jit_and_with_in_memory_page_costs():
    _postgresql_only()
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"
        cur.execute("SHOW random_page_cost")
        assert cur.fetchone()[0] == "1.1"


def test_postgresql_rollup_index_covers_the_summed_columns():
    _postgresql_only()
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'measurements_observation' "
                    "AND indexname = 'observation_rollup_idx'")
        (ddl,) = cur.fetchone()
    assert "(org_unit_id, period_start, measure_id) INCLUDE (granularity, numerator, denominator)" in ddl


def test_observations_have_exactly_the_key_and_the_rollup_index():
    """Every index costs on a million-row import: besides the primary key the table has the unique key
    and the roll-up index, and nothing else."""
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, "measurements_observation")
    indexed = sorted(tuple(c["columns"]) for c in constraints.values()
                     if (c["index"] or c["unique"]) and not c["primary_key"])
    assert indexed == sorted([
        ("measure_id", "org_unit_id", "period_start", "granularity", "sex", "age_band"),
        ("org_unit_id", "period_start", "measure_id")
        # PostgreSQL's introspection lists the INCLUDE columns too.
        + (("granularity", "numerator", "denominator") if connection.vendor == "postgresql" else ()),
    ])


def test_observations_have_no_foreign_key_constraints_but_their_references_are_protected(tree, share, region_admin):
    """The checks cost a quarter of a million-row import; the writer locks what it names instead,
    and Django refuses to delete a unit or a measure that has observations."""
    from django.db.models import ProtectedError

    from lagesbild.ingest.errors import InputError
    from lagesbild.core.actor import Actor
    from lagesbild.measurements import services
    from tests.measurements.conftest import csv

    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, "measurements_observation")
    assert [name for name, c in constraints.items() if c["foreign_key"]] == []
    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", actor=Actor.cli(region_admin))
    with pytest.raises(ProtectedError):
        tree["avd1"].delete()
    with pytest.raises(ProtectedError):
        share.delete()
    with pytest.raises(InputError, match="togs bort under importen"):
        services._lock_referenced("a.csv", {share.pk}, {tree["avd1"].pk, 10**9})
