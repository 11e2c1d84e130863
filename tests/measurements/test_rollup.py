"""Roll-up at every level is Σnumerator/Σdenominator of the leaves, computed by the database."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagesbild.core.actor import Actor
from lagesbild.calc.periods import MONTH, QUARTER, TERTIAL, YEAR, Period
from lagesbild.measurements import selectors, services
from lagesbild.measurements.models import Target
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tree, share, region_admin):
    services.import_observations(csv(
        "t-andel;T-AVD1;2025-01;;;1;2;",      # 50 %
        "t-andel;T-AVD2;2025-01;;;90;100;",   # 90 %
        "t-andel;T-AVD3;2025-02;;;10;10;",
        "t-andel;T-VC1;2025-05;;;0;8;",
        "t-andel;T-AVD1;2024-01;;;1;4;",
    ), "obs.csv", actor=Actor.cli(region_admin))
    return tree


def test_rollup_is_ratio_of_sums_not_mean_of_rates(data, share):
    q1 = Period(date(2025, 1, 1), QUARTER)
    assert selectors.value_for(share, data["med"], Period(date(2025, 1, 1), MONTH)) == Decimal("89.2")  # 91/102
    assert selectors.value_for(share, data["hsf"], q1) == Decimal("90.2")  # 101/112
    assert selectors.value_for(share, data["region"], Period(date(2025, 1, 1), YEAR)) == Decimal("84.2")  # 101/120
    # T1 is January–April: the May row is not in it.
    assert selectors.value_for(share, data["region"], Period(date(2025, 1, 1), TERTIAL)) == Decimal("90.2")
    assert selectors.value_for(share, data["pv"], q1) is None
    assert selectors.value_for(share, data["region"], Period(date(2024, 1, 1), YEAR)) == Decimal("25.0")


def test_rollup_is_one_query_whatever_the_number_of_units(data, share):
    """As the organisation was: the unit's own rows and its stored subtree sums. Mapped onto
    today's structure: one grouped prefix query over the leaves."""
    first, last = Period(date(2024, 1, 1), MONTH), Period(date(2025, 12, 1), MONTH)
    with CaptureQueriesContext(connection) as ctx:
        sums = selectors.sums_by_period(data["region"], [share], first, last)
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "UNION ALL" in sql and "MEASUREMENTS_SUBTREESUM" in sql and "LIKE" not in sql
    with CaptureQueriesContext(connection) as ctx:
        today = selectors.sums_by_period(data["region"], [share], first, last, as_of_today=True)
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "SUM" in sql and "LIKE" in sql and "SUBTREESUM" not in sql
    assert today == sums


def test_children_values_in_one_query(data, share):
    year = Period(date(2025, 1, 1), YEAR)
    expected = {"SE/08/T-HSF/": (101, 112), "SE/08/T-PV/": (0, 8)}
    for as_of_today, queries in ((False, 1), (True, 1)):
        with CaptureQueriesContext(connection) as ctx:
            rows = dict(selectors.child_values(data["region"], share, year, as_of_today))
        assert len(ctx.captured_queries) == queries
        assert {k: (s.numerator, s.denominator) for k, s in rows.items()} == expected


def test_target_inherited_and_overridden(data, share):
    Target.objects.create(measure=share, org_unit=data["region"], comparator=">=", value=Decimal("90"), warning_band=Decimal("6"))
    Target.objects.create(measure=share, org_unit=data["med"], comparator=">=", value=Decimal("80"))
    year = Period(date(2025, 1, 1), YEAR)
    (hsf,) = selectors.measure_statuses(data["hsf"], [share], year)
    assert (hsf.value, hsf.target.value, hsf.status) == (Decimal("90.2"), Decimal("90"), "uppnatt")
    (region,) = selectors.measure_statuses(data["region"], [share], year)
    assert (region.value, region.status) == (Decimal("84.2"), "nara")  # 5,8 below, within the band of 6
    Target.objects.filter(org_unit=data["region"]).update(warning_band=Decimal("5"))
    (region,) = selectors.measure_statuses(data["region"], [share], year)
    assert region.status == "ej_uppnatt"
    (med,) = selectors.measure_statuses(data["med"], [share], year)
    assert (med.target.org_unit.code, med.status) == ("T-MED", "uppnatt")
    (pv,) = selectors.measure_statuses(data["pv"], [share], Period(date(2025, 1, 1), QUARTER))
    assert pv.status == "saknar_data"
    assert region.previous == Decimal("25.0") and region.trend == "better"


def test_period_statuses_agree_with_measure_statuses_for_the_period_and_read_only_it(data, share):
    """The start page's lighter selector: the same value, n, target and status as the dashboard's
    for every unit and granularity (own rows, subtree sums, today's structure), in two queries."""
    Target.objects.create(measure=share, org_unit=data["region"], comparator=">=", value=Decimal("90"), warning_band=Decimal("6"))
    for period in (Period(date(2025, 1, 1), YEAR), Period(date(2025, 1, 1), QUARTER), Period(date(2025, 1, 1), TERTIAL),
                   Period(date(2025, 1, 1), MONTH), Period(date(2024, 1, 1), YEAR), Period(date(2025, 7, 1), MONTH)):
        for key in ("region", "hsf", "med", "avd1", "pv"):
            for as_of_today in (False, True):
                (full,) = selectors.measure_statuses(data[key], [share], period, as_of_today)
                with CaptureQueriesContext(connection) as ctx:
                    (light,) = selectors.period_statuses(data[key], [share], period, as_of_today)
                assert len(ctx.captured_queries) == 2  # the sums, the targets
                assert (light.value, light.sums, light.target, light.status) == (
                    full.value, full.sums, full.target, full.status), (key, period, as_of_today)
                assert (light.previous, light.last_year, light.trend, light.series) == (None, None, None, [])
    (region,) = selectors.period_statuses(data["region"], [share], Period(date(2025, 1, 1), YEAR))
    assert (region.value, region.sums.denominator, region.status) == (Decimal("84.2"), 120, "nara")
    # Only the period is read: the 2024 row is left out of the year 2025's sums.
    assert region.sums.rows == 4


def test_mapped_onto_todays_structure(data, share):
    """A closed unit's history follows its successor when asked for today's structure."""
    avd3 = data["avd3"]
    avd3.current_path = data["avd1"].path  # ORT's ward was merged into MED's AVD1
    avd3.save()
    year = Period(date(2025, 1, 1), YEAR)
    assert selectors.value_for(share, data["med"], year) == Decimal("89.2")  # as it was: 91/102
    assert selectors.value_for(share, data["med"], year, as_of_today=True) == Decimal("90.2")  # 101/112
    assert selectors.value_for(share, data["ort"], year, as_of_today=True) is None
