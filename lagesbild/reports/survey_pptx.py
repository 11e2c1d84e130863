"""A PowerPoint deck of the development indicators: one native bar chart per indicator.

Slides: a title slide, then per focus area (in the national plan's order) a divider slide
followed by its indicators; indicators without a focus area come last under "Övriga
indikatorer". No Django here: the command line writes the deck without a database.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from typing import BinaryIO, Optional, Union

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from lagesbild.calc import fmt
from lagesbild.catalogue.framework import FOCUS_AREAS
from lagesbild.surveys.engine import IndicatorResult, SurveyResult

from .survey_xlsx import MISSING_TEXT, describe_rule, focus_area_name, population_words

SUBTITLE = "Utvecklingsindikatorer – nationell nivå"
OTHERS = "Övriga indikatorer"
NATION = "Riket"

# Layouts of python-pptx's default template.
TITLE_LAYOUT, SECTION_LAYOUT, TITLE_ONLY_LAYOUT = 0, 2, 5

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.6)

Out = Union[str, os.PathLike, BinaryIO]


def write_survey_pptx(result: SurveyResult, out: Out, previous: Optional[SurveyResult] = None) -> None:
    """Write the deck to ``out`` (a path or a binary file object).

    ``previous`` is an earlier result the caller has established as comparable; its percent
    becomes a second bar ("Riket <year>") where it has the same indicator.
    """
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _title_slide(prs, result)
    for heading, indicators in grouped_indicators(result):
        _section_slide(prs, heading, indicators)
        for ind in indicators:
            _indicator_slide(prs, result, ind, previous)
    prs.save(os.fspath(out) if isinstance(out, (str, os.PathLike)) else out)


def grouped_indicators(result: SurveyResult) -> list[tuple[str, list[IndicatorResult]]]:
    """(divider title, indicators) in focus-area order; areas without indicators are skipped."""
    groups = []
    for number, _ in FOCUS_AREAS:
        members = [ind for ind in result.indicators if ind.spec.focus_area == number]
        if members:
            groups.append((f"Fokusområde {focus_area_name(number)}", members))
    known = {number for number, _ in FOCUS_AREAS}
    others = [ind for ind in result.indicators if ind.spec.focus_area not in known]
    if others:
        groups.append((OTHERS, others))
    return groups


def indicator_heading(ind: IndicatorResult) -> str:
    """'Utvecklingsindikator 1: <title>' for UI1; ids not of that shape are shown as they are."""
    m = re.fullmatch(r"[^\W\d_]+(\d+)", ind.spec.id)
    return f"Utvecklingsindikator {m.group(1) if m else ind.spec.id}: {ind.spec.title}"


def _place(shape, left: int, top: int, width: int, height: int) -> None:
    """Override a placeholder's geometry (the default template is laid out for 4:3)."""
    shape.left, shape.top, shape.width, shape.height = Emu(left), Emu(top), Emu(width), Emu(height)


def _title_slide(prs: PresentationType, result: SurveyResult) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_LAYOUT])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    _place(title, MARGIN, Inches(2.0), WIDTH - 2 * MARGIN, Inches(1.8))
    _place(subtitle, MARGIN, Inches(4.0), WIDTH - 2 * MARGIN, Inches(1.5))
    title.text = result.spec.title
    subtitle.text_frame.text = SUBTITLE
    subtitle.text_frame.add_paragraph().text = str(result.spec.year)


def _section_slide(prs: PresentationType, heading: str, indicators: list[IndicatorResult]) -> None:
    """A divider: the focus area's name over the list of its indicators."""
    slide = prs.slides.add_slide(prs.slide_layouts[SECTION_LAYOUT])
    title, body = slide.shapes.title, slide.placeholders[1]
    _place(title, MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(1.6))
    _place(body, MARGIN, Inches(4.0), WIDTH - 2 * MARGIN, Inches(2.5))
    title.text = heading
    body.text_frame.text = indicator_heading(indicators[0])
    for ind in indicators[1:]:
        body.text_frame.add_paragraph().text = indicator_heading(ind)


