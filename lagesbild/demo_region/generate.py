"""Deterministic demo data for a fictional region modelled on Region Kalmar län (code "08").

Run ``python -m lagesbild.demo_region.generate`` to (re)write ``lagesbild/demo_region/data/``:

- ``enheter.csv``       förvaltningar, verksamheter and enheter under the region "08"
- ``observationer.csv`` leaf observations 2023-01 .. 2025-12, on enheter (HSE answers of an enhet
                        with fewer than five respondents are pooled on its verksamhet)
- ``journalmatt.csv``   the four patient-record measures of 2024–2025 (riskbedömning and åtgärder
                        inom 24 timmar) as observations; ``load`` computes them from synthetic patient
                        records instead (``patients``) unless told not to, with the same figures
- ``riket.csv``         a national reference series (unit "SE")
- ``mal.csv``           targets at the region, with overrides at a förvaltning
- ``analyser.yaml``     analyses, actions and follow-ups for the measures off target in 2025

The CSV files are written the way Swedish Excel saves them: Windows-1252, ';', CRLF, and some
counts with a space as thousands separator. The region totals (Σnumerator / Σdenominator over
all leaf rows of a year) reproduce the figures of the region's patientsäkerhetsberättelse 2025
exactly; ``verify.verify`` recomputes them from the files.

Pure Python and deterministic (see ``core``): every platform writes the same bytes. The series
themselves are built in ``series``; this module writes the files.
"""

from __future__ import annotations

import csv
import io
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from lagesbild.calc.ratio import rate

from . import patients, texts
from .core import REGION, VALID_FROM, Row, organisation, year_of
from .measures import MEASURES
from .series import national, observations

DATA_DIR = Path(__file__).resolve().parent / "data"
OBSERVATION_HEADER = ["measure", "unit", "period", "sex", "age_band", "numerator", "denominator", "status"]
UNIT_HEADER = ["code", "name", "kind", "parent_code", "valid_from", "valid_to"]
TARGET_HEADER = ["measure", "unit", "comparator", "value", "warning_band", "valid_from", "valid_to"]


# ---------------------------------------------------------------------------------------------
# Targets

TARGETS = [
    # measure, unit, comparator, value, warning band, valid from, valid to
    ("riskbedomning-70-24h", "08", ">=", "90", "10", "2023-01-01", ""),
    ("atgard-24h-fallrisk", "08", ">=", "90", "5", "2023-01-01", ""),
    ("atgard-24h-trycksar", "08", ">=", "90", "5", "2023-01-01", ""),
    ("atgard-24h-undernaring", "08", ">=", "90", "5", "2023-01-01", ""),
    ("trycksar-sjukhusforvarvade", "08", "<", "2", "0,5", "2023-01-01", ""),
    ("basala-hygienrutiner", "08", ">=", "100", "5", "2023-01-01", ""),
    ("basala-hygienrutiner", "08-PSY", ">=", "100", "8", "2025-01-01", ""),
    ("vri", "08", "<", "7", "1,5", "2023-01-01", ""),
    ("antibiotika-recept-1000", "08", "<=", "260", "15", "2023-01-01", "2024-12-31"),
    ("antibiotika-recept-1000", "08", "<=", "250", "15", "2025-01-01", ""),
    ("utskrivningsklara-vardagar", "08", "<", "3", "1", "2023-01-01", ""),
    ("hse-index", "08", ">", "80", "4", "2023-01-01", ""),
    ("avvikelser-28-dagar", "08", ">=", "80", "5", "2023-01-01", ""),
    ("avvikelser-28-dagar", "08-PSY", ">=", "75", "5", "2024-01-01", ""),
]


# ---------------------------------------------------------------------------------------------
# Writing


def _swedish(n: int, key: str) -> str:
    """Some counts of 1 000 or more get a space as thousands separator, as Excel shows them."""
    if n >= 1000 and zlib.crc32(key.encode()) % 2 == 0:
        return f"{n:,}".replace(",", " ")
    return str(n)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("cp1252")


def _observation_lines(rows: list[Row]) -> list[list[str]]:
    out = []
    for r in rows:
        key = f"{r.measure}|{r.unit}|{r.period}|{r.sex}"
        out.append([r.measure, r.unit, r.period, r.sex, r.age_band, _swedish(r.numerator, key + "n"),
                    _swedish(r.denominator, key + "d"), r.status])
    return out


