from pathlib import Path

import pytest

from lagesbild.calc.rules import All, Any, Leaf, Not
from lagesbild.ingest.errors import InputError
from lagesbild.surveys.spec import load_spec, parse_spec

MINIMAL = """
survey: {id: s1, title: Test, year: 2025}
indicators:
  - id: I1
    title: Ett
    rule: {question: Q1, in: ["Ja"]}
"""


def problems(text):
    with pytest.raises(InputError) as exc:
        parse_spec(text, "spec.yaml")
    return [str(p) for p in exc.value.problems]


def test_minimal_spec_and_defaults():
    spec = parse_spec(MINIMAL)
    assert (spec.id, spec.title, spec.year, spec.population) == ("s1", "Test", 2025, None)
    assert spec.indicators[0].rule == Leaf("Q1", frozenset({"ja"}))
    assert spec.indicators[0].missing == "kleene"


def test_demo_spec_parses(demo_dir):
    spec = load_spec(demo_dir / "sos-2025.yaml")
    assert [i.id for i in spec.indicators] == [f"UI{n}" for n in range(1, 10)]
    assert spec.indicator("UI9").missing == "strict"
    assert spec.population == "region"
    assert spec.missing_labels == ("Vet ej",)


def test_nested_rule_and_label_normalisation():
    spec = parse_spec(
        """
survey: {id: s, title: T, year: 2025}
indicators:
  - id: I
    title: T
    rule:
      all:
        - {question: Q1, in: ["  JA "]}
        - any:
            - {question: Q2, in: ["Ja, till stor del"]}
            - not: {question: Q3, in: ["Nej"]}
"""
    )
    assert spec.indicators[0].rule == All(
        (Leaf("Q1", frozenset({"ja"})), Any((Leaf("Q2", frozenset({"ja, till stor del"})), Not(Leaf("Q3", frozenset({"nej"}))))))
    )


def test_unreadable_yaml_names_the_line():
    with pytest.raises(InputError) as exc:
        parse_spec("survey: {id: s\nindicators: [", "trasig.yaml")
    p = exc.value.problems[0]
    assert p.file == "trasig.yaml" and p.row is not None and "YAML" in p.message


def test_unknown_combinator_is_located():
    text = MINIMAL.replace('rule: {question: Q1, in: ["Ja"]}', 'rule: {xor: [{question: Q1, in: ["Ja"]}]}')
    (msg,) = problems(text)
    assert "indicators[0] (I1).rule" in msg and "okänd kombinator" in msg and "'xor'" in msg


def test_missing_required_keys_are_all_reported():
    msgs = problems("survey: {title: T}\nindicators:\n  - {title: X}\n")
    joined = "\n".join(msgs)
    for needle in ("survey.id", "survey.year", "indicators[0].id", "indicators[0].rule"):
        assert needle in joined


def test_label_outside_declared_options_in_rule():
    text = """
survey: {id: s, title: T, year: 2025}
questions:
  Q1: {text: Fråga, options: [Ja, Nej]}
indicators:
  - {id: I, title: T, rule: {question: Q1, in: ["Kanske"]}}
  - {id: J, title: T, rule: {question: Q9, in: ["Ja"]}}
"""
    msgs = problems(text)
    assert any("Kanske" in m and "alternativ" in m for m in msgs)
    assert any("Q9" in m and "finns inte under questions" in m for m in msgs)


def test_yaml_booleans_must_be_quoted():
    (msg,) = problems(MINIMAL.replace('in: ["Ja"]', "in: [yes]"))
    assert "citattecken" in msg


def test_duplicate_indicator_and_bad_focus_area_and_mode():
    text = """
survey: {id: s, title: T, year: 2025}
indicators:
  - {id: I, title: T, focus_area: 7, missing: lenient, rule: {question: Q1, in: [Ja]}}
  - {id: I, title: T, rule: {question: Q1, in: [Ja]}}
"""
    joined = "\n".join(problems(text))
    assert "fokusområde 1–5" in joined and "kleene eller strict" in joined and "två gånger" in joined


def test_empty_spec_file(tmp_path):
    f = tmp_path / "tom.yaml"
    f.write_bytes(b"")
    with pytest.raises(InputError, match="filen är tom"):
        load_spec(f)


def test_the_documented_example_parses_with_the_real_parser():
    """docs/architecture.md's "Survey specification" example is a spec the parser accepts."""
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## Survey specification", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    spec = parse_spec(example, "architecture.md")
    assert spec.id == "sos-2025" and spec.population == "region" and spec.missing_labels == ("Vet ej",)
    (ui1,) = spec.indicators
    assert (ui1.id, ui1.focus_area, ui1.missing) == ("UI1", 1, "kleene")
    assert ui1.questions == ["Q1", "Q2", "Q3"]
