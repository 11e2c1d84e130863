"""Indicator charts: Vega-Lite spec, server-side SVG/PNG rendering and its cache."""

import copy
import subprocess
import sys
from pathlib import Path

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
