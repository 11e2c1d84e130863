"""XmR control charts: the contract in DESIGN.md, "SPC charts" (NHS England's Making Data Count, as
NHSRplotthedots computes it). Choices where the contract is open are in docs/spc.md.

Per rebase group (a group starts at the first point and at every point marked ``rebase``):
the centre line is the mean of the group's baseline (all its points, or the first ``fix_after``);
the moving ranges of the baseline, with those at or above 3.267 × their mean dropped once when
outliers are screened, give MR̄; the limits are mean ± 2.66 × MR̄ and a point is "close" beyond
mean ± 2 × (2.66 / 3) × MR̄ but not outside the limits. Signals, in order of precedence: outside,
trend, two_of_three, shift; runs and windows never cross a rebase.

Numbers are floats, as in the reference implementation: a chart shows a process, not an audited
figure, and its limits are compared with values of the same kind.

Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

LIMIT = 2.66
CLOSE = 2 * (LIMIT / 3)  # written as NHSRplotthedots writes it, so the same float comes out
SCREEN = 3.267  # moving ranges at or above this many MR̄ are outliers
RUN = 7  # points in a trend or a shift

OUTSIDE, TREND, TWO_OF_THREE, SHIFT = "outside", "trend", "two_of_three", "shift"
HIGH, LOW = "high", "low"
HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"
COMMON, IMPROVEMENT, CONCERN = "common_cause", "improvement", "concern"
NEUTRAL_HIGH, NEUTRAL_LOW = "neutral_high", "neutral_low"
CONSISTENT_PASS, CONSISTENT_FAIL, INCONSISTENT = "consistent_pass", "consistent_fail", "inconsistent"


@dataclass(frozen=True)
class Point:
    period: str
    value: float
    mean: float
    lower: float | None  # None: the group has no moving range to set limits by
    upper: float | None
    signal: str | None
    side: str | None
    variation: str
    group: int  # 0 for the first rebase group, then 1, 2, …

    def as_json(self) -> dict:
        return {"period": self.period, "value": self.value, "mean": self.mean, "lower": self.lower,
                "upper": self.upper, "signal": self.signal, "side": self.side, "variation": self.variation}


@dataclass(frozen=True)
class Chart:
    points: tuple[Point, ...]
    assurance: str | None

    def as_json(self) -> dict:
        return {"points": [p.as_json() for p in self.points], "assurance": self.assurance}


@dataclass(frozen=True)
class Limits:
    mean: float
    lower: float | None
    upper: float | None
    close_lower: float | None
    close_upper: float | None


def limits(values: Sequence[float], fix_after: int | None = None, screen_outliers: bool = True) -> Limits:
    """The centre line and limits of one group from its baseline."""
    base = list(values[:fix_after] if fix_after else values)
    mean = sum(base) / len(base)
    ranges = [abs(b - a) for a, b in zip(base, base[1:])]
    if ranges and screen_outliers:
        average = sum(ranges) / len(ranges)
        ranges = [r for r in ranges if r < SCREEN * average]
    if not ranges:
        return Limits(mean, None, None, None, None)
    average = sum(ranges) / len(ranges)
    return Limits(mean, mean - LIMIT * average, mean + LIMIT * average, mean - CLOSE * average, mean + CLOSE * average)


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _run_ends(flags: list[int], run: int) -> list[int]:
    """Mark every point of a run: a point belongs to one if it or one of the next run - 1 points
    ends a run (a nonzero flag)."""
    return [any(flags[i:i + run]) for i in range(len(flags))]


def _group_signals(y: list[float], lim: Limits, run: int) -> list[tuple[str | None, str | None]]:
    n = len(y)
    side_of_mean = [_sign(v - lim.mean) for v in y]
    has_limits = lim.upper is not None
    outside = [has_limits and (v > lim.upper or v < lim.lower) for v in y]
    close = [has_limits and not outside[i] and (v < lim.close_lower or v > lim.close_upper) for i, v in enumerate(y)]

    steps = [_sign(b - a) for a, b in zip(y, y[1:])]  # steps[i]: from point i to point i + 1
    trend_end = [0] * n
    shift_end = [0] * n
    for i in range(run - 1, n):
        window = steps[i - run + 1:i]
        if all(s == 1 for s in window):
            trend_end[i] = 1
        elif all(s == -1 for s in window):
            trend_end[i] = -1
        sides = side_of_mean[i - run + 1:i + 1]
        if sides[0] != 0 and all(s == sides[0] for s in sides):
            shift_end[i] = 1
    in_trend = _run_ends(trend_end, run)
    in_shift = _run_ends(shift_end, run)
    in_two_of_three = [False] * n
    for start in range(n - 2):
        window = range(start, start + 3)
        if sum(close[i] for i in window) >= 2 and abs(sum(side_of_mean[i] for i in window)) == 3:
            for i in window:
                in_two_of_three[i] = in_two_of_three[i] or close[i]

    out = []
    for i in range(n):
        by_mean = HIGH if side_of_mean[i] > 0 else LOW
        if outside[i]:
            out.append((OUTSIDE, by_mean))
        elif in_trend[i]:
            # The step to the next point when that point is in a trend too, else the step from the previous one.
            step = steps[i] if i + 1 < n and in_trend[i + 1] else (steps[i - 1] if i > 0 else 0)
            out.append((TREND, HIGH if step == 1 else LOW))
        elif in_two_of_three[i]:
            out.append((TWO_OF_THREE, by_mean))
        elif in_shift[i]:
            out.append((SHIFT, by_mean))
        else:
            out.append((None, None))
    return out


def variation(signal: str | None, side: str | None, direction: str) -> str:
    if signal is None:
        return COMMON
    if direction == NEUTRAL:
        return NEUTRAL_HIGH if side == HIGH else NEUTRAL_LOW
    better = (side == HIGH) == (direction == HIGHER)
    return IMPROVEMENT if better else CONCERN


def assurance(last: Limits, target: float | None, direction: str) -> str | None:
    """Can the process be relied on to meet the target? From the last group's limits."""
    if target is None or direction == NEUTRAL:
        return None
    if last.upper is not None and target > last.upper:
        return CONSISTENT_FAIL if direction == HIGHER else CONSISTENT_PASS
    if last.lower is not None and target < last.lower:
        return CONSISTENT_PASS if direction == HIGHER else CONSISTENT_FAIL
    return INCONSISTENT


