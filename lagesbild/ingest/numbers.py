"""Numbers as Swedish Excel writes them: '1 234,5', '1\u00a0234', '12,0', '-3'."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_decimal(text: str) -> Decimal:
    """Parse a Swedish- or English-formatted number; raise ValueError with the text otherwise."""
    s = _SPACES.sub("", text.strip()).replace("\u2212", "-")
    if not s:
        raise ValueError("tomt värde")
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
    return d


def parse_int(text: str) -> int:
    d = parse_decimal(text)
    if d != d.to_integral_value():
        raise ValueError(f"inte ett heltal: {text!r}")
    return int(d)
