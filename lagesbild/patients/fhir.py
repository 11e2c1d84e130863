"""FHIR R4 in: a Bundle (JSON) or NDJSON of Patient, Encounter, RiskAssessment and Procedure,
parsed and validated with fhir.resources' R4B models (which cover these resources as R4 has them),
then turned into the same tables as a CSV export, so every rule — time, identity, kinds — is the
one of ``records.py`` and the same data give the same figures either way.

Mapping:

- Patient: ``identifier`` with system ``urn:oid:1.2.752.129.2.1.3.1`` (personnummer),
  ``urn:oid:1.2.752.129.2.1.3.3`` (samordningsnummer) or
  ``http://electronichealth.se/identifier/personnummer`` → the identity number (then dropped).
- Encounter, class ``IMP`` (inpatient) only: ``id`` → episode, ``subject`` → the patient,
  ``period.start``/``end`` → admitted/discharged; ``location``: the first is the admitting ward,
  each later one with a ``period.start`` a move; a ward is the location reference's id
  (``Location/AVD1``) or its identifier's value.
- RiskAssessment: ``encounter`` → episode; the kind from ``code`` (a coding's code or display, or the
  text: fall/Fallrisk, trycksar/Trycksår, undernaring/Undernäring); ``occurrenceDateTime``;
  risk found when ``prediction[0].qualitativeRisk`` is moderate, high or certain.
- Procedure (status not ``not-done`` or ``entered-in-error``): ``encounter`` → episode, the kind from
  ``code``, ``performedDateTime`` or ``performedPeriod.start`` → the action's start.
- A Bundle entry with ``request.method`` DELETE of ``Encounter/<id>`` removes the episode.

A problem is located by the resource's place and a FHIRPath-like path
(``Bundle.entry[3].resource(Encounter/e1).period.start``, ``rad 7: RiskAssessment/r1.code``).
No Django here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lagesbild.ingest.errors import InputError, Problem, ProblemList

IDENTITY_SYSTEMS = {
    "urn:oid:1.2.752.129.2.1.3.1",  # personnummer
    "urn:oid:1.2.752.129.2.1.3.3",  # samordningsnummer
    "http://electronichealth.se/identifier/personnummer",
}
RISK_FOUND = {"moderate", "high", "certain"}
KINDS_OF = ("Patient", "Encounter", "RiskAssessment", "Procedure")


@dataclass
class Tables:
    """The CSV-shaped tables with, per (table, row), the resource path for locating problems."""

    episodes: list[list[str]] = field(default_factory=list)
    assessments: list[list[str]] = field(default_factory=list)
    actions: list[list[str]] = field(default_factory=list)
    movements: list[list[str]] = field(default_factory=list)
    paths: dict[tuple[str, int], str] = field(default_factory=dict)


def _model(resource_type: str):
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def _resources(data: bytes, file: str, problems: ProblemList) -> list[tuple[str, object, str | None]]:
    """(place, parsed resource or None, DELETE target) for each entry or line."""
    text = data.decode("utf-8-sig", errors="replace").strip()
    out = []
    if text.startswith("{") and '"Bundle"' in text[:200]:
        try:
            bundle = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.add(file, f"ogiltig JSON: {exc.msg}", row=exc.lineno)
            return []
        for i, entry in enumerate(bundle.get("entry") or []):
            place = f"Bundle.entry[{i}]"
            request = entry.get("request") or {}
            if str(request.get("method", "")).upper() == "DELETE":
                out.append((place, None, str(request.get("url", ""))))
            elif "resource" in entry:
                out.append((place, _parse(entry["resource"], file, place + ".resource", problems), None))
        return out
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.add(file, f"ogiltig JSON: {exc.msg}", row=n)
                continue
            out.append((f"rad {n}", _parse(obj, file, f"rad {n}", problems), None))
    return out


def _parse(obj: dict, file: str, place: str, problems: ProblemList):
    kind = obj.get("resourceType") if isinstance(obj, dict) else None
    if kind not in KINDS_OF:
        return None  # other resources (Location, Organization …) are not read
    from pydantic import ValidationError

    try:
        return _model(kind).model_validate(obj)
    except ValidationError as exc:
        for err in exc.errors()[:20]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
            problems.add(file, f"ogiltig {kind}: {err.get('msg', 'fel')}", path=f"{place}({kind}/{obj.get('id', '?')}).{where}")
        return None


def _ref_id(reference) -> str:
    text = getattr(reference, "reference", None) or ""
    return text.rsplit("/", 1)[-1] if text else ""


def _code_text(concept) -> str:
    if concept is None:
        return ""
    for coding in concept.coding or []:
        if coding.code or coding.display:
            return coding.code or coding.display
    return concept.text or ""


def _ward(loc) -> str:
    reference = loc.location
    if reference is None:
        return ""
    if reference.reference:
        return _ref_id(reference)
    identifier = reference.identifier
    return identifier.value if identifier is not None and identifier.value else (reference.display or "")


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def tables(data: bytes, file: str) -> tuple[Tables, list[str]]:
    """The tables from a Bundle or NDJSON, and the episodes to delete. InputError with every
    problem (located by path) when a resource is invalid or a reference is missing."""
    problems = ProblemList()
    parsed = _resources(data, file, problems)
    out, deleted = Tables(), []
    identities: dict[str, str] = {}
    for place, res, delete in parsed:
        if delete is not None:
            if delete.startswith("Encounter/"):
                deleted.append(delete.split("/", 1)[1])
            continue
        if res is not None and res.get_resource_type() == "Patient":
            number = next((i.value for i in res.identifier or [] if i.system in IDENTITY_SYSTEMS and i.value), None)
            if number is None:
                problems.add(file, "patienten saknar personnummer eller samordningsnummer",
                             path=f"{place}.resource(Patient/{res.id}).identifier")
            else:
                identities[res.id or ""] = number
    for place, res, _ in parsed:
        if res is None:
            continue
        kind = res.get_resource_type()
        where = f"{place}.resource({kind}/{res.id})" if place.startswith("Bundle") else f"{place}: {kind}/{res.id}"
        if kind == "Encounter":
            _encounter(res, where, identities, out, problems, file)
        elif kind == "RiskAssessment":
            risk = ""
            if res.prediction and res.prediction[0].qualitativeRisk is not None:
                risk = "Ja" if _code_text(res.prediction[0].qualitativeRisk).lower() in RISK_FOUND else "Nej"
            _row(out, "assessments", [_ref_id(res.encounter), _code_text(res.code), _iso(res.occurrenceDateTime), risk],
                 where)
        elif kind == "Procedure" and res.status not in ("not-done", "entered-in-error"):
            start = res.performedDateTime or (res.performedPeriod.start if res.performedPeriod else None)
            _row(out, "actions", [_ref_id(res.encounter), _code_text(res.code), _iso(start)], where)
    problems.raise_if_any()
    return out, deleted


def _row(out: Tables, table: str, values: list[str], where: str) -> None:
    rows = getattr(out, table)
    rows.append(values)
    out.paths[(table, len(rows) + 1)] = where  # row 1 is the header


def _encounter(res, where: str, identities: dict, out: Tables, problems: ProblemList, file: str) -> None:
    stay = getattr(res, "class_fhir", None)
    if stay is None or stay.code != "IMP":
        return  # not an inpatient stay
    patient = _ref_id(res.subject)
    if patient not in identities:
        problems.add(file, "patienten som vårdtillfället hänvisar till finns inte i filen", path=f"{where}.subject")
        return
    locations = list(res.location or [])
    period = res.period
    _row(out, "episodes", [res.id or "", identities[patient], _ward(locations[0]) if locations else "",
                           _iso(period.start if period else None), _iso(period.end if period else None)], where)
    for i, loc in enumerate(locations[1:], start=1):
        if loc.period is not None and loc.period.start is not None:
            _row(out, "movements", [res.id or "", _ward(loc), _iso(loc.period.start)], f"{where}.location[{i}]")


HEADERS = {
    "episodes": ["episode", "personnummer", "unit", "admitted_at", "discharged_at"],
    "assessments": ["episode", "kind", "performed_at", "risk"],
    "actions": ["episode", "kind", "started_at"],
    "movements": ["episode", "unit", "moved_at"],
}


def csv_sources(t: Tables, deleted: list[str], file: str) -> dict[str, tuple[bytes, str]]:
    """The tables as the CSV files ``records.load_for_import`` reads (UTF-8, ';'); a deleted episode
    is an episodes row with ``deleted`` = Ja."""
    import csv
    import io

    def encode(name, rows, header):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8"), f"{file} ({name})"

    out = {}
    episodes = [[*r, ""] for r in t.episodes] + [[e, "", "", "", "", "Ja"] for e in deleted]
    if episodes:
        out["episodes"] = encode("episodes", episodes, [*HEADERS["episodes"], "deleted"])
    for name in ("assessments", "actions", "movements"):
        if getattr(t, name):
            out[name] = encode(name, getattr(t, name), HEADERS[name])
    return out


def located(exc: InputError, t: Tables, file: str) -> InputError:
    """The records' problems, re-located from (table, row, column) to the resource's path."""
    problems = []
    for p in exc.problems:
        name = p.file.rsplit("(", 1)[-1].rstrip(")") if p.file.startswith(file + " (") else None
        where = t.paths.get((name, p.row)) if name else None
        if where is None:
            problems.append(p)
            continue
        problems.append(Problem(file, p.message, column=p.column, value=p.value,
                                path=where + (f" [{p.column}]" if p.column else "")))
    return InputError(problems)