def _indicator_slide(
    prs: PresentationType, result: SurveyResult, ind: IndicatorResult, previous: Optional[SurveyResult]
) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
    _place(slide.shapes.title, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(1.2))
    slide.shapes.title.text = indicator_heading(ind)
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(28)
    _indicator_text(slide, result, ind)
    _indicator_chart(slide, result, ind, previous)
    _notes(slide, result, ind)


def _indicator_text(slide: Slide, result: SurveyResult, ind: IndicatorResult) -> None:
    """Statement, n and the interval in a text box left of the chart."""
    plural, definite = population_words(result.spec.population)
    box = slide.shapes.add_textbox(MARGIN, Inches(1.7), Inches(5.2), Inches(5.0))
    tf = box.text_frame
    tf.word_wrap = True
    tf.text = ind.statement(definite)
    tf.paragraphs[0].font.size = Pt(20)
    lines = [f"n={fmt.number(ind.n)} {plural}"]
    if ind.excluded:
        lines.append(f"Exkluderade på grund av okänt svar: {fmt.number(ind.excluded)}")
    if ind.wilson is not None:
        low, high = ind.wilson
        lines.append(f"95 % konfidensintervall: {fmt.number(low, 1)}{fmt.DASH}{fmt.percent(high)}")
    for line in lines:
        p = tf.add_paragraph()
        p.text = line
        p.font.size = Pt(16)
        p.space_before = Pt(12)


def chart_points(
    result: SurveyResult, ind: IndicatorResult, previous: Optional[SurveyResult]
) -> list[tuple[str, Optional[float]]]:
    """(category, percent) in time order: the previous year first when it has the indicator."""
    points = []
    if previous is not None:
        try:
            before = previous.indicator(ind.spec.id)
        except KeyError:
            before = None
        if before is not None:
            points.append((f"{NATION} {previous.spec.year}", _float(before.percent)))
    points.append((f"{NATION} {result.spec.year}", _float(ind.percent)))
    return points


def _float(value: Optional[Decimal]) -> Optional[float]:
    return None if value is None else float(value)


def _indicator_chart(
    slide: Slide, result: SurveyResult, ind: IndicatorResult, previous: Optional[SurveyResult]
) -> None:
    """A native clustered column chart, 0–100 %, with one-decimal data labels."""
    points = chart_points(result, ind, previous)
    data = CategoryChartData(number_format="0.0")
    data.categories = [c for c, _ in points]
    data.add_series("Andel (%)", [v for _, v in points])
    left = MARGIN + Inches(5.6)
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, left, Inches(1.6), WIDTH - left - MARGIN, Inches(5.4), data
    )
    chart = frame.chart
    chart.has_legend = False
    chart.font.size = Pt(14)
    axis = chart.value_axis
    axis.minimum_scale, axis.maximum_scale = 0, 100
    axis.major_unit = 20
    axis.has_major_gridlines = True
    axis.has_title = True
    axis.axis_title.text_frame.text = "Andel (%)"
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = "0", False
    plot = chart.plots[0]
    plot.gap_width = 80
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = "0.0", False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(16)


def _notes(slide: Slide, result: SurveyResult, ind: IndicatorResult) -> None:
    """Speaker notes with the rule, so the presenter can answer 'how is this counted?'."""
    notes = slide.notes_slide.notes_text_frame
    notes.text = f"Regel: {describe_rule(ind.spec.rule, result.spec.questions)}"
    notes.add_paragraph().text = f"Okända svar: {MISSING_TEXT.get(ind.spec.missing, ind.spec.missing)}"
    notes.add_paragraph().text = (
        f"Täljare {ind.numerator}, n {ind.n}, exkluderade {ind.excluded}. Källa: {result.spec.title}."
    )
