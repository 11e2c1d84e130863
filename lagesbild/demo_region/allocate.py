"""Split an exact integer total over cells in proportion to weights, with optional caps.

The demo generator uses this to spread a published region total (say 7 584 of 14 871) over
wards and months so that the sums come out exactly, while the cells keep a realistic shape.
Arithmetic is exact (Fractions), and the only randomness is a caller-supplied uniform number,
so the result is the same on every platform.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor
from typing import Sequence


def allocate(
    total: int,
    weights: Sequence[float | int | Fraction],
    caps: Sequence[int] | None = None,
    offset: float = 0.5,
) -> list[int]:
    """Integers summing to ``total``, each within one of its proportional share.

    Shares are ``total × weight / Σweight``; a cell whose share would exceed its cap is fixed at
    the cap and the rest is shared again among the others (water-filling). Shares are rounded
    by systematic sampling with start ``offset`` in [0, 1): cell i gets
    floor(C_i + offset) − floor(C_{i−1} + offset) where C is the running sum of shares, so
    every cell gets the floor or the ceiling of its share and the total is exact.
    """
    if total < 0:
        raise ValueError("total cannot be negative")
    if not 0 <= offset < 1:
        raise ValueError("offset must lie in [0, 1)")
    w = [Fraction(x) for x in weights]
    if any(x < 0 for x in w):
        raise ValueError("weights cannot be negative")
    n = len(w)
    out = [0] * n
    free = [i for i in range(n) if w[i] > 0]
    remaining = total
    if caps is not None and sum(caps[i] for i in free) < total:
        raise ValueError(f"caps sum to less than the total {total}")
    while True:
        if not free:
            if remaining:
                raise ValueError(f"no cell can take the remaining {remaining}")
            return out
        wsum = sum(w[i] for i in free)
        share = {i: remaining * w[i] / wsum for i in free}
        over = [i for i in free if caps is not None and share[i] > caps[i]]
        if not over:
            break
        for i in over:
            out[i] = caps[i]
            remaining -= caps[i]
        free = [i for i in free if i not in set(over)]
    start = Fraction(offset)
    running = Fraction(0)
    before = floor(start)
    for i in free:
        running += share[i]
        after = floor(running + start)
        out[i] = after - before
        before = after
    return out
