"""The control chart as the measure page and the dashboard assemble it: a rebase recorded at a unit
splits the groups at its month; "fix after N" and the run length change the signals. The figures
are computed by hand in the comments."""

from datetime import date
from decimal import Decimal

import pytest

from lagesbild.calc import periods, spc
from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.core.actor import Actor
from lagesbild.measurements import presenters, services
from lagesbild.measurements.models import Target
from lagesbild.org.models import OrgUnit
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db

# Two years: 10, 12, 10, 12 … in 2024 (mean 11, every moving range 2, limits 11 ± 2.66 × 2 = 5.68 … 16.32),
# then 20, 24, 20, 24 … in 2025 (mean 22, every moving range 4, limits 22 ± 2.66 × 4 = 11.36 … 32.64).
TWO_LEVELS = [10, 12] * 6 + [20, 24] * 6
# One series for the settings: 10, 12 ×3, then 13, 15 ×3.
#  All 12 points as baseline: mean 150/12 = 12.5; moving ranges 2 ×5, 1, 2 ×5 → MR̄ 21/11 = 1.909…;
#  limits 12.5 ± 5.078 (7.42 … 17.58), close beyond 12.5 ± 3.385 (9.12 … 15.88): nothing close, and
#  the first six lie below the mean, the last six above – a run of 6: no shift at 7, a shift at 6.
#  Fixed after 6: mean 11, MR̄ 2, limits 5.68 … 16.32, close beyond 11 ± 3.547 (14.55): every 15 is
#  close and lies in 15, 13, 15 (two of three close, all above) → two_of_three; 12 (the sixth point)
#  and every 13 lie above the mean in a run of 7 → shift.
SETTLED = [10, 12] * 3 + [13, 15] * 3


def months(first: str, n: int) -> list[Period]:
    start = Period.parse(first)
    return [start.shift(i) for i in range(n)]


@pytest.fixture
def share(db):
    return Measure.objects.create(code="t-spc", title="Riskbedömning (test)", measure_type="process", unit="percent",
                                  direction="higher", decimals=1, frequency="month")


@pytest.fixture
def ward(db):
    region = OrgUnit.objects.get(code="08")
    clinic = OrgUnit.objects.create(code="08-KLIN", name="Kliniken", kind="verksamhet", parent=region)
    return OrgUnit.objects.create(code="08-AVD", name="Avdelningen", kind="enhet", parent=clinic)


def load(values: list[int], first: str = "2024-01") -> Period:
    """The values as shares of 100 at the ward, month by month; returns the last month."""
    ps = months(first, len(values))
    services.import_observations(csv(*[f"t-spc;08-AVD;{p.key};;;{v};100;" for p, v in zip(ps, values)]), "serie.csv",
                                 actor=Actor.system())
    return ps[-1]


def page(unit: OrgUnit, m: Measure, last: Period) -> presenters.MeasurePage:
    return presenters.measure_page(unit, m, last, periods.MONTH)


# --- a rebase splits the groups ----------------------------------------------------------------


def test_without_a_rebase_the_two_years_are_one_group(share, ward):
    last = load(TWO_LEVELS)
    view = page(ward, share, last).spc
    # mean (132 + 264) / 24 = 16.5; moving ranges 2 ×11, 8, 4 ×11 → MR̄ 74/23; limits 16.5 ± 2.66 × 74/23
    assert {r.mean for r in view.rows} == {"16,5\u00a0%"}
    assert {(r.lower, r.upper) for r in view.rows} == {("7,9\u00a0%", "25,1\u00a0%")}  # 7.942 and 25.058
    assert not view.has_new_groups


def test_a_rebase_at_the_ward_starts_a_new_group_at_its_month(share, ward):
    last = load(TWO_LEVELS)
    services.record_rebase("t-spc", ward, date(2025, 1, 1), "Ny rutin för riskbedömning infördes", actor=Actor.system())
    p = page(ward, share, last)
    made = presenters.control_chart(share, [(r.period, r.value.value) for r in p.series if r.value.value is not None],
                                    p.status.target, p.spc_rules, [b.rebase for b in p.spc_rebases])
    chart, starts = made
    assert [pt.group for pt in chart.points] == [0] * 12 + [1] * 12
    assert list(starts) == [12]
    first, second = chart.points[11], chart.points[12]  # dec 2024, jan 2025
    assert (first.mean, first.lower, first.upper) == (11, pytest.approx(5.68), pytest.approx(16.32))
    assert (second.mean, second.lower, second.upper) == (22, pytest.approx(11.36), pytest.approx(32.64))
    rows = p.spc.rows
    pct = "\u00a0%"
    assert (rows[11].period, rows[11].mean, rows[11].lower, rows[11].upper) == ("dec 2024", f"11,0{pct}", f"5,7{pct}",
                                                                                f"16,3{pct}")
    assert (rows[12].period, rows[12].mean, rows[12].lower, rows[12].upper) == ("jan 2025", f"22,0{pct}", f"11,4{pct}",
                                                                                f"32,6{pct}")
    assert rows[12].rebase == "Ny rutin för riskbedömning infördes" and rows[11].rebase == ""
    assert all(r.signal == "" for r in rows)  # each level is common cause within its own group
    assert p.spc.has_new_groups
    assert "Ny baslinje" in p.spc.chart and "Ny baslinje från jan 2025: Ny rutin för riskbedömning infördes" in p.spc.chart
    (listed,) = p.spc_rebases
    assert (listed.starts, listed.inherited, listed.later, listed.unit_name) == ("jan 2025", False, False, "Avdelningen")


