from decimal import Decimal

from lagesbild.calc import fmt

NB = "\u00a0"


def test_numbers_swedish_style():
    assert fmt.number(7584) == f"7{NB}584"
    assert fmt.number(1234567) == f"1{NB}234{NB}567"
    assert fmt.number(Decimal("1234.5"), 1) == f"1{NB}234,5"
    assert fmt.number(12) == "12"
    assert fmt.number(None) == "–"
    assert fmt.number(-1500) == f"\u22121{NB}500"


def test_percent_and_points():
    assert fmt.percent(Decimal("81.3")) == f"81,3{NB}%"
    assert fmt.percent(Decimal("81.25")) == f"81,3{NB}%"  # half-up at presentation
    assert fmt.percent(None) == "–"
    assert fmt.points(Decimal("3.2")) == "+3,2 procentenheter"
    assert fmt.points(Decimal("-1")) == "\u22121,0 procentenhet"
    assert fmt.points(Decimal("0")) == "±0,0 procentenheter"
    assert fmt.percent_plain(Decimal("75.0")) == "75,0 procent"
