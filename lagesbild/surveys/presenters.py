"""Shape computed results for pages and API: rounding and Swedish formatting happen here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from lagesbild.calc import fmt
from lagesbild.calc.ratio import change_in_points

from . import engine
from .spec import norm

POPULATION_WORDS = {"region": "regionerna", "kommun": "kommunerna"}
POPULATION_PLURAL = {"region": "regioner", "kommun": "kommuner"}

NOT_COMPARABLE = "Ej jämförbar med föregående år"


def population_word(population: Optional[str]) -> str:
    return POPULATION_WORDS.get(norm(population or ""), "respondenterna")


def population_plural(population: Optional[str]) -> str:
    return POPULATION_PLURAL.get(norm(population or ""), "svarande")


@dataclass
class IndicatorRow:
    result: engine.IndicatorResult
    statement: str
    percent_text: str
    interval_text: str
    change: Optional[Decimal]  # percentage points against the comparable survey, None if not comparable
    change_text: str
    previous_percent_text: str

    @property
    def id(self) -> str:
        return self.result.spec.id


def indicator_rows(
    result: engine.SurveyResult, previous: Optional[engine.SurveyResult]
) -> list[IndicatorRow]:
    word = population_word(result.spec.population)
    rows = []
    for r in result.indicators:
        ci = r.wilson
        prev = None
        if previous is not None:
            try:
                prev = previous.indicator(r.spec.id)
            except KeyError:
                prev = None
        change = None
        if prev is not None:
            change = change_in_points(r.ratio, prev.ratio)
        if previous is None:
            change_text = NOT_COMPARABLE
        elif prev is None:
            change_text = "Indikatorn saknas föregående år"
        else:
            change_text = fmt.points(change)
        rows.append(
            IndicatorRow(
                result=r,
                statement=r.statement(word),
                percent_text=fmt.percent(r.percent),
                interval_text=f"{fmt.number(ci[0], 1)}–{fmt.number(ci[1], 1)}" if ci else fmt.DASH,
                change=change,
                change_text=change_text,
                previous_percent_text=fmt.percent(prev.percent) if prev else fmt.DASH,
            )
        )
    return rows
