"""Validate observation and target files (CSV/XLSX) into typed rows, with located errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple, Optional

from django.utils import timezone

from lagesbild.calc import status as st
from lagesbild.calc.periods import Period
from lagesbild.catalogue.selectors import valid_on
from lagesbild.ingest.errors import ProblemList
from lagesbild.ingest.numbers import MAX_MAGNITUDE, parse_decimal, parse_int
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


AGE_BAND_MAX = 20  # Observation.age_band


class ObservationRow(NamedTuple):
    row: int
    measure_id: int  # the version valid for the row's period
    unit_code: str
    period: Period
    sex: str
    age_band: str
    numerator: int
    denominator: Optional[int]
    status: str


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


def _int(text: str) -> int:
    """A count ≥ 0; plain digits take the fast path (a million rows are read per import), bounded
    like every other number (ingest.numbers: fewer than 16 digits, inside a 64-bit integer)."""
    value = int(text) if text.isdigit() and len(text) <= MAX_MAGNITUDE else parse_int(text)
    if value < 0:
        raise ValueError("negativt")
    return value


class _Memo(dict):
    """Answers repeat (a handful of measures, units and periods per file): compute each once."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        try:
            value = self.fn(key)
        except ValueError as exc:
            value = exc
        self[key] = value
        return value


def parse_observations(table: Table, versions: dict, units: dict) -> list[ObservationRow]:
    """Typed, validated rows. ``versions``: code -> the measure's versions; ``units``: code -> OrgUnit
    (lowercase keys). Each row is stored on the measure version valid at the start of its period.

    Every problem is collected (file, row, column, value) and raised together.
    """
    problems = ProblemList()
    idx = columns(table, OBS_COLUMNS, OBS_REQUIRED, problems)
    problems.raise_if_any()
    f, header = table.file, table.header
    col = {name: header[i] for name, i in idx.items()}
    i_m, i_u, i_p, i_n = idx["measure"], idx["unit"], idx["period"], idx["numerator"]
    i_sex, i_age, i_den, i_status = (idx.get(c) for c in ("sex", "age_band", "denominator", "status"))
    versions_of = _Memo(lambda t: versions.get(t.casefold()))
    unit_of = _Memo(lambda t: units.get(t.casefold()))
    period_of = _Memo(Period.parse)

    def outside(codes):  # keyed on the two texts: hashing them is cheaper than hashing a model and a Period
        unit, period = unit_of[codes[0]], period_of[codes[1]]
        last_day = date.fromordinal(period.end.toordinal() - 1)
        return (unit.valid_from and last_day < unit.valid_from) or (unit.valid_to and period.start > unit.valid_to)

    outside_of = _Memo(outside)
    # Per distinct text or measure, not per row: a million rows hold a handful of each.
    sex_of = _Memo(lambda t: SEXES.get(t.casefold()))
    status_of = _Memo(lambda t: STATUSES.get(t.casefold()))

    def version(codes):  # (the version valid for the period, has a denominator, is a share)
        m = valid_on(versions_of[codes[0]], period_of[codes[1]].start)
        return m, m.has_denominator, m.is_share

    version_of = _Memo(version)  # keyed on the measure's and the period's texts as written
    out: list[ObservationRow] = []
    seen: dict[tuple, int] = {}
    split_kind: dict[tuple, str] = {}
    for row_no, values in table.rows:
        mcode, ucode, ptext = values[i_m], values[i_u], values[i_p]
        unit, period = unit_of[ucode], period_of[ptext]
        bad = []
        if versions_of[mcode] is None:
            bad.append(("measure", "okänt mått", mcode))
        if unit is None:
            bad.append(("unit", "okänd enhet", ucode))
        if isinstance(period, ValueError):
            bad.append(("period", str(period), ptext))
            period = None
        measure, has_denominator, is_share = (version_of[(mcode, ptext)] if period is not None and versions_of[mcode]
                                              else (None, False, False))
        if unit is not None and period is not None and outside_of[(ucode, ptext)]:
            bad.append(("period", f"perioden ligger utanför enhetens giltighetstid "
                                  f"({unit.valid_from or '…'}–{unit.valid_to or '…'})", ptext))
        sex_text = values[i_sex] if i_sex is not None else ""
        sex = sex_of[sex_text]
        if sex is None:
            bad.append(("sex", "kön ska vara K, M eller tomt", sex_text))
        status_text = values[i_status] if i_status is not None else ""
        status = status_of[status_text]
        if status is None:
            bad.append(("status", "status ska vara slutlig eller preliminär", status_text))
        num = den = None
        num_text = values[i_n]
        try:
            num = _int(num_text)
        except ValueError:
            bad.append(("numerator", "täljaren ska vara ett heltal ≥ 0", num_text))
        den_text = values[i_den] if i_den is not None else ""
        if has_denominator:
            try:
                den = _int(den_text)
            except ValueError:
                bad.append(("denominator", "nämnaren ska vara ett heltal ≥ 0", den_text))
            if num is not None and den is not None and is_share and num > den:
                bad.append(("numerator", f"täljaren ({num}) är större än nämnaren ({den}) för ett andelsmått", num_text))
        elif measure is not None and den_text:
            bad.append(("denominator", "måttet är ett antal och har ingen nämnare", den_text))
        age = values[i_age] if i_age is not None else ""
        if len(age) > AGE_BAND_MAX:
            bad.append(("age_band", f"åldersgruppen får vara högst {AGE_BAND_MAX} tecken", age[:AGE_BAND_MAX] + "…"))
        if bad:
            for c, message, value in bad:
                problems.add(f, message, row=row_no, column=col.get(c, c), value=value)
            continue
        key = (measure.id, unit.code, period.start, period.granularity, sex, age)
        if key in seen:
            problems.add(f, f"samma mått, enhet, period, kön och åldersgrupp finns redan på rad {seen[key]}",
                         row=row_no, column=col["period"], value=ptext)
            continue
        seen[key] = row_no
        kind = ("sex" if sex else "") + ("age" if age else "") if sex or age else ""
        if split_kind.setdefault(key[:4], kind) != kind:
            problems.add(f, "både totalrad och uppdelade rader (kön/åldersgrupp) för samma mått, enhet och period "
                         "skulle räknas dubbelt", row=row_no, column=col["period"], value=ptext)
            continue
        out.append(ObservationRow(row_no, measure.id, unit.code, period, sex, age, num, den, status))
    if not table.rows:
        problems.add(f, "filen har rubrikrad men inga observationer", row=1)
    problems.raise_if_any()
    return out


