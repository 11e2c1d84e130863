"""Exact integer allocation behind the demo data's totals."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagesbild.demo_region.allocate import allocate


def test_proportional_and_exact():
    assert allocate(10, [1, 1, 2]) in ([2, 3, 5], [3, 2, 5], [2, 2, 6], [3, 3, 4])
    assert sum(allocate(7584, [3.3, 1.1, 0.7, 5.9], offset=0.3)) == 7584
    assert allocate(0, [1, 2]) == [0, 0]


def test_caps_are_water_filled():
    assert allocate(10, [10, 1, 1], caps=[4, 10, 10]) == [4, 3, 3]
    with pytest.raises(ValueError):
        allocate(10, [1, 1], caps=[3, 3])


def test_zero_weight_gets_nothing():
    assert allocate(5, [0, 1, 0])[::2] == [0, 0]


@given(
    total=st.integers(0, 5000),
    weights=st.lists(st.floats(0.01, 100, allow_nan=False), min_size=1, max_size=30),
    offset=st.floats(0, 0.999),
)
def test_each_cell_gets_floor_or_ceiling_of_its_share(total, weights, offset):
    out = allocate(total, weights, offset=offset)
    assert sum(out) == total
    wsum = sum(Fraction(w) for w in weights)
    for w, n in zip(weights, out):
        share = total * Fraction(w) / wsum
        assert share - 1 < n < share + 1


@given(
    data=st.lists(st.tuples(st.floats(0.01, 10), st.integers(0, 50)), min_size=1, max_size=20),
    offset=st.floats(0, 0.999),
)
def test_caps_hold(data, offset):
    weights, caps = zip(*data)
    total = sum(caps) // 2
    out = allocate(total, weights, caps, offset)
    assert sum(out) == total
    assert all(0 <= n <= c for n, c in zip(out, caps))
