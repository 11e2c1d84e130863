"""Numbers as Swedish Excel writes them: '1 234,5', '1\u00a0234', '12,0', '-3'."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f']")
MAX_CHARS = 40            # longer than any count or rate a source writes
MAX_MAGNITUDE = 15        # |value| < 10^15: beyond every count, and within a 64-bit integer


def parse_decimal(text: str) -> Decimal:
    """Parse a Swedish- or English-formatted number; raise ValueError with the text otherwise."""
    s = _SPACES.sub("", text.strip()).replace("\u2212", "-")
    if not s:
        raise ValueError("tomt värde")
    if len(s) > MAX_CHARS:
        raise ValueError(f"talet har fler än {MAX_CHARS} tecken")
    if "," in s and "." in s:
        # 1.234,5 (Swedish thousands dot) or 1,234.5 (English)
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    else:
        s = s.replace(",", ".")
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"inte ett tal: {text!r}") from None
    if not d.is_finite():
        raise ValueError(f"inte ett tal: {text!r}")
    if d and d.adjusted() >= MAX_MAGNITUDE:
        raise ValueError(f"talet är orimligt stort (högst 15 siffror före decimaltecknet): {text[:MAX_CHARS]!r}")
    if d.as_tuple().exponent < -MAX_MAGNITUDE:  # type: ignore[operator]
        raise ValueError(f"talet har för många decimaler: {text[:MAX_CHARS]!r}")
    return d


def parse_int(text: str) -> int:
    d = parse_decimal(text)
    if d != d.to_integral_value():
        raise ValueError(f"inte ett heltal: {text!r}")
    return int(d)
