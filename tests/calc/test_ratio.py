from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagesbild.calc.ratio import Ratio, change_in_points, percent, round_half_up, wilson_interval


@pytest.mark.parametrize(
    "num,den,expected",
    [(13, 16, "81.3"), (15, 20, "75.0"), (13, 19, "68.4"), (16, 17, "94.1"), (10, 12, "83.3"), (1, 8, "12.5"),
     (1, 3, "33.3"), (2, 3, "66.7"), (0, 5, "0.0"), (5, 5, "100.0")],
)
def test_percent_is_exact_then_half_up(num, den, expected):
    assert percent(num, den) == Decimal(expected)


def test_half_up_not_bankers():
    # 13/16 = 81.25 exactly: banker's rounding would give 81.2.
    assert round_half_up(Decimal("81.25")) == Decimal("81.3")
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert round_half_up(Decimal("-2.5"), 0) == Decimal("-3")


def test_percent_of_nothing_is_none():
    assert percent(0, 0) is None
    assert Ratio(0, 0).wilson() is None


def test_rollup_sums_counts_never_averages_percentages():
    small, large = Ratio(1, 2), Ratio(90, 100)
    total = small + large
    assert total == Ratio(91, 102)
    assert total.percent() == Decimal("89.2")  # not the mean of 50 % and 90 % (70 %)
    assert Ratio.total([small, large, Ratio(0, 0)]) == Ratio(91, 102)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        Ratio(-1, 3)


def test_wilson_matches_reference_values():
    # Reference: Wilson score interval, z = 1.96 (e.g. statsmodels proportion_confint method='wilson').
    assert wilson_interval(13, 16) == (Decimal("57.0"), Decimal("93.4"))
    assert wilson_interval(0, 20) == (Decimal("0.0"), Decimal("16.1"))
    assert wilson_interval(20, 20) == (Decimal("83.9"), Decimal("100.0"))


def test_change_in_points_uses_exact_values():
    # 81.25 − 66.666… = 14.583… → 14.6 (from rounded figures it would be 81.3 − 66.7 = 14.6 too, but
    # 1/8 − 1/6: 12.5 − 16.666… = −4.1666 → −4.2, while rounded 12.5 − 16.7 = −4.2)
    assert change_in_points(Ratio(13, 16), Ratio(2, 3)) == Decimal("14.6")
    assert change_in_points(Ratio(1, 3), Ratio(1, 6)) == Decimal("16.7")  # 33.33 − 16.67 exact = 16.666…
    assert change_in_points(Ratio(1, 2), Ratio(0, 0)) is None


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_percent_property_within_half_a_unit(num, den):
    num = min(num, den)
    p = percent(num, den)
    exact = Decimal(num) * 100 / Decimal(den)
    assert abs(p - exact) <= Decimal("0.05")
    assert p == p.quantize(Decimal("0.1"))
    assert Decimal(0) <= p <= Decimal(100)


@given(st.integers(0, 10**9), st.integers(0, 4))
def test_half_up_property(units, decimals):
    # A value exactly halfway always rounds up (away from zero).
    value = (Decimal(units) + Decimal("0.5")).scaleb(-decimals)
    assert round_half_up(value, decimals) == (Decimal(units) + 1).scaleb(-decimals)


@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000)), min_size=1, max_size=30))
def test_rollup_property_equals_ratio_of_sums(pairs):
    ratios = [Ratio(min(a, b), b) for a, b in pairs]
    total = Ratio.total(ratios)
    assert total.numerator == sum(r.numerator for r in ratios)
    assert total.denominator == sum(r.denominator for r in ratios)


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_estimate(pair):
    k, n = pair
    low, high = wilson_interval(k, n)
    assert low <= percent(k, n) <= high
    assert Decimal(0) <= low <= high <= Decimal(100)