def test_a_rebase_above_holds_below_but_one_below_does_not_hold_above(share, ward):
    last = load(TWO_LEVELS)
    clinic = ward.parent
    services.record_rebase("t-spc", clinic, date(2025, 1, 1), "Ny rutin i hela kliniken", actor=Actor.system())
    at_ward = page(ward, share, last)
    assert at_ward.spc.rows[12].mean == "22,0\u00a0%"
    assert at_ward.spc_rebases[0].inherited  # listed as recorded above

    # the clinic's own chart (its only ward's figures) splits too
    assert page(clinic, share, last).spc.rows[12].mean == "22,0\u00a0%"

    services.delete_rebase(at_ward.spc_rebases[0].rebase, actor=Actor.system())
    services.record_rebase("t-spc", ward, date(2025, 1, 1), "Bara på avdelningen", actor=Actor.system())
    assert page(clinic, share, last).spc.rows[12].mean == "16,5\u00a0%"  # the ward's rebase is not the clinic's
    assert page(ward, share, last).spc.rows[12].mean == "22,0\u00a0%"


def test_a_rebase_in_a_month_without_a_value_starts_at_the_next_month_with_one(share, ward):
    values = TWO_LEVELS[:12] + TWO_LEVELS[13:]  # no value for jan 2025
    ps = months("2024-01", 24)
    services.import_observations(csv(*[f"t-spc;08-AVD;{p.key};;;{v};100;" for p, v in zip(ps[:12] + ps[13:], values)]),
                                 "serie.csv", actor=Actor.system())
    services.record_rebase("t-spc", ward, date(2025, 1, 1), "Ny rutin", actor=Actor.system())
    p = page(ward, share, ps[-1])
    assert [r.period for r in p.spc.rows if r.rebase] == ["feb 2025"]
    assert (p.spc_rebases[0].starts, p.spc_rebases[0].later) == ("feb 2025", True)
    # the new group is 24, 20, 24 … (11 points): mean (6 × 24 + 5 × 20) / 11 = 244/11 = 22.18
    assert p.spc.rows[12].mean == "22,2\u00a0%"


def test_a_rebase_before_the_chart_changes_nothing(share, ward):
    last = load(TWO_LEVELS)
    services.record_rebase("t-spc", ward, date(2020, 1, 1), "Gammal", actor=Actor.system())
    p = page(ward, share, last)
    assert {r.mean for r in p.spc.rows} == {"16,5\u00a0%"} and p.spc_rebases[0].starts == ""


# --- fix after N and the run length ------------------------------------------------------------


def chart_of(values, **kw):
    return presenters.control_chart(Measure(code="x", direction="higher", unit="percent", decimals=1),
                                    [(p, Decimal(v)) for p, v in zip(months("2025-01", len(values)), values)],
                                    None, presenters.SpcRules(**kw))[0]


def test_the_settled_series_is_common_cause_with_the_defaults():
    chart = chart_of(SETTLED)
    assert chart.points[0].mean == 12.5
    assert chart.points[0].upper == pytest.approx(12.5 + 2.66 * 21 / 11)
    assert [p.signal for p in chart.points] == [None] * 12


def test_a_run_length_of_six_makes_both_halves_shifts():
    chart = chart_of(SETTLED, run=6)
    assert [(p.signal, p.side) for p in chart.points] == [("shift", "low")] * 6 + [("shift", "high")] * 6
    assert chart.points[-1].variation == spc.IMPROVEMENT


def test_fixing_the_limits_after_six_points_makes_the_second_half_signal():
    chart = chart_of(SETTLED, fix_after=6)
    assert (chart.points[-1].mean, chart.points[-1].upper) == (11, pytest.approx(16.32))
    assert [p.signal for p in chart.points] == [None] * 5 + ["shift"] + ["shift", "two_of_three"] * 3
    assert chart.points[-1].variation == spc.IMPROVEMENT


