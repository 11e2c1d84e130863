"""The measure units: everything the application knows about each, in one place.

A measure's value is Σnumerator / Σdenominator × ``factor`` (a ``count`` has no denominator and
its value is Σnumerator). The model, the catalogue import, the pages, the charts and the Excel
formulas all read this registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# Excel's built-in formats: "#,##0" is shown with the reader's locale thousands separator.
EXCEL_WHOLE = "#,##0"


@dataclass(frozen=True)
class Unit:
    code: str
    label: str                  # the catalogue's choice label
    factor: Optional[int]       # multiplier of numerator / denominator; None: no denominator (a count)
    suffix: str                 # written after a value: "%", "per 1 000", "dagar"
    is_share: bool              # a share: the numerator can never exceed the denominator
    axis_title: str             # a chart's y axis
    decimals: int               # the default number of decimals
    factor_text: str = ""       # the factor as people read it: "1 000"

    @property
    def has_denominator(self) -> bool:
        return self.factor is not None

    def excel_format(self, decimals: int) -> str:
        """The Excel number format of a value with ``decimals`` decimals (locale separators)."""
        return EXCEL_WHOLE + ("." + "0" * decimals if decimals > 0 else "")


UNITS: dict[str, Unit] = {u.code: u for u in (
    Unit("percent", "Procent", 100, "%", True, "Andel (%)", 1, "100"),
    Unit("per_100", "Per 100", 100, "per 100", False, "Per 100", 1, "100"),
    Unit("per_1000", "Per 1 000", 1000, "per 1 000", False, "Per 1 000", 0, "1 000"),
    Unit("per_100000", "Per 100 000", 100000, "per 100 000", False, "Per 100 000", 0, "100 000"),
    Unit("count", "Antal", None, "st", False, "Antal", 0),
    Unit("index", "Index (medelvärde)", 1, "", False, "Index (medelvärde)", 0, "1"),
    Unit("days", "Dagar (medelvärde)", 1, "dagar", False, "Dagar (medelvärde)", 1, "1"),
)}
CHOICES = [(u.code, u.label) for u in UNITS.values()]
# Other ways people write a unit in a catalogue file (compared case-folded).
ALIASES = {"%": "percent", "andel": "percent", "procent": "percent", "per 100": "per_100", "per 1000": "per_1000",
           "per 1 000": "per_1000", "per 100000": "per_100000", "per 100 000": "per_100000", "antal": "count",
           "medelvärde": "index", "index": "index", "dagar": "days"}


def unit(code: str) -> Unit:
    """The unit with ``code``; KeyError for an unknown one."""
    return UNITS[code]


def parse(text: str) -> Optional[Unit]:
    """A unit from a code or a Swedish alias as a person writes it; None if unknown."""
    key = " ".join(text.strip().casefold().split())
    return UNITS.get(key) or UNITS.get(ALIASES.get(key, ""))


def excel_format(code: str, decimals: int) -> str:
    return UNITS[code].excel_format(decimals)


def excel_value_formula(code: str, numerator_cell: str, denominator_cell: str, decimals: int) -> Optional[str]:
    """The live formula of a value from its numerator and denominator cells, or None for a count."""
    u = UNITS[code]
    if not u.has_denominator:
        return None
    d = denominator_cell
    return f'=IF(OR({d}="",{d}=0),"",ROUND({numerator_cell}/{d}*{u.factor},{decimals}))'
