"""Read a record export's three tables (episodes, assessments, actions) into plain records.

CSV or XLSX as the ingest readers take them; headers in English or Swedish, in any case, with
stray spaces. Every problem in all three files is collected and raised together as one
InputError, each located by file, row and column. The identity number is turned into age and sex
at the local admission date and then dropped; it never appears in a problem, not even as its
value (nor does any value that looks like one, in whatever column it was written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from lagesbild.calc import identity, localtime
from lagesbild.calc.patient_measures import KIND_LABELS, RISK_ANSWERS, Action, Assessment, Episode, fold, kind_code
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.readers import read_bytes, read_table
from lagesbild.ingest.tabular import Table

# Column names as a person writes them; matched after header_key() (case, accents, spaces, hyphens).
EPISODES = {
    "episode": ("episode", "episode id", "vårdtillfälle", "vårdtillfälle id", "vårdtillfällesid"),
    "personnummer": ("personnummer", "pnr", "personnr"),
    "unit": ("unit", "enhet", "avdelning", "vårdenhet", "avd"),
    "admitted_at": ("admitted_at", "admitted", "inskriven", "inskrivningstid", "inskrivning"),
    "discharged_at": ("discharged_at", "discharged", "utskriven", "utskrivningstid", "utskrivning"),
}
ASSESSMENTS = {
    "episode": EPISODES["episode"],
    "kind": ("kind", "typ", "bedömning", "riskbedömning", "bedömningstyp"),
    "performed_at": ("performed_at", "performed", "utförd", "bedömd", "bedömningstid"),
    "risk": ("risk", "risk funnen"),
}
MOVEMENTS = {
    "episode": ("episode", "episode id", "vårdtillfälle", "vårdtillfälle id", "vårdtillfällesid"),
    "unit": ("unit", "enhet", "avdelning", "vårdenhet", "avd", "till enhet"),
    "moved_at": ("moved_at", "moved", "flyttad", "flyttid", "förflyttad"),
}
BED = ("bed", "säng", "sal", "plats", "sängplats", "sal/säng", "rum")
ACTIONS = {
    "episode": EPISODES["episode"],
    "kind": ("kind", "typ", "åtgärd", "åtgärdstyp"),
    "started_at": ("started_at", "started", "påbörjad", "startad"),
}

# Any run that could be an identity number: such a value is never echoed in a problem.
_LOOKS_PERSONAL = re.compile(r"\d{6}[-+ ]?\d{4}", re.ASCII)
_KINDS_HINT = ", ".join(KIND_LABELS.values())


def shown(value: str | None) -> str | None:
    """The value to echo in a problem: None when it could contain an identity number."""
    if value is None or _LOOKS_PERSONAL.search(value):
        return None
    return value


def header_key(name: str) -> str:
    """'Inskrivningstid ' -> 'inskrivningstid', 'Admitted at' -> 'admitted_at', 'Vårdtillfälle' -> 'vardtillfalle'."""
    return re.sub(r"[^0-9a-z]+", "_", fold(name)).strip("_")


@dataclass
class PatientRecords:
    episodes: list[Episode]
    assessments: list[Assessment]
    actions: list[Action]
    # Filled for a database import: the keyed pseudonym of each episode's identity number (made
    # while the number was in hand, then the number was dropped), where each episode and kind
    # stands in its file, and the episodes marked as deleted (optional column "deleted").
    pseudonyms: dict[str, str] = field(default_factory=dict)
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    beds: dict[str, str] = field(default_factory=dict)  # episode -> room/bed, when the file has the column
    movements: list[tuple] = field(default_factory=list)  # (episode, unit, moved_at, bed, file, row)
    files: dict[str, str] = field(default_factory=dict)  # "episodes" etc. -> the file name given


class _Sheet:
    """One table with its columns found by alias; problems are located by row and the file's header."""

    def __init__(self, table: Table, columns: dict[str, int], problems: ProblemList):
        self.table, self.columns, self.problems = table, columns, problems
        self.midnight = table.encoding == "xlsx"  # Excel shows a cell at exactly 00:00 as a date

    def cell(self, values: list[str], name: str) -> str:
        return values[self.columns[name]]

    def problem(self, row: int, name: str, message: str, value: str | None = None) -> None:
        self.problems.add(self.table.file, message, row=row, column=self.table.header[self.columns[name]],
                          value=shown(value))

    def required(self, row: int, values: list[str], name: str, what: str) -> str | None:
        text = self.cell(values, name)
        if not text:
            self.problem(row, name, f"{what} saknas")
            return None
        return text

    def moment(self, row: int, values: list[str], name: str, blank_ok: bool = False) -> datetime | None:
        """The UTC moment in a time column; None (and a problem unless ``blank_ok``) if there is none."""
        text = self.cell(values, name)
        if not text:
            if not blank_ok:
                self.problem(row, name, "tidpunkt saknas")
            return None
        try:
            return localtime.parse(text, date_is_midnight=self.midnight)
        except localtime.TimeError as exc:
            self.problem(row, name, str(exc), text)
            return None

    def quick_moment(self, text: str) -> datetime | None:
        """The moment in a cell, or None for anything ``moment`` would complain about (or a blank)."""
        try:
            return localtime.parse(text, date_is_midnight=self.midnight) if text else None
        except localtime.TimeError:
            return None

    def kind(self, row: int, values: list[str]) -> str | None:
        text = self.required(row, values, "kind", "typ")
        code = kind_code(text) if text is not None else None
        if text is not None and code is None:
            self.problem(row, "kind", f"okänd typ; använd {_KINDS_HINT} (eller fall, trycksar, undernaring)", text)
        return code

    def episode(self, row: int, values: list[str], known: set[str] | None) -> str | None:
        text = self.required(row, values, "episode", "vårdtillfälle")
        if text is not None and known is not None and text not in known:
            self.problem(row, "episode", "vårdtillfället finns inte bland vårdtillfällena", text)
            return None
        return text


