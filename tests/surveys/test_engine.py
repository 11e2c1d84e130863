from decimal import Decimal

import pytest

from lagesbild.ingest.errors import InputError
from lagesbild.ingest.readers import read_path, read_table
from lagesbild.surveys.engine import compute
from lagesbild.surveys.responses import validate
from lagesbild.surveys.spec import load_spec, parse_spec
from tests.conftest import PUBLISHED_2025

SPEC = """
survey: {id: s, title: T, year: 2025, population: region, missing: ["Vet ej"]}
questions:
  Q1: {options: [Ja, Nej, Vet ej]}
  Q2: {options: [Ja, Nej, Vet ej]}
indicators:
  - id: K
    title: Kleene
    rule: {all: [{question: Q1, in: [Ja]}, {question: Q2, in: [Ja]}]}
  - id: S
    title: Strikt
    missing: strict
    rule: {all: [{question: Q1, in: [Ja]}, {question: Q2, in: [Ja]}]}
"""


def run(csv_text: str, spec_text: str = SPEC):
    spec = parse_spec(spec_text)
    return compute(spec, validate(spec, read_table(csv_text.encode("utf-8"), "svar.csv")))


def test_demo_reproduces_published_national_figures(demo_dir):
    spec = load_spec(demo_dir / "sos-2025.yaml")
    result = compute(spec, validate(spec, read_path(demo_dir / "sos-2025-svar.csv")))
    got = {r.spec.id: (str(r.percent), r.numerator, r.n) for r in result.indicators}
    assert got == PUBLISHED_2025
    for r in result.indicators:
        assert r.n + r.excluded == 21


def test_demo_ui9_strict_excludes_regions_kleene_would_count(demo_dir):
    """UI9 is strict: at least one region answered 'Nej' to one part and 'Vet ej' to another.
    Kleene would put it in the denominator; strict excludes it."""
    spec = load_spec(demo_dir / "sos-2025.yaml")
    responses = validate(spec, read_path(demo_dir / "sos-2025-svar.csv"))
    ui9 = compute(spec, responses).indicator("UI9")
    differs = [
        o for o in ui9.outcomes
        if o.value is None and "nej" in {o.respondent.answers[q].casefold() for q in ("F11", "F12", "F13")}
    ]
    assert differs, "the demo should show the difference between strict and Kleene"


def test_kleene_versus_strict_and_exclusion():
    result = run(
        "respondent;respondent_type;Q1;Q2\n"
        "A;region;Ja;Ja\n"        # both: numerator
        "B;region;Nej;Vet ej\n"   # Kleene: false (Nej decides); strict: excluded
        "C;region;Ja;\n"          # blank is unknown: excluded in both
        "D;region; ja ;JA\n"      # trimming and case-folding
        "E;kommun;Ja;Ja\n"        # outside the population
    )
    k, s = result.indicator("K"), result.indicator("S")
    assert (k.numerator, k.n, k.excluded, k.percent) == (2, 3, 1, Decimal("66.7"))
    assert (s.numerator, s.n, s.excluded, s.percent) == (2, 2, 2, Decimal("100.0"))
    assert [o.role for o in k.outcomes] == ["täljare", "nämnare", "exkluderad", "täljare"]
    assert k.outcome_for("B").reason == "Uppfyller inte: Q1 = Nej"
    assert s.outcome_for("B").reason == "Okänt svar (strikt hantering): Q2 = Vet ej"
    assert k.outcome_for("C").reason == "Okänt svar: Q2 = (tomt)"
    assert [r.key for r in result.responses.outside_population] == ["E"]


def test_n_zero_gives_null_percent():
    result = run("respondent;respondent_type;Q1;Q2\nA;region;Vet ej;Vet ej\n")
    assert result.as_json()["indicators"][0] == {
        "id": "K", "title": "Kleene", "numerator": 0, "n": 0, "excluded": 1, "percent": None,
    }


def bad(csv_text: str, spec_text: str = SPEC):
    with pytest.raises(InputError) as exc:
        run(csv_text, spec_text)
    return exc.value.problems


def test_duplicate_respondent_names_both_rows():
    (p,) = bad("respondent;respondent_type;Q1;Q2\nA;region;Ja;Ja\nB;region;Ja;Ja\n a ;region;Ja;Nej\n")
    assert (p.file, p.row, p.column, p.value) == ("svar.csv", 4, "respondent", "a")
    assert "rad 2" in p.message


def test_label_outside_options_is_located():
    (p,) = bad("respondent;respondent_type;Q1;Q2\nA;region;Ja;Kanske\n")
    assert (p.row, p.column, p.value) == (2, "Q2", "Kanske")
    assert str(p) == (
        "svar.csv, rad 2, kolumn 'Q2': svaret finns inte bland frågans alternativ (Ja, Nej, Vet ej) (värde: 'Kanske')"
    )


def test_missing_question_column_names_the_indicator():
    problems = bad("respondent;respondent_type;Q1\nA;region;Ja\n")
    assert {p.column for p in problems} == {"Q2"}
    assert "indikator K" in problems[0].message


def test_missing_respondent_type_when_population_is_set():
    problems = bad("respondent;Q1;Q2\nA;Ja;Ja\n")
    assert "respondent_type" in problems[0].message


def test_header_only_is_an_error():
    (p,) = bad("respondent;respondent_type;Q1;Q2\n")
    assert "inga svar" in p.message


def test_all_problems_are_reported_together():
    problems = bad("respondent;respondent_type;Q1;Q2\nA;region;Kanske;Ja\nA;region;Ja;Ja\n;region;Ja;Ja\n")
    assert [(p.row, p.column) for p in problems] == [(2, "Q1"), (3, "respondent"), (4, "respondent")]
