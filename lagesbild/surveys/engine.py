"""Compute development indicators: one three-valued rule per indicator, per respondent."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Optional

from lagesbild.calc import fmt, rules
from lagesbild.calc.ratio import Ratio

from .responses import Respondent, Responses
from .spec import IndicatorSpec, SurveySpec, norm

NUMERATOR = "täljare"
DENOMINATOR = "nämnare"
EXCLUDED = "exkluderad"


@dataclass(frozen=True)
class Outcome:
    respondent: Respondent
    value: rules.Truth  # True: in the numerator; False: only in the denominator; None: excluded
    facts: dict = field(repr=False, compare=False, default_factory=dict)
    indicator: Optional[IndicatorSpec] = field(repr=False, compare=False, default=None)

    @property
    def reason(self) -> str:
        """Why the respondent counts where it does; traced only when asked for."""
        ev = rules.evaluate(self.indicator.rule, self.facts.get, self.indicator.missing)
        return _reason(ev, self.respondent.answers, self.indicator.missing)

    @property
    def role(self) -> str:
        return {True: NUMERATOR, False: DENOMINATOR, None: EXCLUDED}[self.value]

    @property
    def cell(self) -> Optional[int]:
        """1, 0 or None: the outcome as it stands in the Excel file."""
        return None if self.value is None else int(self.value)


@dataclass(frozen=True)
class IndicatorResult:
    spec: IndicatorSpec
    numerator: int
    n: int
    excluded: int
    outcomes: tuple[Outcome, ...]

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.numerator, self.n)

    @property
    def percent(self) -> Optional[Decimal]:
        return self.ratio.percent(1)

    @property
    def wilson(self) -> Optional[tuple[Decimal, Decimal]]:
        return self.ratio.wilson()

    def statement(self, population_word: str = "respondenterna") -> str:
        """The indicator's sentence with {percent} filled in: '81,3 procent av regionerna har …'."""
        pct = fmt.percent_plain(self.percent)
        if self.spec.statement:
            return self.spec.statement.replace("{percent}", pct)
        return f"{pct} av {population_word} uppfyller indikatorn {self.spec.id}: {self.spec.title}."

    def outcome_for(self, respondent_key: str) -> Optional[Outcome]:
        for o in self.outcomes:
            if o.respondent.key == respondent_key:
                return o
        return None

    def as_json(self) -> dict:
        pct = self.percent
        return {
            "id": self.spec.id,
            "title": self.spec.title,
            "numerator": self.numerator,
            "n": self.n,
            "excluded": self.excluded,
            "percent": None if pct is None else str(pct),
        }


@dataclass(frozen=True)
class SurveyResult:
    spec: SurveySpec
    responses: Responses
    indicators: tuple[IndicatorResult, ...]

    def as_json(self) -> dict:
        return {"survey": self.spec.id, "indicators": [r.as_json() for r in self.indicators]}

    def indicator(self, indicator_id: str) -> IndicatorResult:
        for r in self.indicators:
            if r.spec.id == indicator_id:
                return r
        raise KeyError(indicator_id)


def facts_of(answers: dict[str, str], missing: frozenset[str], keys: Optional[Iterable[str]] = None,
             _norm=None) -> dict[str, Optional[str]]:
    """Normalised answers for ``keys`` (default: all); blank and `missing` labels become None."""
    normalise = _norm or norm
    out: dict[str, Optional[str]] = {}
    for qid in (answers if keys is None else keys):
        raw = answers.get(qid, "")
        value = normalise(raw) if raw else ""
        out[qid] = value if value and value not in missing else None
    return out


def _shown(answers: dict[str, str], qid: str) -> str:
    return answers.get(qid, "") or "(tomt)"


def _reason(ev: rules.Evaluation, answers: dict[str, str], mode: str) -> str:
    if ev.value is None:
        unknown = ", ".join(f"{q} = {_shown(answers, q)}" for q in ev.unknown_keys)
        prefix = "Okänt svar (strikt hantering)" if mode == rules.STRICT else "Okänt svar"
        return f"{prefix}: {unknown}"
    decisive = [leaf for leaf, _, t in ev.trace if t is ev.value]
    shown = ", ".join(dict.fromkeys(f"{leaf.key} = {_shown(answers, leaf.key)}" for leaf in decisive))
    return ("Uppfyller: " if ev.value else "Uppfyller inte: ") + (shown or "regeln")


def evaluate_indicator(
    ind: IndicatorSpec, respondents: list[Respondent], facts: list[dict[str, Optional[str]]]
) -> IndicatorResult:
    evaluate = rules.compile_rule(ind.rule, ind.missing)
    outcomes = []
    num = n = excluded = 0
    for r, f in zip(respondents, facts):
        value = evaluate(f.get)
        outcomes.append(Outcome(r, value, f, ind))
        if value is None:
            excluded += 1
        else:
            n += 1
            num += value is True
    return IndicatorResult(ind, num, n, excluded, tuple(outcomes))


def facts_for(spec: SurveySpec, responses: Responses) -> list[dict[str, Optional[str]]]:
    """Each respondent's normalised facts for the questions the rules read (answers repeat a
    handful of labels, so each distinct label is folded once)."""
    keys = list(dict.fromkeys(k for ind in spec.indicators for k in ind.questions))
    cached_norm = lru_cache(maxsize=4096)(norm)
    return [facts_of(r.answers, spec.missing_normalised, keys, cached_norm) for r in responses.respondents]


def compute(spec: SurveySpec, responses: Responses) -> SurveyResult:
    facts = facts_for(spec, responses)
    return SurveyResult(
        spec,
        responses,
        tuple(evaluate_indicator(ind, responses.respondents, facts) for ind in spec.indicators),
    )
