"""Indicator charts: Vega-Lite spec, server-side SVG/PNG rendering and its cache."""

import copy
import subprocess
import sys
from pathlib import Path

import altair as alt
import pytest

from lagesbild.ingest.readers import read_path
from lagesbild.reports import charts
from lagesbild.surveys.engine import compute
from lagesbild.surveys.presenters import chart_rows, present
from lagesbild.surveys.responses import validate
from lagesbild.surveys.spec import load_spec

DEMO = Path(__file__).resolve().parents[2] / "lagesbild" / "surveys" / "demo"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    spec = load_spec(DEMO / "sos-2025.yaml")
    result = compute(spec, validate(spec, read_path(DEMO / "sos-2025-svar.csv")))
    return chart_rows(present(result))


@pytest.fixture(autouse=True)
def fresh_cache():
    charts.clear_cache()
    yield
    charts.clear_cache()


def test_rows_carry_floats_from_the_engine(rows):
    ui1 = rows[0]
    assert ui1 == {
        "id": "UI1",
        "title": "Arbetssätt för att identifiera vårdskador i regionerna",
        "percent": 81.3,
        "low": 57.0,
        "high": 93.4,
        "n": 16,
    }
    assert [r["id"] for r in rows] == [f"UI{i}" for i in range(1, 10)]
    assert all(isinstance(r["percent"], float) for r in rows)


def test_spec_has_bars_interval_rules_and_comma_labels(rows):
    spec = charts.indicator_bar_spec(rows)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "rule", "text"]
    bars, rule, _ = spec["layer"]
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert bars["encoding"]["x"]["title"] == "Andel (%)"
    assert (rule["encoding"]["x"]["field"], rule["encoding"]["x2"]["field"]) == ("low", "high")
    values = spec["data"]["values"]
    assert values[0]["label"] == "81,3\u00a0%"
    assert "81,3" in spec["description"]


def test_indicators_without_percent_are_left_out():
    rows = [
        {"id": "A", "title": "Har svar", "percent": 50.0, "low": 30.0, "high": 70.0, "n": 10},
        {"id": "B", "title": "Inga svar", "percent": None, "low": None, "high": None, "n": 0},
    ]
    values = charts.indicator_bar_spec(rows)["data"]["values"]
    assert [v["category"] for v in values] == ["A Har svar"]


def test_svg_has_label_and_accessible_title(rows):
    out = charts.svg(charts.indicator_bar_spec(rows))
    assert "<svg" in out
    assert "81,3" in out
    assert out.index("<title>") < out.index("81,3")  # the chart's description comes first
    assert "http://" not in out.replace("http://www.w3.org/", "")


def test_png_is_a_png(rows):
    data = charts.png(charts.indicator_bar_spec(rows), scale=1)
    assert data.startswith(PNG_MAGIC)


def test_cache_returns_the_same_object_for_an_equal_spec(rows):
    spec = charts.indicator_bar_spec(rows)
    first = charts.svg(spec)
    assert charts.svg(copy.deepcopy(spec)) is first
    assert charts.png(spec, scale=1) is charts.png(copy.deepcopy(spec), scale=1)
    other = copy.deepcopy(spec)
    other["width"] = 200
    assert charts.svg(other) is not first


def test_report_writers_do_not_import_django():
    """The command line writes reports without a database: no Django on the import path (the
    writers and the survey presenter they render)."""
    code = (
        "import sys; import lagesbild.reports.charts, lagesbild.reports.survey_xlsx, lagesbild.reports.survey_pptx, "
        "lagesbild.surveys.presenters; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


MONTHS = [f"{m} {y}" for y in (2023, 2024, 2025) for m in
          ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]]
NAMES = {"unit": "Region Kalmar län", "last_year": "Samma period året före", "reference": "Riket (publicerat)",
         "target": "Mål ≥ 90,0 %"}


def _series_rows() -> list[dict]:
    unit = [{"period": p, "series": "unit", "value": None if i in (4, 5) else 80.0 + i % 5, "text": f"{80 + i % 5} %"}
            for i, p in enumerate(MONTHS)]
    last = [{"period": p, "series": "last_year", "value": 70.0, "text": "70 %"} for p in MONTHS]
    ref = [{"period": p, "series": "reference", "value": 85.0 if i >= 24 else None, "text": "85 %"}
           for i, p in enumerate(MONTHS)]
    return unit + last + ref


def test_time_series_has_readable_x_labels_a_legend_and_zero_based_shares():
    spec = charts.time_series_spec(_series_rows(), "Andel", {"value": 90.0, "text": "≥ 90,0 %"}, "Andel (%)", NAMES)
    alt.TopLevelLayerSpec.from_dict(spec)  # a valid Vega-Lite spec (raises otherwise)
    lines = spec["layer"][0]["encoding"]
    assert lines["x"]["axis"]["labelAngle"] == 0
    assert lines["x"]["axis"]["values"] == ["jun 2023", "dec 2023", "jun 2024", "dec 2024", "jun 2025", "dec 2025"]
    assert lines["color"]["scale"]["domain"] == list(NAMES.values())  # every series in the legend
    assert lines["color"]["legend"] is not None
    assert lines["y"]["scale"]["zero"] is True
    no_zero = charts.time_series_spec(_series_rows(), "Antal", None, "Antal", NAMES, zero=False)
    assert no_zero["layer"][0]["encoding"]["y"]["scale"]["zero"] is False


def test_time_series_breaks_the_line_where_a_period_has_no_value():
    values = charts.time_series_spec(_series_rows(), "Andel", None, "Andel (%)", NAMES)["data"]["values"]
    unit = [v for v in values if v["series"] == "unit"]
    assert {v["segment"] for v in unit} == {"unit 0", "unit 1"}  # may 2023 and jun 2023 missing
    assert [v["period"] for v in unit if v["segment"] == "unit 1"][0] == "jul 2023"
    assert {v["segment"] for v in values if v["series"] == "reference"} == {"reference 0"}


def test_time_series_svg_has_a_hover_title_per_point_and_scales_to_its_container():
    out = charts.svg(charts.time_series_spec(_series_rows(), "Andel", {"value": 90.0, "text": "≥ 90,0 %"},
                                             "Andel (%)", NAMES))
    root = out[:out.index(">")]
    assert "viewBox=" in root and " width=" not in root and " height=" not in root
    assert "<title>Region Kalmar län, jan 2023: 80 %</title>" in out
    assert "<title>Riket (publicerat), dec 2025: 85 %</title>" in out
    assert out.count("<title>Region Kalmar län, ") == 34  # 36 months, two without a value


def test_sparkline_shows_months_without_data_as_gaps():
    from decimal import Decimal

    from lagesbild.reports.sparkline import sparkline

    d = Decimal
    out = sparkline([d(1), d(2), None, None, d(3), None, d(2), d(4), None], "Andel")
    assert out.count("<polyline") == 2  # jan–feb and jul–aug; the line does not bridge the gaps
    assert out.count("<circle") == 1  # may, with a gap on both sides
    assert out.count('class="gap"') == 3  # mar–apr, jun, sep marked as missing
    assert 'aria-label="Andel, 4 av 9 månader utan data"' in out
    full = sparkline([d(1), d(2), d(3)], "Andel")
    assert 'class="gap"' not in full and 'aria-label="Andel"' in full
