"""`lagesbild patients compute`: the four standard measures from three files, without a database."""

from __future__ import annotations

from lagesbild.calc import localtime
from lagesbild.calc.patient_measures import STANDARD_MEASURES, Row, evaluate
from lagesbild.ingest.errors import InputError, Problem

from .records import PatientRecords, load_paths, shown

AS_OF_OPTION = "--as-of"


def as_json(as_of_text: str, rows: list[Row]) -> dict:
    """The contract's document: ``as_of`` as given, then one entry per row."""
    return {"as_of": as_of_text, "measures": [row.as_json() for row in rows]}


def compute_rows(records: PatientRecords, as_of, measures=STANDARD_MEASURES) -> list[Row]:
    return evaluate(records.episodes, records.assessments, records.actions, as_of, measures)


def compute_files(episodes, assessments, actions, as_of_text: str, measures_file=None) -> dict:
    """Read, check and compute. InputError lists every problem: in the option and in all three files."""
    problems: list[Problem] = []
    as_of_text = (as_of_text or "").strip()
    as_of = None
    try:
        as_of = localtime.parse(as_of_text)
    except localtime.TimeError as exc:
        problems.append(Problem(AS_OF_OPTION, str(exc), value=shown(as_of_text)))
    measures = STANDARD_MEASURES
    if measures_file is not None:
        from . import measure_spec

        try:
            measures = measure_spec.load(measures_file)
        except InputError as exc:
            problems.extend(exc.problems)
        except OSError as exc:
            problems.append(Problem(str(measures_file), f"filen kan inte läsas: {exc.strerror}"))
    records = None
    try:
        records = load_paths(episodes, assessments, actions)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return as_json(as_of_text, compute_rows(records, as_of, measures))
