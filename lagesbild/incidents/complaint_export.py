"""A complaints export (to the care units, the patientnämnd, IVO, or Löf claims) read through its
source's mapping, the same way incident exports are read (export.py).

The mapping is YAML with ``kind: complaints``, ``source:`` a name, ``channel:`` the channel every
case of the export belongs to (``vardenhet``, ``patientnamnd``, ``ivo``, ``lof``) unless a
``channel`` column says it per row, and ``columns:`` the fields mapped to the export's headers:
``case``, ``received`` and ``unit`` required; ``category``, ``sex``, ``forwarded``,
``action_taken``, ``channel`` and ``description`` optional. Values are read leniently where real
exports vary (``Kvinna``/``K``, ``Ja``/``Nej``, channel names in words) and strictly otherwise.
A description is personal data: never echoed in a problem. No Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lagesbild.calc.complaint_stats import CHANNELS, Complaint
from lagesbild.ingest import yamltext
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.readers import read_bytes
from lagesbild.ingest.tabular import folded

from .export import _date, mapped_table, source_and_columns

KIND = "complaints"
REQUIRED = ("case", "received", "unit")
OPTIONAL = ("category", "sex", "forwarded", "action_taken", "channel", "description")
# Channel names as exports and people write them, folded (lower case, single spaces).
CHANNEL_NAMES = {
    **{key: key for key in CHANNELS}, **{folded(label): key for key, label in CHANNELS.items()},
    "vårdenhet": "vardenhet", "vårdenheten": "vardenhet", "verksamhet": "vardenhet", "verksamheten": "vardenhet",
    "vårdgivare": "vardenhet", "patientnämnd": "patientnamnd", "patientnämnden": "patientnamnd",
    "inspektionen för vård och omsorg": "ivo", "löf": "lof", "patientskadeanmälan": "lof",
    "patientförsäkringen löf": "lof",
}
SEXES = {"k": "K", "kvinna": "K", "kvinnor": "K", "f": "K", "m": "M", "man": "M", "män": "M",
         "": "", "okänt": "", "okänd": "", "ej angivet": "", "ej angiven": "", "uppgift saknas": "", "-": ""}
YES_NO = {"ja": True, "j": True, "1": True, "x": True, "nej": False, "n": False, "0": False, "": None}


@dataclass(frozen=True)
class ComplaintMapping:
    source: str
    channel: str | None  # the export's one channel; None when a column gives it per row
    columns: dict[str, str]


def is_complaints(text: str, file: str) -> bool:
    """Whether a mapping (YAML text) describes a complaints export rather than incidents."""
    doc = yamltext.load(text, file)
    return isinstance(doc, dict) and doc.get("kind") == KIND


def parse_mapping(text: str, file: str) -> ComplaintMapping:
    problems = ProblemList()
    doc = yamltext.load(text, file)
    if not isinstance(doc, dict):
        raise InputError.one(file, "mappningen ska ha nycklarna kind, source, channel och columns")
    channel = doc.get("channel")
    if channel is not None and (not isinstance(channel, str) or folded(channel) not in CHANNEL_NAMES):
        problems.add(file, f"okänd kanal; använd {', '.join(CHANNELS)}", path="channel",
                     value=str(channel))
    source, columns = source_and_columns(doc, file, problems, REQUIRED, OPTIONAL)
    if channel is None and "channel" not in columns:
        problems.add(file, "ange kanalen för hela exporten (channel:) eller en kolumn för den (columns/channel)",
                     path="channel")
    problems.raise_if_any()
    return ComplaintMapping(source, CHANNEL_NAMES[folded(channel)] if channel is not None else None, columns)


def read_rows(data: bytes, file: str, mapping: ComplaintMapping) -> list[tuple[int, Complaint, str]]:
    """The export's complaints with the row each stands on and its description."""
    table, columns = mapped_table(data, file, mapping.columns)
    problems = ProblemList()
    found, seen = [], {}

    def cell(values, field):
        return values[columns[field]] if field in columns else ""

    for row, values in table.rows:
        bad_row = False

        def bad(field, message, value=None):
            nonlocal bad_row
            problems.add(file, message, row=row, column=mapping.columns[field],
                         value=None if field == "description" else value)
            bad_row = True

        case = cell(values, "case")
        if not case:
            bad("case", "ärendenummer saknas")
        elif case in seen:
            bad("case", f"ärendenumret förekommer redan på rad {seen[case]}", case)
        else:
            seen[case] = row
        if not cell(values, "unit"):
            bad("unit", "enhet saknas")
        received = None
        text = cell(values, "received")
        if not text:
            bad("received", "inkomstdatum saknas")
        else:
            try:
                received = _date(text)
            except ValueError as exc:
                bad("received", f"datumet går inte att läsa: {exc}", text)
        channel = mapping.channel
        if "channel" in columns:
            written = cell(values, "channel")
            if folded(written) in CHANNEL_NAMES:
                channel = CHANNEL_NAMES[folded(written)]
            elif written or channel is None:
                bad("channel", f"okänd kanal; använd {', '.join(CHANNELS)}", written)
        sex = SEXES.get(folded(cell(values, "sex")))
        if sex is None:
            bad("sex", "kön ska vara Kvinna, Man eller tomt", cell(values, "sex"))
        flags = {}
        for field in ("forwarded", "action_taken"):
            flags[field] = YES_NO.get(folded(cell(values, field)), "?")
            if flags[field] == "?":
                bad(field, "ska vara Ja, Nej eller tomt", cell(values, field))
        if not bad_row:
            found.append((row, Complaint(case, received, cell(values, "unit"), channel, cell(values, "category"), sex,
                                         flags["forwarded"], flags["action_taken"]), cell(values, "description")))
    problems.raise_if_any()
    return found


def read_path(path, mapping: ComplaintMapping) -> list[Complaint]:
    return [c for _, c, _ in read_rows(read_bytes(path), Path(path).name, mapping)]
