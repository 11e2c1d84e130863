"""The demo region's incidents and complaints for 2024–2025, as the exports the incident system,
the patientnämnd, IVO and Löf would deliver, reproducing the patientsäkerhetsberättelse 2025:

- 11 411 incidents in 2025 and 11 450 in 2024 (−0,34 %): the incidents of each unit and month are
  exactly the denominators of the demo's `avvikelser-28-dagar` observations, and as many of them as
  the numerator are closed within 28 days, so the import derives the very same observations;
- types Administrativa rutiner, Vårdprocess – diagnostik, Vårdprocess – behandling first; causes
  Orsak ej klarlagd/utredd 42,0 %, then Procedurer, rutiner, riktlinjer, then Kommunikation,
  information; lex Maria 42 (2024: 44);
- complaints to the units 409, to IVO 42, to the patientnämnd 1 006 (+5 % on 958; 56 % women, 43 %
  men; vuxenpsykiatrin +18 %; 70 % forwarded, action taken in 40 % of those), Löf claims 462.

Descriptions come from demo_region.incident_texts, whose few recurring patterns the text
clustering should find. Everything is seeded: the same bytes every run. Pure Python: no Django.
"""

from __future__ import annotations

import csv
import io
from calendar import monthrange
from datetime import date, timedelta
from pathlib import Path

from . import incident_texts, texts
from .allocate import allocate
from .core import REGION, enheter_of, organisation, seeded_rng

YEARS = (2024, 2025)
HANDLING_MEASURE = "avvikelser-28-dagar"

# Exact counts per year, most frequent first (the report names the first three of each).
TYPES = {
    2025: {"Administrativa rutiner": 1742, "Vårdprocess – diagnostik": 1505, "Vårdprocess – behandling": 1398,
           "Läkemedel": 1260, "Vårdprocess – omvårdnad": 1150, "Fall": 1020, "Informationsöverföring": 880,
           "IT-system": 610, "Medicinteknisk utrustning": 520, "Hot och våld": 430, "Vårdrelaterad infektion": 310,
           "Övrigt": 586},
    2024: {"Administrativa rutiner": 1768, "Vårdprocess – diagnostik": 1497, "Vårdprocess – behandling": 1422,
           "Läkemedel": 1281, "Vårdprocess – omvårdnad": 1139, "Fall": 1034, "Informationsöverföring": 871,
           "IT-system": 598, "Medicinteknisk utrustning": 515, "Hot och våld": 418, "Vårdrelaterad infektion": 322,
           "Övrigt": 585},
}
CAUSES = {
    2025: {"Orsak ej klarlagd/utredd": 4793, "Procedurer, rutiner, riktlinjer": 2511, "Kommunikation, information": 1826,
           "Utbildning, kompetens": 712, "Organisation, bemanning": 640, "Teknik, utrustning": 489,
           "Patientrelaterad": 230, "Miljö": 210},
    2024: {"Orsak ej klarlagd/utredd": 4898, "Procedurer, rutiner, riktlinjer": 2490, "Kommunikation, information": 1815,
           "Utbildning, kompetens": 705, "Organisation, bemanning": 652, "Teknik, utrustning": 473,
           "Patientrelaterad": 221, "Miljö": 196},
}
LEX_MARIA = {2025: 42, 2024: 44}
# The type a planted pattern's incident is registered as, while that type's count lasts.
PATTERN_TYPE = {"fall-natt": "Fall", "insulin-dos": "Läkemedel", "lakemedelslista-utskrivning": "Läkemedel",
                "provsvar": "Vårdprocess – diagnostik", "remiss": "Administrativa rutiner",
                "avvikit-psyk": "Vårdprocess – omvårdnad"}
SEVERITY = (("Ingen skada", 0.55), ("Mindre skada", 0.30), ("Måttlig skada", 0.13), ("Allvarlig skada", 0.02))

INCIDENT_MAPPING = """\
# Region Kalmar läns avvikelsesystem (Synergi-liknande export, ;-separerad CSV från Excel)
source: Avvikelsesystemet Region Kalmar län
columns:
  case: Ärendenr
  reported: Registreringsdatum
  occurred: Händelsedatum
  closed: Avslutsdatum
  unit: Enhet (HSA-id)
  type: Händelsetyp
  cause: Orsak
  severity: Allvarlighetsgrad
  lex_maria: Lex Maria
  description: Beskrivning
"""
INCIDENT_HEADER = ("Ärendenr", "Registreringsdatum", "Händelsedatum", "Avslutsdatum", "Enhet (HSA-id)", "Händelsetyp",
                   "Orsak", "Allvarlighetsgrad", "Lex Maria", "Beskrivning")


