"""Recompute the demo region's totals from its files, the way an importer would read them.

Pure Python: the files are read with ``ingest.tabular.read_table`` (Windows-1252, ';') and
``ingest.numbers.parse_int`` ("1 234"), and a year's value is Σnumerator / Σdenominator over all
leaf rows of the year × the unit's multiplier, rounded half-up once (``calc.ratio.rate``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lagesbild.calc.periods import Period
from lagesbild.calc.ratio import Ratio, rate
from lagesbild.ingest.numbers import parse_int
from lagesbild.ingest.readers import read_table

from .measures import MEASURES


# The region's figures: its observations, and the patient-record measures of 2024–2025 as the
# plain observations a load without the records uses (the records give the same figures).
REGION_FILES = ("observationer.csv", "journalmatt.csv")


def sums(data_dir: Path | str, file: str | tuple[str, ...] = REGION_FILES) -> dict[tuple[str, int], Ratio]:
    """Σnumerator and Σdenominator per (measure, calendar year) over every row of ``file`` (or files)."""
    out: dict[tuple[str, int], Ratio] = {}
    for name in (file,) if isinstance(file, str) else file:
        _add(out, Path(data_dir) / name)
    return out


def _add(out: dict, path: Path) -> None:
    table = read_table(path.read_bytes(), path.name)
    col = table.column_index()
    for _row, values in table.rows:
        measure = values[col["measure"]]
        year = Period.parse(values[col["period"]]).start.year
        ratio = Ratio(parse_int(values[col["numerator"]]), parse_int(values[col["denominator"]]))
        key = (measure, year)
        out[key] = out[key] + ratio if key in out else ratio


def verify(data_dir: Path | str, file: str | tuple[str, ...] = REGION_FILES) -> dict[tuple[str, int], Decimal | None]:
    """The value per (measure, year), e.g. {("riskbedomning-70-24h", 2025): Decimal("51.0"), ...}."""
    out = {}
    for (measure, year), ratio in sums(data_dir, file).items():
        spec = MEASURES[measure]
        out[(measure, year)] = rate(ratio.numerator, ratio.denominator, spec.unit, spec.decimals)
    return out
