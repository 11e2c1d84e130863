"""Turning improvement records into what the pages show (Swedish text, formatted numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from lagesbild.calc import fmt
from lagesbild.calc import status as calc_status
from lagesbild.calc.periods import Period
from lagesbild.measurements.presenters import format_with_unit

from .models import FollowUp

TREND_TEXT = {"better": "Förbättring", "worse": "Försämring", "same": "Oförändrat"}


@dataclass
class FollowUpView:
    follow_up: FollowUp
    before_text: str
    after_text: str
    change_text: str
    trend: Optional[str]

    @property
    def trend_text(self) -> str:
        return TREND_TEXT.get(self.trend, "")


def _value_text(measure, period_label: str, value, source: str) -> str:
    if value is None and not period_label:
        return fmt.DASH
    text = format_with_unit(measure, value)
    if period_label:
        text = f"{period_label}: {text}"
    if value is not None and source:
        text += f" ({dict(FollowUp.Source.choices).get(source, source).lower()})"
    return text


def follow_up_view(f: FollowUp, measure) -> FollowUpView:
    before = _value_text(measure, f.period_before_label, f.value_before, f.value_before_source)
    after = _value_text(measure, f.period_after_label, f.value_after, f.value_after_source)
    change, trend = "", None
    if f.value_before is not None and f.value_after is not None:
        diff = f.value_after - f.value_before
        trend = calc_status.trend(f.value_after, f.value_before, measure.direction)
        if measure.unit == "percent":
            change = fmt.points(diff, measure.decimals)
        else:
            sign = "+" if diff > 0 else ("±" if diff == 0 else "")
            change = sign + format_with_unit(measure, diff)
    return FollowUpView(f, before, after, change, trend)


def default_after_period(analysis_period: Period, today: date) -> Period:
    """The latest complete period of the analysis's granularity, but never before the analysis."""
    last = Period.containing(today, analysis_period.granularity).previous
    return last if last > analysis_period else analysis_period.shift(1)