TARGET_COLUMNS = ("measure", "unit", "comparator", "value", "warning_band", "valid_from", "valid_to")


@dataclass(frozen=True)
class TargetRow:
    row: int
    measure_id: int  # the version valid on valid_from (else the latest)
    unit_code: str
    comparator: str
    value: Decimal
    warning_band: Optional[Decimal]
    valid_from: Optional[date]
    valid_to: Optional[date]


def _date(text: str) -> Optional[date]:
    return date.fromisoformat(text) if text else None


def parse_targets(table: Table, versions: dict, units: dict) -> list[TargetRow]:
    problems = ProblemList()
    idx = columns(table, TARGET_COLUMNS, ("measure", "unit", "comparator", "value"), problems)
    problems.raise_if_any()
    f, header, out = table.file, table.header, []
    for row_no, values in table.rows:
        def cell(col):
            i = idx.get(col)
            return values[i] if i is not None else ""

        here, ok = dict(row=row_no), True
        for col, lookup, msg in (("measure", versions, "okänt mått"), ("unit", units, "okänd enhet")):
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
            measure = valid_on(versions[cell("measure").casefold()], parsed["valid_from"] or timezone.localdate())
            out.append(TargetRow(row_no, measure.id, units[cell("unit").casefold()].code,
                                 comp, parsed["value"], parsed["warning_band"], parsed["valid_from"], parsed["valid_to"]))
    problems.raise_if_any()
    return out