def test_the_settings_saved_for_the_measure_reach_the_page_and_the_dashboard(share, ward):
    last = load(SETTLED, "2025-01")
    Target.objects.create(measure=share, org_unit=ward, comparator=">=", value=Decimal("5"))

    def dashboard_icons():
        d = presenters.dashboard(ward, last)
        (row,) = [r for r in d.rows if r.measure.code == "t-spc"]
        return row.spc

    p = page(ward, share, last)
    assert p.spc.latest == spc.COMMON and all(r.signal == "" for r in p.spc.rows)
    assert dashboard_icons() == presenters.SpcIcons("common_cause", "consistent_pass")  # 5 % lies below 7.42

    services.set_spc_settings("t-spc", actor=Actor.system(), fix_after=None, run_length=6)
    p = page(ward, share, last)
    assert p.spc.rows[-1].signal == "skift: 6 punkter i följd på samma sida om medelvärdet (hög)"
    assert "trend och skift vid 6 punkter i följd" in p.spc_rules.text
    assert dashboard_icons() == presenters.SpcIcons("improvement_high", "consistent_pass")

    services.set_spc_settings("t-spc", actor=Actor.system(), fix_after=6, run_length=7)
    p = page(ward, share, last)
    assert p.spc.rows[-1].signal == "2 av 3 punkter nära styrgränsen (hög)"
    assert p.spc.rows[-2].signal == "skift: 7 punkter i följd på samma sida om medelvärdet (hög)"
    assert "2 av 3 punkter nära styrgränsen (hög)" in p.spc.chart  # the point's tooltip names the rule
    assert dashboard_icons() == presenters.SpcIcons("improvement_high", "consistent_pass")


def test_the_dashboard_reads_the_series_of_all_its_measures_with_one_query(share, ward, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    last = load(TWO_LEVELS)
    for i in range(4):  # more measures, each with its own 24 months
        Measure.objects.create(code=f"t-spc{i}", title=f"Mått {i}", measure_type="process", unit="percent",
                               direction="lower", decimals=1, frequency="month")
        ps = months("2024-01", 24)
        services.import_observations(csv(*[f"t-spc{i};08-AVD;{p.key};;;{v + i};100;" for p, v in zip(ps, TWO_LEVELS)]),
                                     f"serie{i}.csv", actor=Actor.system())

    def count(spc_on: bool) -> tuple[int, list]:
        with CaptureQueriesContext(connection) as q:
            d = presenters.dashboard(ward, last, spc=spc_on)
        return len(q), d.rows

    without, rows_off = count(False)
    with_spc, rows_on = count(True)
    assert with_spc == without + 2  # the settings and the rebases of all five measures; the months come with the rows
    assert all(r.spc is None for r in rows_off)
    assert sum(r.spc is not None for r in rows_on) == 5


def test_the_float_values_of_the_dashboard_equal_the_rounded_values_of_the_page():
    import random

    from lagesbild.calc import units
    from lagesbild.measurements.selectors import Sums, _float_value

    rng = random.Random(7)
    for _ in range(20000):
        unit = rng.choice(list(units.UNITS))
        m = Measure(code="x", unit=unit, decimals=rng.randint(0, 3))
        den = rng.choice([None, 0, rng.randint(1, 50), rng.randint(1, 10**9)])
        num = rng.randint(0, 3 * (den or 1000))
        if rng.random() < 0.2 and den:  # exact ties: num/den × factor ends in 5 at the rounding place
            num, den = rng.randint(0, 999) * 2 + 1, 2 * 10 ** rng.randint(0, 4)
        exact = Sums(num, den, 1).value(m)
        assert _float_value(num, den, m) == (None if exact is None else float(exact)), (unit, m.decimals, num, den)


def test_the_dashboard_icons_are_the_last_point_of_the_measure_pages_chart(share, ward):
    import random

    rng = random.Random(11)
    region = OrgUnit.objects.get(code="08")
    for k in range(6):
        values = [rng.randint(40, 60) + (i > 20) * rng.choice([0, 8, -8]) for i in range(30)]
        code = f"t-mix{k}"
        m = Measure.objects.create(code=code, title=code, measure_type="process", unit="percent", decimals=1,
                                   direction=["higher", "lower", "neutral"][k % 3], frequency="month")
        Target.objects.create(measure=m, org_unit=region, comparator=">=", value=Decimal(rng.randint(40, 70)))
        ps = months("2023-07", 30)
        services.import_observations(csv(*[f"{code};08-AVD;{p.key};;;{v * 3 + rng.randint(0, 2)};300;"
                                           for p, v in zip(ps, values) if rng.random() > 0.1]), f"{code}.csv",
                                     actor=Actor.system())
        if k % 2:
            services.record_rebase(code, ward.parent, date(2025, 1, 1), "Ny rutin", actor=Actor.system())
        if k % 3 == 1:
            services.set_spc_settings(code, actor=Actor.system(), fix_after=10, run_length=6)
    last = Period.parse("2025-12")
    rows = {r.measure.code: r.spc for r in presenters.dashboard(ward, last).rows}
    seen = set()
    for k in range(6):
        code = f"t-mix{k}"
        page_view = page(ward, Measure.objects.get(code=code), last).spc  # the full chart (calc.spc.chart)
        assert rows[code] == page_view.icons  # the dashboard's calc.spc.latest on float values
        assert page_view.icons.variation.split("_")[0] == page_view.latest.split("_")[0]
        seen.add(rows[code])
    assert len(seen) >= 3  # the series differ in what they signal
