"""The stored subtree sums always equal Σ of the observations below each unit."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from lagesbild.core.actor import Actor
from lagesbild.calc.periods import MONTH, QUARTER, YEAR, Period
from lagesbild.measurements import selectors, services, subtree_sums
from lagesbild.measurements.models import Observation, SubtreeSum
from lagesbild.org.services import move_unit
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db
YEAR_2025 = Period(date(2025, 1, 1), YEAR)


def sums_of(unit, measure, period=YEAR_2025, as_of_today=False):
    s = selectors.sums_by_period(unit, [measure], period, period, as_of_today)[measure.id][period]
    return s.numerator, s.denominator, s.rows


def test_imports_at_every_level_keep_the_sums_exact(tree, share, per1000, region_admin):
    services.import_observations(csv(
        "t-andel;T-AVD1;2025-01;K;;3;4;", "t-andel;T-AVD1;2025-01;M;;1;4;",
        "t-andel;T-AVD2;2025-Q1;;;5;10;",
        "t-andel;T-MED;2025-02;;;7;7;",        # a verksamhet's own row
        "t-andel;08;2025;;;2;3;",               # the region's own row
        "t-per1000;T-VC1;2025-03;;;12;1000;",
    ), "a.csv", actor=Actor.cli(region_admin))
    assert subtree_sums.verify() == []
    assert sums_of(tree["region"], share) == (3 + 1 + 5 + 7 + 2, 4 + 4 + 10 + 7 + 3, 5)
    assert sums_of(tree["hsf"], share) == (16, 25, 4)
    assert sums_of(tree["med"], share) == (16, 25, 4)
    assert sums_of(tree["avd1"], share) == (4, 8, 2)
    assert sums_of(tree["pv"], per1000) == (12, 1000, 1)
    # A correction and a new month: only the changed combinations are recomputed, and exactly.
    services.import_observations(csv("t-andel;T-AVD1;2025-01;M;;2;4;", "t-andel;T-AVD3;2025-04;;;1;1;"), "b.csv",
                                 actor=Actor.cli(region_admin))
    assert subtree_sums.verify() == []
    assert sums_of(tree["region"], share) == (20, 29, 6)
    assert sums_of(tree["ort"], share) == (1, 1, 1)


def test_moving_a_unit_moves_its_history_between_ancestors(tree, share, region_admin):
    services.import_observations(csv("t-andel;T-AVD3;2025-02;;;9;10;", "t-andel;T-AVD1;2025-02;;;1;10;"), "a.csv",
                                 actor=Actor.cli(region_admin))
    assert sums_of(tree["ort"], share) == (9, 10, 1) and sums_of(tree["med"], share) == (1, 10, 1)
    move_unit(tree["avd3"], tree["med"], actor=Actor.system())
    assert subtree_sums.verify() == []
    assert sums_of(tree["ort"], share) == (0, None, 0)
    assert sums_of(tree["med"], share) == (10, 20, 2)
    assert sums_of(tree["hsf"], share) == (10, 20, 2)
    move_unit(tree["med"], tree["pv"], actor=Actor.system())  # a whole verksamhet to another förvaltning
    assert subtree_sums.verify() == []
    assert sums_of(tree["hsf"], share) == (0, None, 0) and sums_of(tree["pv"], share) == (10, 20, 2)
    assert sums_of(tree["region"], share) == (10, 20, 2)


def test_rebuild_gives_what_the_imports_kept(tree, share, region_admin):
    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;", "t-andel;T-VC1;2025-Q2;;;3;4;"), "a.csv",
                                 actor=Actor.cli(region_admin))
    kept = sorted(SubtreeSum.objects.values_list("org_unit__code", "measure_id", "period_start", "granularity",
                                                 "numerator", "denominator", "row_count"))
    assert len(kept) == 7  # MED, HSF, 08 and SE for AVD1's month; PV, 08 and SE for VC1's quarter
    subtree_sums.rebuild()
    assert sorted(SubtreeSum.objects.values_list("org_unit__code", "measure_id", "period_start", "granularity",
                                                 "numerator", "denominator", "row_count")) == kept


def test_verify_finds_a_tampered_sum(tree, share, region_admin):
    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", actor=Actor.cli(region_admin))
    SubtreeSum.objects.filter(org_unit=tree["region"]).update(numerator=99)
    (diff,) = subtree_sums.verify()
    assert diff[0] == tree["region"].pk and diff[4] == (99, 2, 1) and diff[5] == (1, 2, 1)


UNITS = ["08", "T-HSF", "T-MED", "T-AVD1", "T-AVD2", "T-ORT", "T-AVD3", "T-PV", "T-VC1"]
ROW = hs.tuples(hs.sampled_from(UNITS), hs.sampled_from(["2025-01", "2025-02", "2025-Q1", "2025"]),
                hs.integers(0, 50), hs.integers(0, 50))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=hs.lists(hs.lists(ROW, min_size=1, max_size=8), min_size=1, max_size=4))
def test_any_sequence_of_imports_keeps_every_level_equal_to_its_leaves(tree, share, region_admin, batches):
    """Property: after any sequence of imports (new rows and corrections), each unit's roll-up
    through its stored sums equals the grouped query over the leaves below it."""
    Observation.objects.all().delete()
    SubtreeSum.objects.all().delete()
    for i, batch in enumerate(batches):
        lines, seen = [], set()
        for unit, period, a, b in batch:
            if (unit, period) in seen:
                continue
            seen.add((unit, period))
            lines.append(f"t-andel;{unit};{period};;;{min(a, b)};{max(a, b)};")
        services.import_observations(csv(*lines), f"batch-{i}.csv", actor=Actor.cli(region_admin))
    assert subtree_sums.verify() == []
    for unit in tree.values():
        for period in (Period(date(2025, 1, 1), MONTH), Period(date(2025, 1, 1), QUARTER), YEAR_2025):
            assert sums_of(unit, share, period) == sums_of(unit, share, period, as_of_today=True), (unit.code, period)
            children = sorted(selectors.child_values(unit, share, period))
            assert children == sorted(selectors.child_values(unit, share, period, as_of_today=True)), (unit.code, period)



def test_a_row_saved_or_deleted_through_the_orm_keeps_the_sums(tree, share):
    o = Observation.objects.create(measure=share, org_unit=tree["avd1"], period_start=date(2025, 1, 1), numerator=1,
                                   denominator=2)
    assert sums_of(tree["hsf"], share) == (1, 2, 1)
    o.org_unit = tree["vc1"]
    o.save()
    assert sums_of(tree["hsf"], share) == (0, None, 0) and sums_of(tree["pv"], share) == (1, 2, 1)
    o.delete()
    assert sums_of(tree["region"], share) == (0, None, 0)
    assert subtree_sums.verify() == []


def test_command_line_verifies_and_rebuilds(tree, share, region_admin, capsys):
    from lagesbild.cli import main

    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", actor=Actor.cli(region_admin))
    assert main(["data", "verify-sums"]) == 0
    SubtreeSum.objects.filter(org_unit=tree["hsf"]).delete()
    assert main(["data", "verify-sums"]) == 1
    assert "1 delsummor stämmer inte" in capsys.readouterr().err
    assert main(["data", "rebuild-sums"]) == 0
    assert main(["data", "verify-sums"]) == 0
    assert sums_of(tree["hsf"], share) == (1, 2, 1)
