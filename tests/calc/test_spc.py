"""XmR charts by the contract (DESIGN.md, "SPC charts"): every rule firing and not firing on
hand-built series, ties, points on the mean, rebase groups, outlier screening, fixed baselines,
variation by direction and assurance against a target."""

from __future__ import annotations

import pytest

from lagesbild.calc import spc


def _chart(values, **kw):
    periods = [f"P{i:02d}" for i in range(len(values))]
    return spc.chart(periods, values, **kw)


def _signals(values, **kw):
    return [(p.signal, p.side) for p in _chart(values, **kw).points]


def test_limits_by_hand_with_an_outlier_screened():
    # moving ranges 2, 1, 2, 1, 1, 19: MR̄ 26/6; 19 >= 3.267 × 26/6 is dropped, MR̄ = 7/5
    lim = spc.limits([10, 12, 11, 13, 12, 11, 30])
    assert lim.mean == pytest.approx(99 / 7)
    assert lim.upper == pytest.approx(99 / 7 + 2.66 * 1.4) and lim.lower == pytest.approx(99 / 7 - 2.66 * 1.4)
    assert lim.close_upper == pytest.approx(99 / 7 + 2 * (2.66 / 3) * 1.4)
    kept = spc.limits([10, 12, 11, 13, 12, 11, 30], screen_outliers=False)
    assert kept.upper == pytest.approx(99 / 7 + 2.66 * 26 / 6)


def _zigzag_then(jump: float) -> list[float]:
    """Nine moving ranges of 1, then one of ``jump``."""
    values = [0.0, 1.0] * 5
    return values + [values[-1] + jump]


def test_screening_keeps_a_range_below_the_bound_and_drops_one_above():
    # ranges 1 × 9 and 4: bound 3.267 × 1.3 = 4.25, kept; 1 × 9 and 5: bound 3.267 × 1.4 = 4.57, dropped
    kept, dropped = spc.limits(_zigzag_then(4)), spc.limits(_zigzag_then(5))
    assert kept.upper - kept.mean == pytest.approx(2.66 * 1.3)
    assert dropped.upper - dropped.mean == pytest.approx(2.66 * 1.0)


def test_a_flat_series_has_no_limits_when_screened_and_no_signal():
    chart = _chart([5, 5, 5, 5, 5, 5, 5, 5])
    assert all(p.lower is None and p.upper is None and p.signal is None for p in chart.points)
    flat = spc.limits([5, 5, 5], screen_outliers=False)
    assert flat.lower == flat.upper == 5


def test_outside_fires_above_and_below_but_not_on_the_limit():
    base = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11]
    lim = spc.limits(base + [30])
    assert _signals(base + [30])[-1] == (spc.OUTSIDE, spc.HIGH)
    assert _signals(base + [-10])[-1] == (spc.OUTSIDE, spc.LOW)
    # a point exactly on the fixed upper limit is not outside
    on_limit = spc.limits(base).upper
    assert _signals(base + [on_limit], fix_after=len(base))[-1][0] != spc.OUTSIDE
    assert lim.mean > 10


def test_a_trend_of_seven_rising_points_fires_and_six_do_not():
    rising = [1, 2, 3, 4, 5, 6, 7]
    assert _signals([4, 4] + rising + [4, 4], screen_outliers=False)[2:9] == [(spc.TREND, spc.HIGH)] * 7
    six = [2, 3, 4, 5, 6, 7]
    assert all(s != spc.TREND for s, _ in _signals([4, 4] + six + [4, 4, 4]))
    falling = list(reversed(rising))
    assert _signals([4, 4] + falling + [4, 4], screen_outliers=False)[2:9] == [(spc.TREND, spc.LOW)] * 7


def test_an_equal_value_breaks_a_trend():
    assert all(s != spc.TREND for s, _ in _signals([1, 2, 3, 3, 4, 5, 6, 7, 5, 4]))


def test_trend_side_at_a_peak_follows_the_step_to_the_next_trend_point():
    # up for 7 points to 10, then down for 7 points from 10: the peak belongs to both
    base = [0, 14] * 3  # mean 7, wide limits, so nothing is outside or close
    values = base + [4, 5, 6, 7, 8, 9, 10, 9, 8, 7, 6, 5, 4]
    points = _chart(values, fix_after=len(base)).points[len(base):]
    assert all(p.signal == spc.TREND for p in points)
    assert [p.side for p in points[:6]] == [spc.HIGH] * 6
    assert points[6].side == spc.LOW  # the next point is in a trend: the step down to it
    assert [p.side for p in points[7:]] == [spc.LOW] * 6


def test_a_shift_of_seven_on_one_side_fires_and_a_point_on_the_mean_breaks_it():
    base = [0, 4] * 3  # mean 2, limits 2 ± 10.64
    low, high = [1] * 7, [3] * 7
    signals = _signals(base + low + high, fix_after=len(base))[len(base):]
    assert signals == [(spc.SHIFT, spc.LOW)] * 7 + [(spc.SHIFT, spc.HIGH)] * 7
    # a point on the mean (2) in the middle of the high run breaks it into 3 + 3
    broken = _signals(base + low + [3, 3, 3, 2, 3, 3, 3], fix_after=len(base))[len(base):]
    assert broken[:7] == [(spc.SHIFT, spc.LOW)] * 7 and all(s is None for s, _ in broken[7:])