def _mapping(source: str, channel: str, columns: dict[str, str]) -> str:
    lines = ["kind: complaints", f"source: {source}", f"channel: {channel}", "columns:"]
    return "\n".join(lines + [f"  {k}: {v}" for k, v in columns.items()]) + "\n"


# Each channel's export: its mapping, its counts and categories per year.
COMPLAINTS = {
    "vardenhet": {
        "file": "klagomal-vardenheter.csv", "prefix": "KL",
        "mapping": _mapping("Klagomål till vårdenheterna (avvikelsesystemet)", "vardenhet", {
            "case": "Ärendenr", "received": "Inkommet", "unit": "Enhet (HSA-id)", "category": "Ärendetyp",
            "description": "Beskrivning"}),
        "categories": {2025: {"Vård och behandling": 142, "Kommunikation": 98, "Övrigt": 61, "Bemötande": 55,
                              "Tillgänglighet": 53},
                       2024: {"Vård och behandling": 137, "Kommunikation": 92, "Övrigt": 60, "Bemötande": 53,
                              "Tillgänglighet": 49}},
    },
    "ivo": {
        "file": "ivo.csv", "prefix": "IVO",
        "mapping": _mapping("Klagomål till IVO", "ivo", {
            "case": "Dnr", "received": "Inkom", "unit": "Vårdenhet", "category": "Område", "sex": "Kön",
            "description": "Sammanfattning"}),
        "categories": {2025: {"Vård och behandling": 17, "Diagnosticering": 11, "Bemötande": 7, "Kommunikation": 4,
                              "Läkemedel": 3},
                       2024: {"Vård och behandling": 15, "Diagnosticering": 10, "Bemötande": 6, "Kommunikation": 5,
                              "Läkemedel": 3}},
    },
    "patientnamnd": {
        "file": "patientnamnden.csv", "prefix": "PN",
        "mapping": _mapping("Patientnämnden Kalmar län", "patientnamnd", {
            "case": "Ärende-ID", "received": "Inkom datum", "unit": "HSA-id", "category": "Huvudkategori",
            "sex": "Kön", "forwarded": "Skickat till vården", "action_taken": "Åtgärd vidtagen",
            "description": "Sammanfattning"}),
        "categories": {2025: {"Undersökning/bedömning": 281, "Resultat": 265, "Bemötande": 252, "Diagnos": 78,
                              "Behandling": 62, "Kommunikation": 34, "Tillgänglighet": 21,
                              "Administrativ hantering": 13},
                       2024: {"Undersökning/bedömning": 271, "Resultat": 257, "Bemötande": 230, "Diagnos": 76,
                              "Behandling": 60, "Kommunikation": 33, "Tillgänglighet": 19,
                              "Administrativ hantering": 12}},
        # women, men (the rest not given); forwarded to the care provider; action taken of those
        "sex": {2025: (563, 433), 2024: (527, 421)},
        "forwarded": {2025: (704, 282), 2024: (652, 248)},
    },
    "lof": {
        "file": "lof.csv", "prefix": "LOF",
        "mapping": _mapping("Löf patientskadeanmälningar", "lof", {
            "case": "Skadenummer", "received": "Anmäld", "unit": "Vårdenhet HSA", "category": "Skadetyp"}),
        "categories": {2025: {"Behandlingsskada": 201, "Diagnosskada": 132, "Infektionsskada": 58, "Olycksfall": 41,
                              "Läkemedelsskada": 30},
                       2024: {"Behandlingsskada": 205, "Diagnosskada": 135, "Infektionsskada": 59, "Olycksfall": 40,
                              "Läkemedelsskada": 31}},
    },
}
# The patientnämnd's cases per förvaltning (every one rising) and, within psychiatry, per
# verksamhet: vuxenpsykiatrin (the three VP kliniker) 100 -> 118, +18 %, the largest rise.
PATIENTNAMND_UNITS = {
    2025: {"08-HSF": 600, "08-PV": 250, "08-PSY-VPK": 59, "08-PSY-VPV": 35, "08-PSY-VPO": 24, "08-PSY-BUP": 20,
           "08-PSY-BER": 10, "08-PSY-SPEC": 8},
    2024: {"08-HSF": 578, "08-PV": 240, "08-PSY-VPK": 50, "08-PSY-VPV": 30, "08-PSY-VPO": 20, "08-PSY-BUP": 19,
           "08-PSY-BER": 11, "08-PSY-SPEC": 10},
}
VUXENPSYKIATRI = ("08-PSY-VPK", "08-PSY-VPV", "08-PSY-VPO")
COMPLAINT_TEXTS = (
    "Patienten upplever att {what} och önskar en förklaring.",
    "Närstående framför att {what}. Vill att verksamheten ser över rutinerna.",
    "Klagomål: {what}. Patienten har inte fått svar på tidigare kontakt.",
)
COMPLAINT_WHAT = (
    "undersökningen gjordes för snabbt", "bemötandet vid besöket var nedlåtande", "diagnosen ställdes för sent",
    "informationen om behandlingen var bristfällig", "väntetiden till besöket var för lång",
    "resultatet av operationen blev inte som utlovat", "ingen återkoppling gavs efter provtagningen",
    "remissen tog flera månader att behandla",
)