def _sheet(data: bytes, file: str, spec: dict[str, tuple[str, ...]], problems: ProblemList,
           optional: dict[str, tuple[str, ...]] | None = None) -> _Sheet | None:
    """The table with its required columns found, or None after recording why not."""
    try:
        table = read_table(data, file)
    except InputError as exc:
        for p in exc.problems:
            problems.add(p.file, p.message, row=p.row, column=p.column, value=shown(p.value), path=p.path)
        return None
    fields = {header_key(alias): name for name, aliases in {**spec, **(optional or {})}.items() for alias in aliases}
    columns: dict[str, int] = {}
    for i, header in enumerate(table.header):
        name = fields.get(header_key(header))
        if name is None:
            continue
        if name in columns:
            problems.add(file, f"två kolumner anger {name}: {table.header[columns[name]]!r} och {header!r}",
                         row=table.header_row, column=header)
        columns.setdefault(name, i)
    for name, aliases in spec.items():
        if name not in columns:
            others = ", ".join(repr(a) for a in aliases[1:])
            problems.add(file, f"kolumnen {name!r} saknas (den får också heta {others})", row=table.header_row,
                         column=name)
    if not set(spec) <= set(columns):
        return None
    return _Sheet(table, columns, problems)


DELETED = ("deleted", "borttagen", "raderad", "makulerad")


def _age_and_sex(sheet: _Sheet, row: int, values: list[str], admitted: datetime | None,
                 key=None) -> tuple[int, str, str | None] | None:
    """Age and sex at the local admission date, and with ``key`` (a keys.PseudonymKey) the pseudonym;
    the number itself goes no further than this function."""
    text = sheet.required(row, values, "personnummer", "personnummer")
    if text is None:
        return None
    try:
        if admitted is None:  # the admission is unreadable: check what needs no date
            identity.check_form(text)
            return None
        day = localtime.local_date(admitted)
        person = identity.parse(text, day)
    except identity.IdentityError as exc:
        sheet.problem(row, "personnummer", f"ogiltigt personnummer eller samordningsnummer: {exc}")
        return None
    made = identity.pseudonym(key.key_id, key.secret, person.normalised) if key is not None else None
    return identity.age_on(person.birth, day), person.sex, made


