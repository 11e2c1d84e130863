"""The one measure-unit registry."""

from decimal import Decimal

import pytest

from lagesbild.calc import ratio, units


def test_every_unit_has_what_its_readers_need():
    for code, u in units.UNITS.items():
        assert u.code == code and u.label and u.axis_title
        assert (u.factor is None) == (code == "count")
    assert units.unit("percent").is_share and not units.unit("per_1000").is_share
    assert units.unit("per_1000").suffix == "per 1 000" and units.unit("per_1000").factor == 1000


@pytest.mark.parametrize("code,decimals,expected", [
    ("percent", 1, "#,##0.0"), ("index", 0, "#,##0"), ("count", 0, "#,##0"), ("per_100000", 2, "#,##0.00"),
])
def test_excel_formats_use_the_locale_thousands_separator(code, decimals, expected):
    assert units.excel_format(code, decimals) == expected


def test_excel_formula_and_rate_use_the_same_factor():
    assert units.excel_value_formula("per_1000", "D5", "E5", 0) == '=IF(OR(E5="",E5=0),"",ROUND(D5/E5*1000,0))'
    assert units.excel_value_formula("count", "D5", "E5", 0) is None
    assert ratio.rate(1, 3, "per_1000", 0) == Decimal("333")
    assert ratio.rate(7, None, "count", 0) == Decimal("7")


@pytest.mark.parametrize("text,code", [("%", "percent"), ("Per 1 000", "per_1000"), ("antal", "count"),
                                       ("days", "days"), ("  PER   100000 ", "per_100000")])
def test_parse_accepts_codes_and_swedish_aliases(text, code):
    assert units.parse(text).code == code


def test_parse_unknown_is_none():
    assert units.parse("furlongs") is None


def test_the_model_reads_the_registry():
    from lagesbild.catalogue.models import Measure

    assert Measure.Unit.choices == units.CHOICES
    m = Measure(unit="index", decimals=0)
    assert (m.has_denominator, m.is_share, m.unit_suffix, m.excel_format) == (True, False, "", "#,##0")


def test_dead_code_of_issue_8_item_15_is_gone():
    from lagesbild.calc import status
    from lagesbild.measurements.selectors import MeasureStatus

    assert not hasattr(status, "comparator_for")
    assert not hasattr(MeasureStatus, "change_from_previous")
