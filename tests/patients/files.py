"""A small record export for the patient tests: written to real files as CSV or XLSX."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.idnumbers import number

EPISODE_HEADER = ["episode", "personnummer", "unit", "admitted_at", "discharged_at"]
ASSESSMENT_HEADER = ["episode", "kind", "performed_at", "risk"]
ACTION_HEADER = ["episode", "kind", "started_at"]

# A woman of 75 admitted twice (E1, E7), a man of 80 (E2), a woman of 69 (E3), a man turning 70 on
# the admission day but discharged within 24 h (E4), a woman admitted late on 31 January (E5), and
# one whose first 24 h end after as_of (E6).
WOMAN_75 = number(date(1950, 1, 1), "242")
MAN_80 = number(date(1944, 6, 30), "131", "10-")
WOMAN_69 = number(date(1955, 6, 1), "020")
MAN_70 = number(date(1955, 2, 5), "357")
WOMAN_100 = number(date(1924, 12, 24), "008", "10+")
WOMAN_COORD = number(date(1940, 5, 17), "224", "12", coordination=True)
AS_OF = "2025-03-01 00:00"

EPISODES = [
    ["E1", WOMAN_75, "AVD1", "2025-01-10 08:00", "2025-01-15 10:00"],
    ["E2", MAN_80, "AVD1", "2025-01-20 12:00", ""],
    ["E3", WOMAN_69, "AVD1", "2025-01-20 12:00", ""],
    ["E4", MAN_70, "AVD2", "2025-02-05 07:00", "2025-02-05 20:00"],
    ["E5", WOMAN_100, "AVD2", "2025-01-31T23:30", ""],
    ["E6", WOMAN_COORD, "AVD1", "2025-02-28 12:00", ""],
    ["E7", WOMAN_75, "AVD1", "2025-02-10 08:00", "2025-02-12 08:00"],
]
ASSESSMENTS = [
    ["E1", "Fallrisk", "2025-01-10 09:00", "Ja"],
    ["E1", "Trycksår", "2025-01-10 10:00", "Nej"],
    ["E1", "Undernäring", "2025-01-11 08:00", "Nej"],  # exactly 24 h
    ["E2", "fall", "2025-01-20 13:00", "Nej"],
    ["E2", "trycksar", "2025-01-21 12:01", "Ja"],  # 24 h + 1 min: late
    ["E3", "fall", "2025-01-20 13:00", "Ja"],
    ["E4", "fall", "2025-02-05 08:00", "Ja"],
    ["E5", "FALL", "2025-01-31T23:45", "nej"],
    ["E5", "TRYCKSÅR", "2025-02-01 00:15", "NEJ"],
    ["E5", "undernaring", "2025-02-01 00:30", "ja"],
    ["E6", "fall", "2025-02-28 13:00", "Ja"],
]
ACTIONS = [
    ["E1", "fall", "2025-01-10 20:00"],
    ["E2", "Trycksår", "2025-01-23 08:00"],  # after t0 + 24 h
    ["E5", "Undernäring", "2025-02-01 03:30"],
]
EXPECTED = [
    ("riskbedomning-70-24h", "AVD1", "2025-01", 1, 2, {"K": [1, 1], "M": [0, 1]}),
    ("riskbedomning-70-24h", "AVD1", "2025-02", 0, 1, {"K": [0, 1], "M": [0, 0]}),
    ("riskbedomning-70-24h", "AVD2", "2025-01", 1, 1, {"K": [1, 1], "M": [0, 0]}),
    ("atgard-24h-fallrisk", "AVD1", "2025-01", 1, 1, {"K": [1, 1], "M": [0, 0]}),
    ("atgard-24h-trycksar", "AVD1", "2025-01", 0, 1, {"K": [0, 0], "M": [0, 1]}),
    ("atgard-24h-undernaring", "AVD2", "2025-01", 1, 1, {"K": [1, 1], "M": [0, 0]}),
]
IDENTITY_NUMBERS = [WOMAN_75, MAN_80, WOMAN_69, MAN_70, WOMAN_100, WOMAN_COORD]


def expected_json() -> list[dict]:
    keys = ("measure", "unit", "period", "numerator", "denominator", "by_sex")
    return [dict(zip(keys, row)) for row in EXPECTED]


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ";",
              encoding: str = "utf-8", bom: bool = False) -> Path:
    text = "\r\n".join(delimiter.join(cells) for cells in [header, *rows]) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_scenario(folder: Path, episodes=None, assessments=None, actions=None) -> dict[str, Path]:
    """The three CSV files (semicolon, UTF-8) in ``folder``; rows may be replaced."""
    return {
        "episodes": write_csv(folder / "episodes.csv", EPISODE_HEADER, EPISODES if episodes is None else episodes),
        "assessments": write_csv(folder / "assessments.csv", ASSESSMENT_HEADER,
                                 ASSESSMENTS if assessments is None else assessments),
        "actions": write_csv(folder / "actions.csv", ACTION_HEADER, ACTIONS if actions is None else actions),
    }