def test_six_points_on_one_side_are_not_a_shift_with_run_seven_but_are_with_six():
    values = [1, 3, 1, 3, 1, 2, 2, 2, 2, 2, 2, 0, 4, 0]
    seven = _signals(values, screen_outliers=False)
    six = _signals(values, screen_outliers=False, run=6)
    assert all(s != spc.SHIFT for s, _ in seven)
    assert any(s == spc.SHIFT for s, _ in six)


def test_two_of_three_close_to_a_limit_on_the_same_side():
    base = [10, 12] * 6  # mean 11, MR̄ 2: upper 16.32, close beyond 14.547
    values = base + [15, 11.5, 15.5]
    points = _chart(values, fix_after=len(base)).points
    assert [(p.signal, p.side) for p in points[-3:]] == [(spc.TWO_OF_THREE, spc.HIGH), (None, None),
                                                          (spc.TWO_OF_THREE, spc.HIGH)]
    # the middle point below the mean: not all three on one side, nothing fires
    crossing = _chart(base + [15, 10.5, 15.5], fix_after=len(base)).points
    assert all(p.signal is None for p in crossing[-3:])
    # one close point alone does not fire
    alone = _chart(base + [15, 11.5, 11.5], fix_after=len(base)).points
    assert all(p.signal is None for p in alone[-3:])


def test_precedence_outside_before_trend_before_two_of_three_before_shift():
    base = [10, 12] * 6
    rising = [11.1, 11.2, 11.3, 14.6, 14.7, 14.8, 20]
    points = _chart(base + rising, fix_after=len(base)).points[-7:]
    assert points[-1].signal == spc.OUTSIDE
    assert [p.signal for p in points[:-1]] == [spc.TREND] * 6


def test_runs_and_windows_never_cross_a_rebase():
    values = [1, 2, 3, 4, 5, 6, 7]
    rebase = [False, False, False, True, False, False, False]
    assert all(s is None for s, _ in _signals(values, rebase=rebase, screen_outliers=False))
    points = _chart([1, 1, 1, 5, 5, 5], rebase=[False, False, False, True, False, False]).points
    assert [p.mean for p in points] == [1, 1, 1, 5, 5, 5] and [p.group for p in points] == [0, 0, 0, 1, 1, 1]


def test_fix_after_takes_the_baseline_from_the_first_points_of_each_group():
    values = [10, 12, 10, 12, 30, 31, 32]
    points = _chart(values, fix_after=4).points
    assert points[0].mean == 11 and points[-1].mean == 11
    assert points[0].upper == pytest.approx(11 + 2.66 * 2)
    assert [p.signal for p in points[4:]] == [spc.OUTSIDE] * 3


@pytest.mark.parametrize("direction, side, expected", [
    ("higher", spc.HIGH, spc.IMPROVEMENT), ("higher", spc.LOW, spc.CONCERN),
    ("lower", spc.HIGH, spc.CONCERN), ("lower", spc.LOW, spc.IMPROVEMENT),
    ("neutral", spc.HIGH, spc.NEUTRAL_HIGH), ("neutral", spc.LOW, spc.NEUTRAL_LOW),
])
def test_variation_follows_the_direction(direction, side, expected):
    assert spc.variation(spc.OUTSIDE, side, direction) == expected
    assert spc.variation(None, None, direction) == spc.COMMON


def test_assurance_from_the_last_groups_limits():
    values = [10, 12] * 6  # limits 5.68 .. 16.32
    assert _chart(values, direction="higher", target=20).assurance == spc.CONSISTENT_FAIL
    assert _chart(values, direction="higher", target=5).assurance == spc.CONSISTENT_PASS
    assert _chart(values, direction="higher", target=11).assurance == spc.INCONSISTENT
    assert _chart(values, direction="lower", target=20).assurance == spc.CONSISTENT_PASS
    assert _chart(values, direction="lower", target=5).assurance == spc.CONSISTENT_FAIL
    assert _chart(values, direction="neutral", target=5).assurance is None
    assert _chart(values, direction="higher").assurance is None
    rebased = _chart(values + [100, 102, 100, 102], rebase=[False] * 12 + [True, False, False, False],
                     direction="higher", target=20)
    assert rebased.assurance == spc.CONSISTENT_PASS  # the last group's limits, 94.68 .. 107.32


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        spc.chart(["a"], [1], direction="up")
    with pytest.raises(ValueError):
        spc.chart(["a", "b"], [1])
    with pytest.raises(ValueError):
        spc.chart(["a", "b"], [1, 2], fix_after=1)
    assert spc.chart([], []).points == ()


def test_two_of_three_comes_before_shift():
    base = [10, 12] * 6  # mean 11, close beyond 14.547, upper 16.32
    points = _chart(base + [15, 15.5, 12, 12, 12, 12, 12], fix_after=len(base)).points[-7:]
    assert [p.signal for p in points] == [spc.TWO_OF_THREE] * 2 + [spc.SHIFT] * 5
