"""Swedish number formatting: decimal comma, narrow no-break space as thousands separator."""

from __future__ import annotations

from decimal import Decimal

from .ratio import round_half_up

# Swedish typography groups thousands with a (no-break) space; a no-break space keeps
# "7 584" on one line in pages and documents.
THOUSANDS = "\u00a0"
DASH = "\u2013"


def number(value: int | Decimal | None, decimals: int = 0) -> str:
    """7584 -> '7 584'; Decimal('81.25'), 1 -> '81,3'. None -> '–'."""
    if value is None:
        return DASH
    d = round_half_up(Decimal(value), decimals)
    sign = "-" if d < 0 else ""
    text = f"{abs(d):.{decimals}f}"
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = THOUSANDS.join(groups)
    if frac:
        out += "," + frac
    return ("\u2212" if sign else "") + out


def percent(value: Decimal | None, decimals: int = 1) -> str:
    """Decimal('81.3') -> '81,3 %'. None -> '–'."""
    if value is None:
        return DASH
    return f"{number(value, decimals)}{THOUSANDS}%"


def points(diff: Decimal | None, decimals: int = 1) -> str:
    """A change in percentage points: '+3,2 procentenheter', '−1,0 procentenheter'."""
    if diff is None:
        return DASH
    d = round_half_up(diff, decimals)
    sign = "+" if d > 0 else ("±" if d == 0 else "")
    unit = "procentenhet" if abs(d) == 1 else "procentenheter"
    return f"{sign}{number(d, decimals)} {unit}"


def percent_plain(value: Decimal | None, decimals: int = 1) -> str:
    """Without the sign, for sentences: '81,3 procent'."""
    if value is None:
        return DASH
    return f"{number(value, decimals)} procent"