def _deleted(sheet: _Sheet, row: int, values: list[str]) -> bool:
    if "deleted" not in sheet.columns:
        return False
    text = sheet.cell(values, "deleted")
    if fold(text) in ("", "nej"):
        return False
    if fold(text) != "ja":
        sheet.problem(row, "deleted", "borttagen ska vara Ja eller Nej (tomt betyder Nej)", text)
    return True


def _episodes(sheet: _Sheet, out: PatientRecords | None = None, key=None) -> tuple[list[Episode], set[str]]:
    episodes: list[Episode] = []
    first_row: dict[str, int] = {}
    for row, values in sheet.table.rows:
        if out is not None and _deleted(sheet, row, values):
            eid = sheet.required(row, values, "episode", "vårdtillfälle")
            if eid is not None:
                first_row.setdefault(eid, row)
                out.deleted.append(eid)
            continue
        eid = sheet.required(row, values, "episode", "vårdtillfälle")
        if eid is not None and eid in first_row:
            sheet.problem(row, "episode", f"vårdtillfället förekommer redan på rad {first_row[eid]}", eid)
            eid = None
        elif eid is not None:
            first_row[eid] = row
        unit = sheet.required(row, values, "unit", "enhet")
        admitted = sheet.moment(row, values, "admitted_at")
        discharged, discharge_ok = _discharge(sheet, row, values, admitted)
        person = _age_and_sex(sheet, row, values, admitted, key)
        if None not in (eid, unit, admitted, person) and discharge_ok:
            age, sex, made = person
            episodes.append(Episode(eid, unit, admitted, discharged, age, sex))
            if out is not None:
                out.rows[eid] = (sheet.table.file, row)
                if "bed" in sheet.columns:
                    out.beds[eid] = sheet.cell(values, "bed")[:20]
                if made is not None:
                    out.pseudonyms[eid] = made
    return episodes, set(first_row)


def _discharge(sheet: _Sheet, row: int, values: list[str], admitted: datetime | None) -> tuple[datetime | None, bool]:
    """The discharge (None: still admitted) and whether the cell is usable."""
    text = sheet.cell(values, "discharged_at")
    discharged = sheet.moment(row, values, "discharged_at", blank_ok=True)
    if text and discharged is None:
        return None, False
    if admitted is not None and discharged is not None and discharged < admitted:
        sheet.problem(row, "discharged_at", "utskrivningen ligger före inskrivningen", text)
        return None, False
    return discharged, True


def _assessments(sheet: _Sheet, known: set[str] | None) -> list[Assessment]:
    found: list[Assessment] = []
    at = sheet.columns
    c_ep, c_kind, c_time, c_risk = at["episode"], at["kind"], at["performed_at"], at["risk"]
    for row, values in sheet.table.rows:
        # The common case in one go; a row with anything wrong goes through the checks below.
        eid, kind, risk = values[c_ep], kind_code(values[c_kind]), RISK_ANSWERS.get(fold(values[c_risk]))
        performed = sheet.quick_moment(values[c_time])
        if eid and (known is None or eid in known) and kind and performed and risk is not None:
            found.append(Assessment(eid, kind, performed, risk))
            continue
        eid, kind = sheet.episode(row, values, known), sheet.kind(row, values)
        performed = sheet.moment(row, values, "performed_at")
        risk = sheet.required(row, values, "risk", "risk")
        if risk is not None and fold(risk) not in RISK_ANSWERS:
            sheet.problem(row, "risk", "risk ska vara Ja eller Nej", risk)
            risk = None
        if None not in (eid, kind, performed, risk):
            found.append(Assessment(eid, kind, performed, fold(risk) == "ja"))
    return found


def _actions(sheet: _Sheet, known: set[str] | None) -> list[Action]:
    found: list[Action] = []
    c_ep, c_kind, c_time = sheet.columns["episode"], sheet.columns["kind"], sheet.columns["started_at"]
    for row, values in sheet.table.rows:
        eid, kind, started = values[c_ep], kind_code(values[c_kind]), sheet.quick_moment(values[c_time])
        if eid and (known is None or eid in known) and kind and started:
            found.append(Action(eid, kind, started))
            continue
        eid, kind = sheet.episode(row, values, known), sheet.kind(row, values)
        started = sheet.moment(row, values, "started_at")
        if None not in (eid, kind, started):
            found.append(Action(eid, kind, started))
    return found


