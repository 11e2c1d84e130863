"""Funnel plots for shares (FunnelPlotR's proportion method) on a hand-computed case with a zero
numerator: the pooled share, the winsorised dispersion φ, τ², the limits and who is outside."""

import math

import pytest

from lagesbild.calc import funnel as fp

UNITS = [("A", 0, 50), ("B", 10, 100), ("C", 30, 200), ("D", 60, 300), ("E", 12, 40)]
# Worked by hand (a calculator following FunnelPlotR's steps): p̄ = 112/690; z = (asin√p − asin√p̄)·2√n;
# type-7 quantiles of z at 0.1 and 0.9 are z(1) + 0.4·(z(2) − z(1)) and z(4) + 0.6·(z(5) − z(4)).
Z = [-5.864322532727351, -1.8583933719803136, -0.48000693403359873, 1.6966264196565926, 2.0867176775269303]
PHI, TAU2 = 5.690865758323376, 0.012705938905282868


def test_the_hand_computed_case():
    f = fp.funnel(UNITS)
    assert f.target == pytest.approx(112 / 690)
    assert [u.z for u in f.units] == pytest.approx(Z)
    assert f.phi == pytest.approx(PHI) and f.overdispersed
    assert f.tau2 == pytest.approx(TAU2)
    a, e = f.units[0], f.units[4]
    assert (a.adjusted.lower998, a.adjusted.upper998) == pytest.approx((1.2059095474497151e-05, 0.5404254819724245))
    assert (a.unadjusted.lower95, a.unadjusted.upper95) == pytest.approx((0.07430315091907218, 0.2761126176385261))
    assert (e.unadjusted.lower95, e.unadjusted.upper95) == pytest.approx((0.06595207833940932, 0.2908566032281231))


def test_who_is_outside_adjusted_and_unadjusted():
    f = fp.funnel(UNITS)
    assert [u.outside(adjusted=False, level="95") for u in f.units] == ["low", None, None, None, "high"]
    # the zero numerator lies below even the adjusted 99.8 % limit (1.2e-05 at n = 50)
    assert [u.outside(adjusted=True, level="998") for u in f.units] == ["low", None, None, None, None]


def test_no_overdispersion_gives_no_tau():
    even = [("A", 10, 100), ("B", 20, 200), ("C", 30, 300), ("D", 11, 100)]
    f = fp.funnel(even)
    assert f.tau2 == 0 and not f.overdispersed
    assert f.units[0].adjusted == f.units[0].unadjusted


def test_limits_stay_within_zero_and_one_and_never_turn_back():
    small = fp.limits(0.02, 3)  # asin(√0.02) − 3.09/(2√3) < 0: the lower limit is 0, not sin² of a negative angle
    assert small.lower998 == 0 and small.lower95 == 0
    assert fp.limits(0.98, 3).upper998 == 1
    lows = [fp.limits(0.1, n).lower998 for n in range(1, 400)]
    assert lows == sorted(lows)


def test_r_type_7_quantiles():
    assert fp.quantile7([1, 2, 3, 4, 5], 0.1) == pytest.approx(1.4)
    assert fp.quantile7([1, 2, 3, 4, 5], 0.9) == pytest.approx(4.6)
    assert fp.quantile7([7], 0.9) == 7


def test_bad_units_are_refused():
    for bad in ([], [("A", 1, 0)], [("A", 5, 4)], [("A", -1, 4)]):
        with pytest.raises(ValueError):
            fp.funnel(bad)
    assert math.isclose(fp.funnel([("A", 0, 10)]).target, 0)
