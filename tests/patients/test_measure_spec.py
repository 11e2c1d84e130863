"""Measures as data: the standard file equals the built-in four, a fifth needs no code, and a bad
file is refused with every problem located by path."""

import json

import pytest

from lagesbild.calc import patient_measures as pm
from lagesbild.ingest.errors import InputError
from lagesbild.patients import measure_spec
from tests.patients import files


def test_the_standard_file_is_the_four_measures_of_the_contract():
    assert measure_spec.load() == pm.STANDARD_MEASURES


FIFTH = """
measures:
  - code: riskbedomning-65-24h
    population: {min_age: 65}
    window: {from: admission, hours: 24}
    needs: {assessment: [Fallrisk, Trycksår, Undernäring]}
  - code: fall-48h
    window: {from: risk_finding, hours: 48}
    needs: {action: [fall]}
"""


def test_a_fifth_measure_is_data(tmp_path):
    from lagesbild.cli import main

    spec = tmp_path / "egna.yaml"
    spec.write_text(FIFTH, encoding="utf-8")
    paths = files.write_scenario(tmp_path)
    out = tmp_path / "ut.json"
    code = main(["patients", "compute", "--episodes", str(paths["episodes"]), "--assessments", str(paths["assessments"]),
                 "--actions", str(paths["actions"]), "--as-of", files.AS_OF, "--json", str(out), "--measures", str(spec)])
    assert code == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["measures"]
    age65 = {(r["unit"], r["period"]): (r["numerator"], r["denominator"]) for r in rows if r["measure"] == "riskbedomning-65-24h"}
    assert age65[("AVD1", "2025-01")] == (1, 3)  # the woman of 69 (E3) is in at 65, not at 70
    late = {(r["unit"], r["period"]): r["numerator"] for r in rows if r["measure"] == "fall-48h"}
    assert late[("AVD1", "2025-01")] == 1


@pytest.mark.parametrize("text,path", [
    ("measures: []", "measures"),
    ("measures:\n  - code: x\n    window: {from: discharge}\n    needs: {action: [fall]}", "measures[0].window.from"),
    ("measures:\n  - code: x\n    window: {from: admission}\n    needs: {action: [hjarta]}", "measures[0].needs.action[0]"),
    ("measures:\n  - code: x\n    window: {from: admission}\n    needs: {assessment: [fall], action: [fall]}",
     "measures[0].needs"),
    ("measures:\n  - code: x\n    window: {from: risk_finding}\n    needs: {action: [fall, trycksar]}", "measures[0]"),
    ("measures:\n  - code: x\n    population: {min_age: -1}\n    window: {from: admission}\n    needs: {assessment: [fall]}",
     "measures[0].population.min_age"),
    ("measures:\n  - code: x\n    colour: red\n    window: {from: admission}\n    needs: {assessment: [fall]}",
     "measures[0].colour"),
])
def test_a_bad_file_is_refused_with_located_problems(text, path):
    with pytest.raises(InputError) as caught:
        measure_spec.parse(text, "egna.yaml")
    assert any(p.path == path for p in caught.value.problems), [str(p) for p in caught.value.problems]
