"""Parse and validate a survey specification (YAML, format in docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from lagesbild.calc import rules
from lagesbild.ingest import yamltext
from lagesbild.ingest.errors import InputError, ProblemList
from lagesbild.ingest.tabular import folded

COMBINATORS = ("all", "any", "not")


# Labels are compared after trimming, folding inner white space and case-folding.
norm = folded


@dataclass(frozen=True)
class Question:
    id: str
    text: str = ""
    options: tuple[str, ...] = ()

    @property
    def normalised_options(self) -> frozenset[str]:
        return frozenset(norm(o) for o in self.options)


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    title: str
    rule: rules.Rule
    rule_source: object
    missing: str = rules.KLEENE
    focus_area: Optional[int] = None
    statement: str = ""
    description: str = ""

    @property
    def questions(self) -> list[str]:
        return rules.keys(self.rule)


@dataclass(frozen=True)
class SurveySpec:
    id: str
    title: str
    year: int
    population: Optional[str] = None
    missing_labels: tuple[str, ...] = ()
    comparable_with: tuple[str, ...] = ()
    questions: dict[str, Question] = field(default_factory=dict)
    indicators: tuple[IndicatorSpec, ...] = ()
    source: str = ""

    @property
    def missing_normalised(self) -> frozenset[str]:
        return frozenset(norm(m) for m in self.missing_labels)

    def indicator(self, indicator_id: str) -> IndicatorSpec:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)


def _label(value: object) -> str:
    if isinstance(value, bool) or value is None:
        raise TypeError
    return str(value)


def _labels(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_label(v) for v in items]


def _scalar_text(value: object) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


class _Parser:
    def __init__(self, file: str):
        self.file = file
        self.problems = ProblemList()

    def err(self, where: str, message: str, value: object = None) -> None:
        self.problems.add(self.file, f"{where}: {message}", value=None if value is None else str(value))

    def rule(self, node: object, where: str, questions: dict[str, Question]) -> Optional[rules.Rule]:
        if isinstance(node, dict) and "question" in node:
            return self.leaf(node, where, questions)
        if not isinstance(node, dict) or len(node) != 1:
            keys = ", ".join(map(str, node)) if isinstance(node, dict) else type(node).__name__
            self.err(where, "en regel är antingen {question, in} eller exakt en av all, any, not", keys)
            return None
        (key, value), = node.items()
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                self.err(f"{where}.{key}", "ska vara en icke-tom lista av regler")
                return None
            parts = [self.rule(p, f"{where}.{key}[{i}]", questions) for i, p in enumerate(value)]
            if any(p is None for p in parts):
                return None
            return (rules.All if key == "all" else rules.Any)(tuple(parts))
        if key == "not":
            part = self.rule(value, f"{where}.not", questions)
            return None if part is None else rules.Not(part)
        self.err(where, f"okänd kombinator; tillåtna är {', '.join(COMBINATORS)}", key)
        return None

    def leaf(self, node: dict, where: str, questions: dict[str, Question]) -> Optional[rules.Rule]:
        unknown = set(node) - {"question", "in"}
        if unknown:
            self.err(where, "okänd nyckel i regel", ", ".join(sorted(map(str, unknown))))
            return None
        if "in" not in node:
            self.err(where, "regeln saknar in: [svarsalternativ]")
            return None
        qid = node["question"]
        if not _scalar_text(qid) or not str(qid).strip():
            self.err(f"{where}.question", "ska vara en fråge-id", qid)
            return None
        qid = str(qid).strip()
        try:
            labels = _labels(node["in"])
        except TypeError:
            self.err(f"{where}.in", "svarsalternativ ska skrivas som text (sätt citattecken runt ja/nej/true/false)", node["in"])
            return None
        if not labels:
            self.err(f"{where}.in", "ska innehålla minst ett svarsalternativ")
            return None
        if questions:
            q = questions.get(qid)
            if q is None:
                self.err(f"{where}.question", "frågan finns inte under questions", qid)
                return None
            if q.options:
                for label in labels:
                    if norm(label) not in q.normalised_options:
                        self.err(f"{where}.in", f"svaret finns inte bland frågan {qid}s alternativ ({', '.join(q.options)})", label)
        return rules.Leaf(qid, frozenset(norm(label) for label in labels))


def parse_spec(text: str, file: str = "spec.yaml") -> SurveySpec:
    """Parse YAML text into a SurveySpec; raise InputError with every located problem."""
    doc = yamltext.load(text, file)
    if not isinstance(doc, dict):
        raise InputError.one(file, "specifikationen ska vara en YAML-mappning med survey och indicators")
    p = _Parser(file)
    survey = doc.get("survey")
    if not isinstance(survey, dict):
        p.err("survey", "saknas eller är inte en mappning")
        p.problems.raise_if_any()
    for key in ("id", "title", "year"):
        if survey.get(key) in (None, ""):
            p.err(f"survey.{key}", "obligatorisk nyckel saknas")
    year = survey.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        p.err("survey.year", "ska vara ett årtal", year)
    population = survey.get("population")
    missing = survey.get("missing", [])
    try:
        missing_labels = tuple(_labels(missing)) if missing else ()
    except TypeError:
        p.err("survey.missing", "ska vara en lista av svarsetiketter", missing)
        missing_labels = ()
    comparable = survey.get("comparable_with") or []
    if not isinstance(comparable, list):
        comparable = [comparable]

    questions: dict[str, Question] = {}
    raw_q = doc.get("questions") or {}
    if not isinstance(raw_q, dict):
        p.err("questions", "ska vara en mappning från fråge-id till {text, options}")
        raw_q = {}
    for qid, body in raw_q.items():
        body = body or {}
        if not isinstance(body, dict):
            p.err(f"questions.{qid}", "ska vara en mappning med text och options")
            continue
        try:
            options = tuple(_labels(body.get("options") or []))
        except TypeError:
            p.err(f"questions.{qid}.options", "svarsalternativ ska skrivas som text", body.get("options"))
            options = ()
        questions[str(qid)] = Question(str(qid), str(body.get("text") or ""), options)

    indicators: list[IndicatorSpec] = []
    raw_inds = doc.get("indicators")
    if not isinstance(raw_inds, list) or not raw_inds:
        p.err("indicators", "ska vara en icke-tom lista")
        raw_inds = []
    seen: set[str] = set()
    for i, ind in enumerate(raw_inds):
        where = f"indicators[{i}]"
        if not isinstance(ind, dict):
            p.err(where, "ska vara en mappning")
            continue
        iid = ind.get("id")
        if iid not in (None, ""):
            where = f"indicators[{i}] ({iid})"
        for key in ("id", "title", "rule"):
            if ind.get(key) in (None, ""):
                p.err(f"{where}.{key}", "obligatorisk nyckel saknas")
        if iid is None or ind.get("rule") is None:
            continue
        iid = str(iid)
        if iid in seen:
            p.err(f"{where}.id", "indikator-id förekommer två gånger", iid)
        seen.add(iid)
        mode = ind.get("missing", rules.KLEENE)
        if mode not in rules.MISSING_MODES:
            p.err(f"{where}.missing", "ska vara kleene eller strict", mode)
        fa = ind.get("focus_area")
        if fa is not None and (not isinstance(fa, int) or isinstance(fa, bool) or not 1 <= fa <= 5):
            p.err(f"{where}.focus_area", "ska vara ett fokusområde 1–5", fa)
            fa = None
        rule = p.rule(ind["rule"], f"{where}.rule", questions)
        if rule is None:
            continue
        indicators.append(
            IndicatorSpec(
                id=iid,
                title=str(ind.get("title") or ""),
                rule=rule,
                rule_source=ind["rule"],
                missing=mode if mode in rules.MISSING_MODES else rules.KLEENE,
                focus_area=fa,
                statement=str(ind.get("statement") or ""),
                description=str(ind.get("description") or ""),
            )
        )
    p.problems.raise_if_any()
    return SurveySpec(
        id=str(survey["id"]),
        title=str(survey["title"]),
        year=int(year),
        population=str(population) if population not in (None, "") else None,
        missing_labels=missing_labels,
        comparable_with=tuple(str(c) for c in comparable),
        questions=questions,
        indicators=tuple(indicators),
        source=text,
    )


def load_spec(path) -> SurveySpec:
    from pathlib import Path

    from lagesbild.ingest.readers import read_bytes
    from lagesbild.ingest.tabular import decode

    p = Path(path)
    raw = read_bytes(p)

    text, _ = decode(raw, p.name) if raw.strip() else ("", "")
    if not text.strip():
        raise InputError.one(p.name, "filen är tom")
    return parse_spec(text, p.name)
