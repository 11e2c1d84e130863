"""The survey deck: slide order by focus area, native charts and the indicator sentences."""

import io
from dataclasses import replace
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from lagesbild.catalogue.framework import FOCUS_AREAS
from lagesbild.ingest.tabular import Table
from lagesbild.ingest.readers import read_path
from lagesbild.reports.survey_pptx import write_survey_pptx
from lagesbild.surveys.engine import compute
from lagesbild.surveys.presenters import present
from lagesbild.surveys.responses import validate
from lagesbild.surveys.spec import load_spec, parse_spec

DEMO = Path(__file__).resolve().parents[2] / "lagesbild" / "surveys" / "demo"


@pytest.fixture(scope="module")
def result():
    spec = load_spec(DEMO / "sos-2025.yaml")
    return compute(spec, validate(spec, read_path(DEMO / "sos-2025-svar.csv")))


@pytest.fixture(scope="module")
def deck(result, tmp_path_factory):
    path = tmp_path_factory.mktemp("pptx") / "sos-2025.pptx"
    write_survey_pptx(present(result), path)
    return Presentation(str(path))


def title_of(slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def texts_of(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def charts_of(slide) -> list:
    return [s.chart for s in slide.shapes if s.has_chart]


def test_slide_count_and_order(deck, result):
    dividers = [f"Fokusområde {n}. {name}" for n, name in FOCUS_AREAS]  # the demo uses all five
    slides = list(deck.slides)
    assert len(slides) == 1 + len(dividers) + len(result.indicators) == 15
    assert title_of(slides[0]) == "Enkät om regionernas patientsäkerhetsarbete 2025"
    assert "Utvecklingsindikatorer – nationell nivå" in texts_of(slides[0])
    assert "2025" in texts_of(slides[0])
    assert [title_of(s) for s in slides[1:]] == [
        dividers[0],
        "Utvecklingsindikator 1: Arbetssätt för att identifiera vårdskador i regionerna",
        dividers[1],
        "Utvecklingsindikator 2: Ansvarsfördelning i det systematiska patientsäkerhetsarbetet i regionerna",
        dividers[2],
        "Utvecklingsindikator 3: Riskbedömning och anpassning vid förändrade förutsättningar i regionerna",
        "Utvecklingsindikator 4: Introduktionsutbildning i patientsäkerhet för chefer i regionerna",
        "Utvecklingsindikator 5: Fortbildning i patientsäkerhet för chefer i regionerna",
        "Utvecklingsindikator 6: Introduktionsutbildning i patientsäkerhet för legitimerad hälso- och sjukvårdspersonal",
        "Utvecklingsindikator 7: Fortbildning i patientsäkerhet för legitimerad hälso- och sjukvårdspersonal",
        dividers[3],
        "Utvecklingsindikator 8: Gemensamma forum i vårdkedjor i regionerna",
        dividers[4],
        "Utvecklingsindikator 9: Ansvarsfördelning vid riskanalyser i regionerna",
    ]


def indicator_slides(deck) -> list:
    return [s for s in deck.slides if title_of(s).startswith("Utvecklingsindikator ")]


def test_each_indicator_slide_has_a_native_chart_with_the_percent(deck, result):
    slides = indicator_slides(deck)
    assert len(slides) == len(result.indicators)
    for slide, ind in zip(slides, result.indicators):
        (chart,) = charts_of(slide)
        assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
        assert list(chart.plots[0].categories) == ["Riket 2025"]
        assert chart.plots[0].series[0].values[0] == float(ind.percent)
        axis = chart.value_axis
        assert (axis.minimum_scale, axis.maximum_scale) == (0, 100)
        labels = chart.plots[0].data_labels
        assert labels.number_format == "0.0" and not labels.number_format_is_linked
        assert ind.statement("regionerna") in texts_of(slide)
        assert f"n={ind.n} regioner" in texts_of(slide)


def test_ui1_slide_text(deck):
    text = texts_of(indicator_slides(deck)[0])
    assert "81,3 procent av regionerna har dokumenterade rutiner" in text
    assert "n=16 regioner" in text
    assert "57,0–93,4\u00a0%" in text


def test_previous_year_becomes_a_second_bar(result, tmp_path):
    table = read_path(DEMO / "sos-2025-svar.csv")
    spec = replace(result.spec, id="jmf", year=2024, indicators=result.spec.indicators[:2])
    previous = compute(spec, validate(spec, Table(table.file, table.header, table.rows[:10])))
    path = tmp_path / "jmf.pptx"
    write_survey_pptx(present(result, previous), path)
    slides = indicator_slides(Presentation(str(path)))
    for slide, ind in zip(slides, result.indicators):
        plot = charts_of(slide)[0].plots[0]
        if ind.spec.id in ("UI1", "UI2"):
            before = float(previous.indicator(ind.spec.id).percent)
            assert list(plot.categories) == ["Riket 2024", "Riket 2025"]
            assert plot.series[0].values == (before, float(ind.percent))
        else:  # the earlier year lacks the indicator: a single bar
            assert list(plot.categories) == ["Riket 2025"]


def test_indicators_without_focus_area_come_last_and_other_populations():
    spec = parse_spec(
        """
survey: {id: k, title: Kommunenkät, year: 2025, population: kommun, missing: ["Vet ej"]}
questions:
  Q1: {options: ["Ja", "Nej", "Vet ej"]}
  Q2: {options: ["Ja", "Nej", "Vet ej"]}
indicators:
  - {id: Extra, title: Utan fokusområde, rule: {question: Q1, in: ["Ja"]}}
  - {id: KI7, title: Med fokusområde, focus_area: 2, rule: {question: Q1, in: ["Nej"]}}
  - {id: Ingen, title: Ingen vet, rule: {question: Q2, in: ["Ja"]}}
"""
    )
    rows = [(2, ["A", "Kommun", "Ja", "Vet ej"]), (3, ["B", "Kommun", "Nej", ""]), (4, ["C", "Region", "Ja", "Ja"])]
    header = ["respondent", "respondent_type", "Q1", "Q2"]
    res = compute(spec, validate(spec, Table("svar.csv", header, rows)))
    buffer = io.BytesIO()
    write_survey_pptx(present(res), buffer)
    slides = list(Presentation(io.BytesIO(buffer.getvalue())).slides)
    assert [title_of(s) for s in slides[1:]] == [
        "Fokusområde 2. Tillförlitliga och säkra system och processer",
        "Utvecklingsindikator 7: Med fokusområde",
        "Övriga indikatorer",
        "Utvecklingsindikator Extra: Utan fokusområde",
        "Utvecklingsindikator Ingen: Ingen vet",
    ]
    assert "n=2 kommuner" in texts_of(slides[2])
    assert "50,0 procent av kommunerna uppfyller indikatorn KI7" in texts_of(slides[2])
    # Nobody knows: no percent, an empty bar and a dash in the sentence.
    assert "n=0 kommuner" in texts_of(slides[5])
    assert "\n– av kommunerna uppfyller" in texts_of(slides[5])
    assert charts_of(slides[5])[0].plots[0].series[0].values == (None,)