def chart(periods: Sequence[str], values: Sequence[float], rebase: Sequence[bool] | None = None, *,
          direction: str = NEUTRAL, target: float | None = None, fix_after: int | None = None,
          screen_outliers: bool = True, run: int = RUN) -> Chart:
    """The chart of a series in time order; ``rebase[i]`` starts a new group at point i."""
    if direction not in (HIGHER, LOWER, NEUTRAL):
        raise ValueError(f"direction must be {HIGHER}, {LOWER} or {NEUTRAL}")
    if len(periods) != len(values) or (rebase is not None and len(rebase) != len(values)):
        raise ValueError("periods, values and rebase must have the same length")
    if fix_after is not None and fix_after < 2:
        raise ValueError("fix_after must be at least 2 (limits need a moving range)")
    if run < 2:
        raise ValueError("a run needs at least 2 points")
    if not values:
        return Chart((), None)
    starts = [0] + [i for i in range(1, len(values)) if rebase and rebase[i]]
    points: list[Point] = []
    last = None
    for g, (start, end) in enumerate(zip(starts, starts[1:] + [len(values)])):
        y = [float(v) for v in values[start:end]]
        last = limits(y, fix_after, screen_outliers)
        for i, (signal, side) in enumerate(_group_signals(y, last, run)):
            points.append(Point(str(periods[start + i]), y[i], last.mean, last.lower, last.upper, signal, side,
                                variation(signal, side, direction), g))
    return Chart(tuple(points), assurance(last, target, direction))


@dataclass(frozen=True)
class Latest:
    """The last point of a chart: what ``chart(...).points[-1]`` and ``chart(...).assurance`` say."""

    signal: str | None
    side: str | None
    variation: str
    assurance: str | None


def latest(values: Sequence[float], rebase: Sequence[bool] | None = None, *, direction: str = NEUTRAL,
           target: float | None = None, fix_after: int | None = None, screen_outliers: bool = True,
           run: int = RUN) -> Latest | None:
    """The signal, variation and assurance of the last point only, as ``chart`` gives them, from the
    last rebase group alone: a dashboard row needs no more, and a few dozen rows of it cost a
    fraction of as many charts. Held to ``chart`` on random series by the tests."""
    if direction not in (HIGHER, LOWER, NEUTRAL):
        raise ValueError(f"direction must be {HIGHER}, {LOWER} or {NEUTRAL}")
    if fix_after is not None and fix_after < 2:
        raise ValueError("fix_after must be at least 2 (limits need a moving range)")
    if run < 2:
        raise ValueError("a run needs at least 2 points")
    if not values:
        return None
    start = max([0] + [i for i in range(1, len(values)) if rebase and rebase[i]])
    y = [float(v) for v in values[start:]]
    lim = limits(y, fix_after, screen_outliers)
    n, last = len(y), y[-1]
    side = _sign(last - lim.mean)
    by_mean = HIGH if side > 0 else LOW

    def close(v: float) -> bool:
        return not (v > lim.upper or v < lim.lower) and (v < lim.close_lower or v > lim.close_upper)

    signal = out_side = None
    has_limits = lim.upper is not None
    steps = [_sign(b - a) for a, b in zip(y[max(0, n - run):], y[max(0, n - run) + 1:])]  # the last run - 1 steps
    if has_limits and (last > lim.upper or last < lim.lower):
        signal, out_side = OUTSIDE, by_mean
    elif n >= run and (all(s == 1 for s in steps) or all(s == -1 for s in steps)):
        signal, out_side = TREND, HIGH if steps[-1] == 1 else LOW
    elif (has_limits and n >= 3 and close(last) and sum(close(v) for v in y[-3:]) >= 2
          and abs(sum(_sign(v - lim.mean) for v in y[-3:])) == 3):
        signal, out_side = TWO_OF_THREE, by_mean
    elif n >= run and side != 0 and all(_sign(v - lim.mean) == side for v in y[-run:]):
        signal, out_side = SHIFT, by_mean
    return Latest(signal, out_side, variation(signal, out_side, direction), assurance(lim, target, direction))
