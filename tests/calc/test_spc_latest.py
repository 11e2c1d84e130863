"""calc.spc.latest – the last point's signal, variation and assurance from the last group alone,
for the dashboard – is held to calc.spc.chart on random series: small integer values (so ties,
points on the mean and flat runs are common), rebases, fixed baselines, both run lengths, with and
without outlier screening, every direction, targets inside and outside the limits."""

import random

import pytest

from lagesbild.calc import spc


def cases(n: int = 4000):
    rng = random.Random(20261202)
    for _ in range(n):
        length = rng.randint(1, 40)
        level = rng.choice([3, 10, 50])
        values = [rng.randint(0, level) + (rng.random() < 0.1) * rng.randint(-level, 3 * level) for _ in range(length)]
        if rng.random() < 0.3:  # a drift, for trends
            values = [v + i * rng.choice([-1, 1]) for i, v in enumerate(values)]
        rebase = [rng.random() < 0.08 for _ in range(length)] if rng.random() < 0.5 else None
        yield values, rebase, dict(direction=rng.choice(["higher", "lower", "neutral"]),
                                   target=rng.choice([None, rng.uniform(-level, 3 * level)]),
                                   fix_after=rng.choice([None, None, 2, 5, 12]), screen_outliers=rng.random() < 0.8,
                                   run=rng.choice([6, 7, 2, 3]))


def test_latest_agrees_with_the_full_chart_on_random_series():
    checked = signals = 0
    for values, rebase, kw in cases():
        full = spc.chart([str(i) for i in range(len(values))], values, rebase, **kw)
        got = spc.latest(values, rebase, **kw)
        last = full.points[-1]
        assert (got.signal, got.side, got.variation, got.assurance) == (last.signal, last.side, last.variation,
                                                                          full.assurance), (values, rebase, kw)
        checked += 1
        signals += last.signal is not None
    assert checked == 4000 and signals > 400  # the cases do fire rules


@pytest.mark.parametrize("values,fix_after,signal,side", [
    ([5] * 11 + [20], None, "outside", "high"),
    # mean 48/11, MR̄ 4.5: limits ≈ −7.6 … 16.3, so the climb 1 … 7 is inside them: a trend
    ([0, 10, 0, 10, 1, 2, 3, 4, 5, 6, 7], None, "trend", "high"),
    ([0, 10, 0, 10, 1, 2, 3, 3, 4, 5, 6], None, None, None),  # an equal value breaks the trend
    # baseline 4, 5 …: mean 4.5, MR̄ 1, upper limit 7.16, close beyond 6.27: 5, 6.5, 6.5 is two of three
    ([4, 5] * 7 + [6.5, 6.5], 14, "two_of_three", "high"),
])
def test_latest_on_hand_built_series(values, fix_after, signal, side):
    got = spc.latest(values, direction="higher", fix_after=fix_after)
    assert (got.signal, got.side) == (signal, side)
    assert spc.latest([]) is None