def _read(sources: dict[str, tuple[bytes, str] | None], problems: ProblemList) -> PatientRecords:
    def sheet(name: str, spec) -> _Sheet | None:
        return _sheet(*sources[name], spec, problems) if sources[name] else None

    episodes_sheet = sheet("episodes", EPISODES)
    episodes, known = _episodes(episodes_sheet) if episodes_sheet else ([], None)
    assessments_sheet, actions_sheet = sheet("assessments", ASSESSMENTS), sheet("actions", ACTIONS)
    assessments = _assessments(assessments_sheet, known) if assessments_sheet else []
    actions = _actions(actions_sheet, known) if actions_sheet else []
    return PatientRecords(episodes, assessments, actions)


def load_for_import(sources: dict[str, tuple[bytes, str] | None], key,
                    stored: Callable[[set[str]], set[str]] = lambda ids: set()) -> PatientRecords:
    """A database import's records: any of the three files (None: not in this import), an optional
    column "deleted" (Ja: remove the episode), and each episode's pseudonym made with ``key``.
    An assessment or action must name an episode in the file or one that ``stored`` says exists
    (it is asked once, with the ids not in the file). InputError with every problem found."""
    problems = ProblemList()
    out = PatientRecords([], [], [], files={name: src[1] for name, src in sources.items() if src})
    sheets = {}
    for name, spec, optional in (("episodes", EPISODES, {"deleted": DELETED, "bed": BED}),
                                 ("assessments", ASSESSMENTS, None), ("actions", ACTIONS, None),
                                 ("movements", MOVEMENTS, {"bed": BED})):
        if sources.get(name):
            sheets[name] = _sheet(*sources[name], spec, problems, optional=optional)
    in_file: set[str] = set()
    if sheets.get("episodes") is not None:
        out.episodes, in_file = _episodes(sheets["episodes"], out, key)
        in_file -= set(out.deleted)
    children = [sheets.get(n) for n in ("assessments", "actions", "movements") if sheets.get(n) is not None]
    named = {sheet.cell(values, "episode") for sheet in children for _, values in sheet.table.rows} - {""}
    known = in_file | stored(named - in_file - set(out.deleted))
    if sheets.get("assessments") is not None:
        out.assessments = _assessments(sheets["assessments"], known)
    if sheets.get("actions") is not None:
        out.actions = _actions(sheets["actions"], known)
    if sheets.get("movements") is not None:
        out.movements = _movements(sheets["movements"], known)
    problems.raise_if_any()
    return out


def _movements(sheet: _Sheet, known: set[str]) -> list[tuple]:
    found = []
    for row, values in sheet.table.rows:
        eid = sheet.episode(row, values, known)
        unit = sheet.required(row, values, "unit", "enhet")
        moved = sheet.moment(row, values, "moved_at")
        if None not in (eid, unit, moved):
            bed = sheet.cell(values, "bed")[:20] if "bed" in sheet.columns else ""
            found.append((eid, unit, moved, bed, sheet.table.file, row))
    return found


def load(episodes: tuple[bytes, str], assessments: tuple[bytes, str], actions: tuple[bytes, str]) -> PatientRecords:
    """The records from three (bytes, file name) pairs; InputError with every problem found."""
    problems = ProblemList()
    records = _read({"episodes": episodes, "assessments": assessments, "actions": actions}, problems)
    problems.raise_if_any()
    return records


def _source(path, problems: ProblemList) -> tuple[bytes, str] | None:
    try:
        return read_bytes(path), Path(path).name
    except InputError as exc:
        problems.items.extend(exc.problems)
        return None


def load_paths(episodes, assessments, actions) -> PatientRecords:
    """The records from three files; InputError with every problem found, unreadable files included."""
    problems = ProblemList()
    sources = {"episodes": _source(episodes, problems), "assessments": _source(assessments, problems),
               "actions": _source(actions, problems)}
    records = _read(sources, problems)
    problems.raise_if_any()
    return records