def handling_cells(data_dir: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """The demo's `avvikelser-28-dagar` cells of YEARS: (unit code, "YYYY-MM") -> (numerator,
    denominator), read from observationer.csv."""
    cells = {}
    with open(data_dir / "observationer.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["measure"] == HANDLING_MEASURE and int(row["period"][:4]) in YEARS and not row["sex"]:
                cells[(row["unit"], row["period"])] = (int(row["numerator"]), int(row["denominator"]))
    return cells


def without_handling_cells(observations: bytes) -> bytes:
    """observationer.csv without the `avvikelser-28-dagar` rows of YEARS (the incident import
    derives them from the cases, with the import as their provenance)."""
    lines = observations.decode("utf-8").splitlines(keepends=True)
    prefix = f"{HANDLING_MEASURE};"
    return "".join(line for line in lines if not (line.startswith(prefix) and
                                                  int(line.split(";")[2][:4]) in YEARS)).encode("utf-8")


def _day(rng, year: int, month: int) -> date:
    return date(year, month, 1 + int(rng.random() * monthrange(year, month)[1]))


def _pick(rng, weighted) -> str:
    x, total = rng.random() * sum(w for _, w in weighted), 0.0
    for value, w in weighted:
        total += w
        if x < total:
            return value
    return weighted[-1][0]


def _deal(rng, items: list, counts: dict[str, int], preferred=None) -> list[str]:
    """A label for each of ``items`` with exactly ``counts[label]`` of each; ``preferred(item)``
    names a label the item gets while that label's count lasts (the rest are dealt at random)."""
    left = dict(counts)
    labels: list[str | None] = [None] * len(items)
    if preferred is not None:
        for i, item in enumerate(items):
            want = preferred(item)
            if want is not None and left.get(want, 0) > 0:
                labels[i] = want
                left[want] -= 1
    pool = [label for label, n in left.items() for _ in range(n)]
    rng.shuffle(pool)
    it = iter(pool)
    return [label if label is not None else next(it) for label in labels]


def incident_rows(data_dir: Path) -> list[tuple]:
    """The incident export's rows (INCIDENT_HEADER) for YEARS."""
    return [row for row, _ in _incidents(data_dir)]


def incident_patterns(data_dir: Path) -> dict[str, str | None]:
    """Each incident's planted pattern (a key of incident_texts.PATTERNS) or None, by case number:
    the truth the text clustering is checked against."""
    return {row[0]: pattern for row, pattern in _incidents(data_dir)}


def _incidents(data_dir: Path) -> list[tuple[tuple, str | None]]:
    kinds = {u.code: u.care for u in enheter_of(organisation())}
    cells = handling_cells(data_dir)
    rows = []
    for year in YEARS:
        made = []  # (unit, reported, closed, pattern)
        for (unit, period), (num, den) in sorted(cells.items()):
            if int(period[:4]) != year:
                continue
            rng = seeded_rng("incidents", unit, period)
            month = int(period[5:])
            for i in range(den):
                reported = _day(rng, year, month)
                if i < num:
                    closed = reported + timedelta(days=int(rng.random() * 29))
                elif rng.random() < 0.04:
                    closed = None  # still open
                else:
                    closed = reported + timedelta(days=29 + int(rng.random() * 150))
                made.append((unit, reported, closed, incident_texts.pattern_for(rng, kinds[unit])))
        if len(made) != sum(TYPES[year].values()) or len(made) != sum(CAUSES[year].values()):
            raise ValueError(f"{year}: {len(made)} incidents in the cells, the types and causes must sum to it")
        rng = seeded_rng("incident-labels", year)
        types = _deal(rng, made, TYPES[year], preferred=lambda m: PATTERN_TYPE.get(m[3]))
        causes = _deal(rng, made, CAUSES[year])
        lex = set(rng.sample(range(len(made)), LEX_MARIA[year]))
        order = sorted(range(len(made)), key=lambda i: (made[i][1], made[i][0]))
        for n, i in enumerate(order, start=1):
            unit, reported, closed, pattern = made[i]
            text_rng = seeded_rng("incident-text", year, n)
            occurred = reported - timedelta(days=int(text_rng.random() * 3))
            severity = "Allvarlig skada" if i in lex else _pick(text_rng, SEVERITY)
            rows.append(((f"AV-{year}-{n:05d}", reported.isoformat(), occurred.isoformat(),
                          closed.isoformat() if closed else "", unit, types[i], causes[i], severity,
                          "Ja" if i in lex else "Nej", incident_texts.description(text_rng, pattern)), pattern))
    return rows


def _units_below(prefix: str) -> list:
    return [u for u in enheter_of(organisation()) if u.code.startswith(prefix + "-") and u.care != texts.SUPPORT]


def complaint_rows(channel: str) -> list[dict]:
    """One channel's complaints of YEARS, as dicts of the fields (case, received, unit, ...)."""
    spec = COMPLAINTS[channel]
    out = []
    for year in YEARS:
        total = sum(spec["categories"][year].values())
        rng = seeded_rng("complaints", channel, year)
        if channel == "patientnamnd":
            units = []
            for prefix, n in PATIENTNAMND_UNITS[year].items():
                below = _units_below(prefix)
                for u, k in zip(below, allocate(n, [u.size or 1 for u in below])):
                    units += [u.code] * k
        else:
            below = _units_below(REGION)
            units = [_pick(rng, [(u.code, u.size or 1) for u in below]) for _ in range(total)]
        rng.shuffle(units)
        categories = _deal(rng, units, spec["categories"][year])
        sexes = [""] * total
        forwarded, action = [None] * total, [None] * total
        if "sex" in spec:
            women, men = spec["sex"][year]
            order = rng.sample(range(total), total)
            for i in order[:women]:
                sexes[i] = "K"
            for i in order[women:women + men]:
                sexes[i] = "M"
            sent, acted = spec["forwarded"][year]
            order = rng.sample(range(total), total)
            forwarded = [False] * total
            action = [None] * total
            for i in order[:sent]:
                forwarded[i] = True
                action[i] = False
            for i in order[:acted]:
                action[i] = True
        elif channel == "ivo":
            sexes = [_pick(rng, [("K", 0.55), ("M", 0.45)]) for _ in range(total)]
        days = sorted(date(year, 1, 1) + timedelta(days=int(rng.random() * (365 + (year % 4 == 0))))
                      for _ in range(total))
        for i in range(total):
            text = rng.choice(COMPLAINT_TEXTS).format(what=rng.choice(COMPLAINT_WHAT))
            out.append({"case": f"{spec['prefix']}-{year}-{i + 1:04d}", "received": days[i].isoformat(),
                        "unit": units[i], "category": categories[i], "sex": sexes[i], "forwarded": forwarded[i],
                        "action_taken": action[i], "description": text})
    return out


def _csv(header, rows) -> bytes:
    """;-separated, UTF-8 with a BOM, as Swedish Excel saves it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def incident_export(data_dir: Path) -> bytes:
    return _csv(INCIDENT_HEADER, incident_rows(data_dir))


def _yes_no(value) -> str:
    return "" if value is None else ("Ja" if value else "Nej")


def complaint_export(channel: str) -> bytes:
    """The channel's export with the headers of its mapping."""
    columns = {}
    for line in COMPLAINTS[channel]["mapping"].split("columns:\n")[1].splitlines():
        field, _, header = line.strip().partition(": ")
        columns[field] = header
    sex_words = {"K": "Kvinna", "M": "Man", "": ""}
    rows = []
    for c in complaint_rows(channel):
        values = {**c, "sex": sex_words[c["sex"]], "forwarded": _yes_no(c["forwarded"]),
                  "action_taken": _yes_no(c["action_taken"])}
        rows.append([values[f] for f in columns])
    return _csv(list(columns.values()), rows)
