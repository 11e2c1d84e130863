"""Validate observation and target files (CSV/XLSX) into typed rows, with located errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from lagesbild.calc import status as st
from lagesbild.calc.periods import Period
from lagesbild.ingest.errors import ProblemList
from lagesbild.ingest.numbers import parse_decimal, parse_int
from lagesbild.ingest.tabular import Table

OBS_COLUMNS = ("measure", "unit", "period", "sex", "age_band", "numerator", "denominator", "status")
OBS_REQUIRED = ("measure", "unit", "period", "numerator")
# Swedish headers a person may write instead.
ALIASES = {
    "matt": "measure", "mått": "measure", "enhet": "unit", "enhetskod": "unit", "period": "period",
    "kon": "sex", "kön": "sex", "aldersgrupp": "age_band", "åldersgrupp": "age_band", "taljare": "numerator",
    "täljare": "numerator", "namnare": "denominator", "nämnare": "denominator", "status": "status",
    "jamforelse": "comparator", "jämförelse": "comparator", "malvarde": "value", "målvärde": "value",
    "varningsband": "warning_band", "giltig_fran": "valid_from", "giltig från": "valid_from",
    "giltig_till": "valid_to", "giltig till": "valid_to",
}
SEXES = {"": "", "k": "K", "kvinna": "K", "kvinnor": "K", "f": "K", "m": "M", "man": "M", "män": "M",
         "alla": "", "totalt": ""}
STATUSES = {"": "final", "final": "final", "slutlig": "final", "preliminary": "preliminary",
            "preliminär": "preliminary", "prel": "preliminary"}


@dataclass(frozen=True)
class ObservationRow:
    row: int
    measure_code: str
    unit_code: str
    period: Period
    sex: str
    age_band: str
    numerator: int
    denominator: Optional[int]
    status: str

    @property
    def key(self) -> tuple:
        return (self.measure_code, self.unit_code, self.period.start, self.period.granularity, self.sex, self.age_band)


def columns(table: Table, known: tuple[str, ...], required: tuple[str, ...], problems: ProblemList) -> dict[str, int]:
    """Map canonical column names to indexes; report missing required columns at row 1."""
    index: dict[str, int] = {}
    for i, name in enumerate(table.header):
        key = name.strip().casefold()
        key = ALIASES.get(key, key)
        if key in known and key not in index:
            index[key] = i
    for col in required:
        if col not in index:
            problems.add(table.file, f"kolumnen {col!r} saknas (förväntade kolumner: {', '.join(known)})", row=1)
    return index


def parse_observations(table: Table, measures: dict, units: dict) -> list[ObservationRow]:
    """Typed, validated rows. ``measures``: code -> Measure; ``units``: code -> OrgUnit (lowercase keys)."""
    problems = ProblemList()
    idx = columns(table, OBS_COLUMNS, OBS_REQUIRED, problems)
    problems.raise_if_any()
    f = table.file
    out: list[ObservationRow] = []
    seen: dict[tuple, int] = {}
    split_kind: dict[tuple, set] = {}
    header = table.header

    def cell(values, col):
        i = idx.get(col)
        return values[i] if i is not None else ""

    for row_no, values in table.rows:
        here = dict(row=row_no)
        mcode, ucode, ptext = cell(values, "measure"), cell(values, "unit"), cell(values, "period")
        measure = measures.get(mcode.casefold())
        unit = units.get(ucode.casefold())
        ok = True
        if measure is None:
            problems.add(f, "okänt mått", column=header[idx["measure"]], value=mcode, **here)
            ok = False
        if unit is None:
            problems.add(f, "okänd enhet", column=header[idx["unit"]], value=ucode, **here)
            ok = False
        try:
            period = Period.parse(ptext)
        except ValueError as exc:
            problems.add(f, str(exc), column=header[idx["period"]], value=ptext, **here)
            ok = False
            period = None
        if unit is not None and period is not None:
            last_day = date.fromordinal(period.end.toordinal() - 1)
            if (unit.valid_from and last_day < unit.valid_from) or (unit.valid_to and period.start > unit.valid_to):
                problems.add(f, f"perioden ligger utanför enhetens giltighetstid ({unit.valid_from or '…'}–{unit.valid_to or '…'})",
                             column=header[idx["period"]], value=ptext, **here)
                ok = False
        sex_text = cell(values, "sex")
        sex = SEXES.get(sex_text.casefold())
        if sex is None:
            problems.add(f, "kön ska vara K, M eller tomt", column=header[idx["sex"]], value=sex_text, **here)
            ok = False
        status_text = cell(values, "status")
        status = STATUSES.get(status_text.casefold())
        if status is None:
            problems.add(f, "status ska vara slutlig eller preliminär", column=header[idx["status"]], value=status_text, **here)
            ok = False
        num = den = None
        num_text = cell(values, "numerator")
        try:
            num = parse_int(num_text)
            if num < 0:
                raise ValueError("negativt")
        except ValueError:
            problems.add(f, "täljaren ska vara ett heltal ≥ 0", column=header[idx["numerator"]], value=num_text, **here)
            ok = False
        den_text = cell(values, "denominator")
        if measure is not None and measure.has_denominator:
            try:
                den = parse_int(den_text)
                if den < 0:
                    raise ValueError("negativt")
            except ValueError:
                col = header[idx["denominator"]] if "denominator" in idx else "denominator"
                problems.add(f, "nämnaren ska vara ett heltal ≥ 0", column=col, value=den_text, **here)
                ok = False
            if num is not None and den is not None and measure.is_share and num > den:
                problems.add(f, f"täljaren ({num}) är större än nämnaren ({den}) för ett andelsmått",
                             column=header[idx["numerator"]], value=num_text, **here)
                ok = False
        elif measure is not None and den_text:
            problems.add(f, "måttet är ett antal och har ingen nämnare", column=header[idx["denominator"]], value=den_text, **here)
            ok = False
        if not ok:
            continue
        r = ObservationRow(row_no, measure.code, unit.code, period, sex, cell(values, "age_band"), num, den, status)
        if r.key in seen:
            problems.add(f, f"samma mått, enhet, period, kön och åldersgrupp finns redan på rad {seen[r.key]}",
                         column=header[idx["period"]], value=ptext, **here)
            continue
        seen[r.key] = row_no
        split_key = (r.measure_code, r.unit_code, r.period.start, r.period.granularity)
        split_kind.setdefault(split_key, set()).add(("sex" if r.sex else "") + ("age" if r.age_band else ""))
        if len(split_kind[split_key]) > 1:
            problems.add(f, "både totalrad och uppdelade rader (kön/åldersgrupp) för samma mått, enhet och period "
                         "skulle räknas dubbelt", column=header[idx["period"]], value=ptext, **here)
            continue
        out.append(r)
    if not table.rows:
        problems.add(f, "filen har rubrikrad men inga observationer", row=1)
    problems.raise_if_any()
    return out


TARGET_COLUMNS = ("measure", "unit", "comparator", "value", "warning_band", "valid_from", "valid_to")


@dataclass(frozen=True)
class TargetRow:
    row: int
    measure_code: str
    unit_code: str
    comparator: str
    value: Decimal
    warning_band: Optional[Decimal]
    valid_from: Optional[date]
    valid_to: Optional[date]


def _date(text: str) -> Optional[date]:
    return date.fromisoformat(text) if text else None


def parse_targets(table: Table, measures: dict, units: dict) -> list[TargetRow]:
    problems = ProblemList()
    idx = columns(table, TARGET_COLUMNS, ("measure", "unit", "comparator", "value"), problems)
    problems.raise_if_any()
    f, header, out = table.file, table.header, []
    for row_no, values in table.rows:
        def cell(col):
            i = idx.get(col)
            return values[i] if i is not None else ""

        here, ok = dict(row=row_no), True
        for col, lookup, msg in (("measure", measures, "okänt mått"), ("unit", units, "okänd enhet")):
            if lookup.get(cell(col).casefold()) is None:
                problems.add(f, msg, column=header[idx[col]], value=cell(col), **here)
                ok = False
        comp = cell("comparator").replace("≥", ">=").replace("≤", "<=")
        if comp not in st.COMPARATORS:
            problems.add(f, "jämförelsen ska vara >=, >, <= eller <", column=header[idx["comparator"]], value=cell("comparator"), **here)
            ok = False
        parsed = {}
        for col in ("value", "warning_band"):
            try:
                parsed[col] = parse_decimal(cell(col)) if cell(col) or col == "value" else None
            except ValueError:
                problems.add(f, "inte ett tal", column=header[idx[col]], value=cell(col), **here)
                ok = False
        for col in ("valid_from", "valid_to"):
            try:
                parsed[col] = _date(cell(col))
            except ValueError:
                problems.add(f, "datum ska skrivas ÅÅÅÅ-MM-DD", column=header[idx[col]], value=cell(col), **here)
                ok = False
        if ok and parsed["valid_from"] and parsed["valid_to"] and parsed["valid_to"] < parsed["valid_from"]:
            problems.add(f, "giltig till ligger före giltig från", column=header[idx["valid_to"]], value=cell("valid_to"), **here)
            ok = False
        if ok:
            out.append(TargetRow(row_no, measures[cell("measure").casefold()].code, units[cell("unit").casefold()].code,
                                 comp, parsed["value"], parsed["warning_band"], parsed["valid_from"], parsed["valid_to"]))
    problems.raise_if_any()
    return out