def _region_value(rows: list[Row], measure: str, year: int) -> Decimal | None:
    spec = MEASURES[measure]
    picked = [r for r in rows if r.measure == measure and year_of(r.period) == year]
    if not picked:
        return None
    return rate(sum(r.numerator for r in picked), sum(r.denominator for r in picked), spec.unit, spec.decimals)


class _Quoted(str):
    """A string YAML must quote (the unit code "08" is an integer to YAML 1.2 readers)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="'"))


def _analyses(rows: list[Row]) -> dict:
    out = []
    for a in texts.ANALYSES:
        now = _region_value(rows, a["measure"], 2025)
        previous = next(
            ({"period": _Quoted(y), "value": _Quoted(v)} for y in ("2024", "2023")
             if (v := _region_value(rows, a["measure"], int(y))) is not None),
            None,
        )
        actions = []
        for act in a["actions"]:
            follow_ups = [{"date": date.fromisoformat(f["date"]), "effect": f["effect"], "text": f["text"]}
                          for f in act["follow_ups"]]
            actions.append({"title": act["title"], "description": act["description"],
                            "owner_role": act["owner_role"], "due": date.fromisoformat(act["due"]),
                            "status": act["status"], "follow_ups": follow_ups})
        out.append({
            "measure": a["measure"], "unit": _Quoted(REGION), "period": _Quoted("2025"), "title": a["title"],
            "value": _Quoted(now) if now is not None else None, "previous": previous,
            "author_role": a["author_role"], "date": date.fromisoformat(a["date"]), "analysis": a["analysis"],
            "actions": actions, "follow_up_plan": a["follow_up_plan"],
        })
    return {"region": _Quoted(REGION), "period": _Quoted("2025"), "analyses": out}


YAML_HEADER = (
    "# Analyser, åtgärder och uppföljningar för Region Kalmar läns mått som inte nådde målet 2025.\n"
    "# Genererad av lagesbild/demo_region/generate.py; ändra texterna i texts.py, inte här.\n"
    "# status: planned | in_progress | done; effect: yes | partly | no | not_yet\n"
)


def from_records(row: Row) -> bool:
    """Whether the row's figure is computed from the demo's patient records at load."""
    return row.measure in patients.MEASURES and year_of(row.period) in patients.YEARS


def files() -> dict[str, bytes]:
    """The demo files' names and bytes."""
    units = organisation()
    obs = observations(units)
    unit_lines = [[u.code, u.name, u.kind, u.parent, VALID_FROM, ""] for u in units]
    analyses = yaml.dump(_analyses(obs), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    return {
        "enheter.csv": _csv(UNIT_HEADER, unit_lines),
        # the four patient-record measures of 2024–2025 come from the records (patients.py) instead
        "observationer.csv": _csv(OBSERVATION_HEADER, _observation_lines([r for r in obs if not from_records(r)])),
        # the same figures as plain observations, for a load without the records (the tests' fast path)
        "journalmatt.csv": _csv(OBSERVATION_HEADER, _observation_lines([r for r in obs if from_records(r)])),
        "riket.csv": _csv(OBSERVATION_HEADER, _observation_lines(national())),
        "mal.csv": _csv(TARGET_HEADER, [list(t) for t in TARGETS]),
        "analyser.yaml": (YAML_HEADER + analyses).encode("utf-8"),
    }


def generate(out_dir: Path | str = DATA_DIR) -> dict[str, Path]:
    """Write the demo files into ``out_dir``; return their paths by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, data in files().items():
        path = out / name
        path.write_bytes(data)
        paths[name] = path
    return paths


def main() -> None:
    from .verify import REGION_FILES, verify

    paths = generate(DATA_DIR)
    for name, path in paths.items():
        print(f"{name:<20} {path.stat().st_size:>10,} bytes".replace(",", " "))
    for label, file in (("Region 08", REGION_FILES), ("Riket", "riket.csv")):
        print(f"\n{label} ({file}):")
        for (measure, year), value in sorted(verify(DATA_DIR, file).items()):
            print(f"  {measure:<28} {year}  {value}")


if __name__ == "__main__":
    main()
