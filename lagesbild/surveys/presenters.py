"""Survey results as every screen and file shows them, assembled once.

The results page, the indicator page, the Excel workbook, the PowerPoint deck, the charts and
the survey API all read :func:`present`: each row carries the exact figures (numerator, n,
excluded, the half-up rounded percent, the Wilson interval, the change in percentage points
from the exact ratios) beside their Swedish text, the focus area's name, the rule in words and
the population's words. Pure Python, no Django: the command line builds reports without a
database through the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping, Optional

from lagesbild.calc import fmt, rules
from lagesbild.calc.ratio import change_in_points
from lagesbild.catalogue.framework import FOCUS_AREAS

from . import engine
from .spec import Question, norm

NOT_COMPARABLE = "Ej jämförbar med föregående år"
MISSING_IN_PREVIOUS = "Indikatorn saknas föregående år"

MISSING_TEXT = {
    rules.KLEENE: "kleene – ett okänt svar exkluderar respondenten bara när det avgör utfallet",
    rules.STRICT: "strict – ett okänt svar på någon av regelns frågor exkluderar respondenten",
}

_POPULATION_WORDS = {"region": ("regioner", "regionerna"), "kommun": ("kommuner", "kommunerna")}


def population_words(population: Optional[str]) -> tuple[str, str]:
    """(plural, definite plural) for the survey population: 'region' -> ('regioner', 'regionerna')."""
    return _POPULATION_WORDS.get(norm(population or ""), ("svarande", "respondenterna"))


def focus_area_name(number: Optional[int], names: Optional[Mapping[int, str]] = None) -> str:
    """'1. Öka kunskap om inträffade vårdskador' for focus area 1; '' when unknown or None.

    ``names`` are the focus areas of the survey's own action plan; without them, the national
    plan's reference text."""
    names = dict(FOCUS_AREAS) if names is None else names
    return f"{number}. {names[number]}" if number in names else ""


def describe_rule(rule: rules.Rule, questions: Optional[Mapping[str, Question]] = None) -> str:
    """A rule as readable text: 'F1 ∈ {Ja} OCH F2 ∈ {Ja}'.

    Leaf values are normalised in the rule; they are shown in the spelling and order of the
    question's options when the specification declares them.
    """
    questions = questions or {}
    if isinstance(rule, rules.Leaf):
        labels = _leaf_labels(rule, questions.get(rule.key))
        # Labels such as "Ja, i samtliga verksamheter" hold commas: separate them by semicolons.
        sep = "; " if any("," in label for label in labels) else ", "
        return f"{rule.key} ∈ {{{sep.join(labels)}}}"
    if isinstance(rule, rules.Not):
        return f"INTE ({describe_rule(rule.part, questions)})"
    joiner = " OCH " if isinstance(rule, rules.All) else " ELLER "
    return joiner.join(_part(p, questions) for p in rule.parts)


def _part(rule: rules.Rule, questions: Mapping[str, Question]) -> str:
    text = describe_rule(rule, questions)
    nested = isinstance(rule, (rules.All, rules.Any)) and len(rule.parts) > 1
    return f"({text})" if nested else text


def _leaf_labels(leaf: rules.Leaf, question: Optional[Question]) -> list[str]:
    options = question.options if question else ()
    known = [o for o in options if norm(o) in leaf.values]
    spelled = {norm(o) for o in known}
    return known + sorted(v for v in leaf.values if v not in spelled)


@dataclass(frozen=True)
class Previous:
    """The comparable earlier year's figures for one indicator."""

    numerator: int
    n: int
    percent: Optional[Decimal]


@dataclass(frozen=True)
class IndicatorRow:
    id: str
    title: str
    focus_area: Optional[int]
    focus_area_name: str
    statement: str
    rule_text: str
    missing: str                       # kleene | strict
    missing_text: str
    description: str
    questions: tuple[tuple[str, str], ...]  # (question id, its text or '') in the rule's order
    numerator: int
    n: int
    excluded: int
    percent: Optional[Decimal]         # half-up to one decimal; None when n = 0
    interval: Optional[tuple[Decimal, Decimal]]
    previous: Optional[Previous]       # None: not comparable, or the indicator is missing then
    change: Optional[Decimal]          # percentage points from the exact ratios, rounded once
    percent_text: str
    interval_text: str
    change_text: str
    previous_percent_text: str
    outcomes: tuple[engine.Outcome, ...]  # one per respondent in the population


