"""A PowerPoint deck of the development indicators: one native bar chart per indicator.

Slides: a title slide, then per focus area (in the plan's order, by number) a divider slide
followed by its indicators; indicators without a focus area come last under "Övriga
indikatorer". The writer renders a survey presenter's report (duck-typed): it knows the
format, not the domain. No Django here: the command line writes the deck without a database.
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

SUBTITLE = "Utvecklingsindikatorer – nationell nivå"
OTHERS = "Övriga indikatorer"
NATION = "Riket"

# Layouts of python-pptx's default template.
TITLE_LAYOUT, SECTION_LAYOUT, TITLE_ONLY_LAYOUT = 0, 2, 5

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.6)

Out = Union[str, os.PathLike, BinaryIO]


def write_survey_pptx(report, out: Out) -> None:
    """Write the deck for a presenter's survey report to ``out`` (a path or a binary file object).

    When the report is comparable with an earlier survey, the previous year's percent becomes a
    second bar ("Riket <year>") where it has the same indicator.
    """
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _title_slide(prs, report)
    for heading, rows in grouped_indicators(report):
        _section_slide(prs, heading, rows)
        for row in rows:
            _indicator_slide(prs, report, row)
    prs.save(os.fspath(out) if isinstance(out, (str, os.PathLike)) else out)


def grouped_indicators(report) -> list[tuple[str, list]]:
    """(divider title, rows) in focus-area order; indicators without a named focus area last."""
    numbers = sorted({row.focus_area for row in report.rows if row.focus_area_name})
    groups = []
    for number in numbers:
        members = [row for row in report.rows if row.focus_area == number and row.focus_area_name]
        groups.append((f"Fokusområde {members[0].focus_area_name}", members))
    others = [row for row in report.rows if not row.focus_area_name]
    if others:
        groups.append((OTHERS, others))
    return groups


def indicator_heading(row) -> str:
    """'Utvecklingsindikator 1: <title>' for UI1; ids not of that shape are shown as they are."""
    m = re.fullmatch(r"[^\W\d_]+(\d+)", row.id)
    return f"Utvecklingsindikator {m.group(1) if m else row.id}: {row.title}"


def _place(shape, left: int, top: int, width: int, height: int) -> None:
    """Override a placeholder's geometry (the default template is laid out for 4:3)."""
    shape.left, shape.top, shape.width, shape.height = Emu(left), Emu(top), Emu(width), Emu(height)


def _title_slide(prs: PresentationType, report) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_LAYOUT])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    _place(title, MARGIN, Inches(2.0), WIDTH - 2 * MARGIN, Inches(1.8))
    _place(subtitle, MARGIN, Inches(4.0), WIDTH - 2 * MARGIN, Inches(1.5))
    title.text = report.title
    subtitle.text_frame.text = SUBTITLE
    subtitle.text_frame.add_paragraph().text = str(report.year)


def _section_slide(prs: PresentationType, heading: str, rows: list) -> None:
    """A divider: the focus area's name over the list of its indicators."""
    slide = prs.slides.add_slide(prs.slide_layouts[SECTION_LAYOUT])
    title, body = slide.shapes.title, slide.placeholders[1]
    _place(title, MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(1.6))
    _place(body, MARGIN, Inches(4.0), WIDTH - 2 * MARGIN, Inches(2.5))
    title.text = heading
    body.text_frame.text = indicator_heading(rows[0])
    for row in rows[1:]:
        body.text_frame.add_paragraph().text = indicator_heading(row)


def _indicator_slide(prs: PresentationType, report, row) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
    _place(slide.shapes.title, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(1.2))
    slide.shapes.title.text = indicator_heading(row)
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(28)
    _indicator_text(slide, report, row)
    _indicator_chart(slide, report, row)
    _notes(slide, report, row)


def _indicator_text(slide: Slide, report, row) -> None:
    """Statement, n and the interval in a text box left of the chart."""
    box = slide.shapes.add_textbox(MARGIN, Inches(1.7), Inches(5.2), Inches(5.0))
    tf = box.text_frame
    tf.word_wrap = True
    tf.text = row.statement
    tf.paragraphs[0].font.size = Pt(20)
    lines = [f"n={fmt.number(row.n)} {report.population_plural}"]
    if row.excluded:
        lines.append(f"Exkluderade på grund av okänt svar: {fmt.number(row.excluded)}")
    if row.interval is not None:
        low, high = row.interval
        lines.append(f"95 % konfidensintervall: {fmt.number(low, 1)}{fmt.DASH}{fmt.percent(high)}")
    for line in lines:
        p = tf.add_paragraph()
        p.text = line
        p.font.size = Pt(16)
        p.space_before = Pt(12)


def chart_points(report, row) -> list[tuple[str, Optional[float]]]:
    """(category, percent) in time order: the previous year first when it has the indicator."""
    points = []
    if row.previous is not None:
        points.append((f"{NATION} {report.previous_year}", _float(row.previous.percent)))
    points.append((f"{NATION} {report.year}", _float(row.percent)))
    return points


def _float(value: Optional[Decimal]) -> Optional[float]:
    return None if value is None else float(value)


def _indicator_chart(slide: Slide, report, row) -> None:
    """A native clustered column chart, 0–100 %, with one-decimal data labels."""
    points = chart_points(report, row)
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


def _notes(slide: Slide, report, row) -> None:
    """Speaker notes with the rule, so the presenter can answer 'how is this counted?'."""
    notes = slide.notes_slide.notes_text_frame
    notes.text = f"Regel: {row.rule_text}"
    notes.add_paragraph().text = f"Okända svar: {row.missing_text}"
    notes.add_paragraph().text = (
        f"Täljare {row.numerator}, n {row.n}, exkluderade {row.excluded}. Källa: {report.title}."
    )
