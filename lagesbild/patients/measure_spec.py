"""Patient-record measures as data: a small YAML format, validated with located problems like the
survey specification, read into ``calc.patient_measures.Measure``.

    measures:
      - code: riskbedomning-70-24h
        population: {min_age: 70, hours: 24}      # optional; these are the defaults
        window: {from: admission, hours: 24}
        needs: {assessment: [fall, trycksar, undernaring]}
      - code: atgard-24h-fallrisk
        window: {from: risk_finding, hours: 24}
        needs: {action: [fall]}

``from``: ``admission`` or ``risk_finding`` (the earliest assessment of the one kind in ``needs``
that found a risk); ``needs``: exactly one of ``assessment`` or ``action``, with the kinds (fall,
trycksar, undernaring, or their labels Fallrisk, Trycksår, Undernäring). The four standard measures
are ``STANDARD_FILE``; a region adds a fifth (another age limit, another window) in its own file.
No Django here.
"""

from __future__ import annotations

from pathlib import Path

from lagesbild.calc import patient_measures as pm
from lagesbild.ingest import yamltext
from lagesbild.ingest.errors import InputError, ProblemList

STANDARD_FILE = Path(__file__).with_name("measures.yaml")
ANCHORS = {"admission": pm.ADMISSION, "risk_finding": pm.RISK_FINDING}
TOP_KEYS = {"code", "population", "window", "needs", "title"}


def _int(value, path: str, problems: ProblemList, file: str, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(file, f"ska vara ett heltal från {low} till {high}", path=path, value=str(value))
        return None
    return value


def _measure(item, i: int, problems: ProblemList, file: str) -> pm.Measure | None:
    where = f"measures[{i}]"
    if not isinstance(item, dict):
        problems.add(file, "ett mått ska vara en mappning", path=where)
        return None
    for key in set(item) - TOP_KEYS:
        problems.add(file, f"okänd nyckel (tillåtna: {', '.join(sorted(TOP_KEYS))})", path=f"{where}.{key}")
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        problems.add(file, "koden saknas", path=f"{where}.code")
    population = item.get("population") or {}
    min_age = _int(population.get("min_age", 70), f"{where}.population.min_age", problems, file, 0, 130)
    hours = _int(population.get("hours", 24), f"{where}.population.hours", problems, file, 0, 24 * 30)
    window = item.get("window") or {}
    anchor = ANCHORS.get(window.get("from"))
    if anchor is None:
        problems.add(file, "ska vara admission eller risk_finding", path=f"{where}.window.from",
                     value=str(window.get("from")))
    window_hours = _int(window.get("hours", 24), f"{where}.window.hours", problems, file, 1, 24 * 30)
    needs = item.get("needs") or {}
    if not isinstance(needs, dict) or len(needs) != 1 or next(iter(needs)) not in ("assessment", "action"):
        problems.add(file, "ange precis en av assessment eller action, med typerna", path=f"{where}.needs")
        return None
    evidence, kinds_given = next(iter(needs.items()))
    kinds = []
    for j, text in enumerate(kinds_given or []):
        kind = pm.kind_code(str(text))
        if kind is None:
            problems.add(file, "okänd typ (fall, trycksar, undernaring)", path=f"{where}.needs.{evidence}[{j}]",
                         value=str(text))
        kinds.append(kind)
    if None in (code, min_age, hours, anchor, window_hours) or None in kinds or not kinds:
        if not kinds:
            problems.add(file, "minst en typ", path=f"{where}.needs.{evidence}")
        return None
    try:
        return pm.Measure(code.strip(), anchor, pm.ASSESSMENT if evidence == "assessment" else pm.ACTION,
                          tuple(kinds), pm.Population(min_age, hours), window_hours)
    except ValueError as exc:
        problems.add(file, str(exc), path=where)
        return None


def parse(text: str, file: str) -> tuple[pm.Measure, ...]:
    problems = ProblemList()
    doc = yamltext.load(text, file)
    items = doc.get("measures") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError.one(file, "filen ska ha en lista measures med minst ett mått", path="measures")
    measures = [_measure(item, i, problems, file) for i, item in enumerate(items)]
    codes = [m.code for m in measures if m is not None]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.add(file, "koden förekommer flera gånger", path="measures", value=code)
    problems.raise_if_any()
    return tuple(measures)


def load(path: Path | str = STANDARD_FILE) -> tuple[pm.Measure, ...]:
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), path.name)


def configured() -> tuple[pm.Measure, ...]:
    """The measures an import writes: the file settings.LAGESBILD_PATIENT_MEASURES names, else the
    standard four."""
    from django.conf import settings

    return load(getattr(settings, "LAGESBILD_PATIENT_MEASURES", "") or STANDARD_FILE)