@dataclass(frozen=True)
class SurveyReport:
    id: str
    title: str
    year: int
    population_plural: str             # 'regioner'
    population_definite: str           # 'regionerna'
    respondents: int
    missing_labels: tuple[str, ...]
    previous_title: Optional[str]      # the comparable earlier survey, if any
    previous_year: Optional[int]
    rows: tuple[IndicatorRow, ...]

    @property
    def comparable(self) -> bool:
        return self.previous_title is not None

    def row(self, indicator_id: str) -> IndicatorRow:
        for r in self.rows:
            if r.id == indicator_id:
                return r
        raise KeyError(indicator_id)


def _previous(previous: Optional[engine.SurveyResult], indicator_id: str) -> Optional[engine.IndicatorResult]:
    if previous is None:
        return None
    try:
        return previous.indicator(indicator_id)
    except KeyError:
        return None


def _row(r: engine.IndicatorResult, result: engine.SurveyResult, previous: Optional[engine.SurveyResult],
         definite: str, names: Optional[Mapping[int, str]]) -> IndicatorRow:
    prev = _previous(previous, r.spec.id)
    change = None if prev is None else change_in_points(r.ratio, prev.ratio)
    if previous is None:
        change_text = NOT_COMPARABLE
    elif prev is None:
        change_text = MISSING_IN_PREVIOUS
    else:
        change_text = fmt.points(change)
    ci = r.wilson
    questions = result.spec.questions
    return IndicatorRow(
        id=r.spec.id,
        title=r.spec.title,
        focus_area=r.spec.focus_area,
        focus_area_name=focus_area_name(r.spec.focus_area, names),
        statement=r.statement(definite),
        rule_text=describe_rule(r.spec.rule, questions),
        missing=r.spec.missing,
        missing_text=MISSING_TEXT.get(r.spec.missing, r.spec.missing),
        description=r.spec.description,
        questions=tuple((q, questions[q].text if q in questions else "") for q in r.spec.questions),
        numerator=r.numerator,
        n=r.n,
        excluded=r.excluded,
        percent=r.percent,
        interval=ci,
        previous=None if prev is None else Previous(prev.numerator, prev.n, prev.percent),
        change=change,
        percent_text=fmt.percent(r.percent),
        interval_text=f"{fmt.number(ci[0], 1)}–{fmt.number(ci[1], 1)}" if ci else fmt.DASH,
        change_text=change_text,
        previous_percent_text=fmt.percent(prev.percent) if prev else fmt.DASH,
        outcomes=r.outcomes,
    )


def present(
    result: engine.SurveyResult,
    previous: Optional[engine.SurveyResult] = None,
    focus_areas: Optional[Mapping[int, str]] = None,
) -> SurveyReport:
    """The survey's rows; ``previous`` is an earlier result the caller has established as
    comparable; ``focus_areas`` maps number -> name in the survey's own action plan."""
    plural, definite = population_words(result.spec.population)
    return SurveyReport(
        id=result.spec.id,
        title=result.spec.title,
        year=result.spec.year,
        population_plural=plural,
        population_definite=definite,
        respondents=len(result.responses.respondents),
        missing_labels=tuple(result.spec.missing_labels),
        previous_title=None if previous is None else previous.spec.title,
        previous_year=None if previous is None else previous.spec.year,
        rows=tuple(_row(r, result, previous, definite, focus_areas) for r in result.indicators),
    )


def chart_rows(report: SurveyReport) -> list[dict]:
    """Rows for reports.charts.indicator_bar_spec: percent and Wilson bounds as floats."""
    return [
        {
            "id": r.id,
            "title": r.title,
            "percent": _float(r.percent),
            "low": _float(r.interval[0]) if r.interval else None,
            "high": _float(r.interval[1]) if r.interval else None,
            "n": r.n,
        }
        for r in report.rows
    ]


def _float(value: Optional[Decimal]) -> Optional[float]:
    return None if value is None else float(value)


def as_json(row: IndicatorRow, comparable_with: Optional[str]) -> dict:
    """One indicator for the API: exact figures as plain decimal strings."""
    return {
        "id": row.id,
        "title": row.title,
        "focus_area": row.focus_area,
        "numerator": row.numerator,
        "n": row.n,
        "excluded": row.excluded,
        "percent": _plain(row.percent),
        "ci_low": _plain(row.interval[0]) if row.interval else None,
        "ci_high": _plain(row.interval[1]) if row.interval else None,
        "statement": row.statement,
        "change_points": _plain(row.change),
        "comparable_with": comparable_with,
    }


def _plain(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else f"{value:f}"
