"""Deterministic synthetic survey for the benchmark: a spec (YAML) and a responses CSV.

The same seed always gives byte-identical files, so timings from different runs and
machines are measured on the same input. The shape follows the real surveys in
``lagesbild/surveys/demo``: questions answered Ja/Nej/Vet ej or on a five-step scale,
``Vet ej`` declared as the missing label, indicators as all/any/not trees of leaves,
a few of them with ``missing: strict``.

The generator also returns the indicator rules as plain Python data (the same dicts
that are written to the YAML), so the hand-written baseline in ``bench_survey`` can
compile them without going through lagesbild.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

import yaml

SEED = 20250601
N_RESPONDENTS = 10_000
N_QUESTIONS = 200
N_INDICATORS = 20

MISSING = "Vet ej"
YES_NO = ("Ja", "Nej", MISSING)
SCALE = (
    "Ja, i samtliga verksamheter",
    "Ja, i flertalet verksamheter",
    "Ja, i enstaka verksamheter",
    "Nej",
    MISSING,
)
SCALE_SHARE = 0.25  # share of questions on the five-step scale
BLANK_RATE = 0.03  # unanswered cells
MISSING_RATE = 0.06  # "Vet ej"
LOWERCASE_RATE = 0.01  # "ja" instead of "Ja": labels are matched case-insensitively
STRICT_INDICATORS = 4


@dataclass(frozen=True)
class SurveyData:
    spec_yaml: str
    responses_csv: bytes
    questions: dict[str, tuple[str, ...]]  # question id -> options, in column order
    indicators: list[dict]  # id, missing, rule (the dicts written to the YAML)
    missing_labels: tuple[str, ...]
    n_respondents: int

    @property
    def spec_bytes(self) -> bytes:
        return self.spec_yaml.encode("utf-8")


def _question_ids(n: int) -> list[str]:
    return [f"F{i:03d}" for i in range(1, n + 1)]


def _leaf(rng: random.Random, qid: str, options: tuple[str, ...], *, negative: bool = False) -> dict:
    """A leaf asking for the 'good' answers; ``negative`` asks for Nej (used under not)."""
    if negative:
        return {"question": qid, "in": ["Nej"]}
    if options == SCALE:
        k = rng.choice((1, 2, 2, 3))
        return {"question": qid, "in": list(SCALE[:k])}
    return {"question": qid, "in": ["Ja"]}


def _rules(rng: random.Random, questions: dict[str, tuple[str, ...]], n: int) -> list[dict]:
    """Rules of the shapes the real indicator specifications use, in a fixed mix."""
    qids = list(questions)

    def pick(k: int) -> list[str]:
        return rng.sample(qids, k)

    def leaf(qid: str, negative: bool = False) -> dict:
        return _leaf(rng, qid, questions[qid], negative=negative)

    def single():
        return leaf(pick(1)[0])

    def all_of(k):
        return lambda: {"all": [leaf(q) for q in pick(k)]}

    def any_of(k):
        return lambda: {"any": [leaf(q) for q in pick(k)]}

    def not_no():
        return {"not": leaf(pick(1)[0], negative=True)}

    def routine_and_one_way():  # all(a, any(b, c))
        a, b, c = pick(3)
        return {"all": [leaf(a), {"any": [leaf(b), leaf(c)]}]}

    def two_and_not_no():  # all(a, b, not(c = Nej))
        a, b, c = pick(3)
        return {"all": [leaf(a), leaf(b), {"not": leaf(c, negative=True)}]}

    def either_group():  # any(all(a, b), all(c, d, e))
        qs = pick(5)
        return {"any": [{"all": [leaf(q) for q in qs[:2]]}, {"all": [leaf(q) for q in qs[2:]]}]}

    shapes = [single, all_of(2), all_of(3), all_of(4), any_of(2), any_of(3), not_no,
              routine_and_one_way, two_and_not_no, either_group]
    out = [{"id": f"UI{i + 1}", "rule": shapes[i % len(shapes)]()} for i in range(n)]
    # A few indicators count a respondent only when every question it reads is answered.
    for ind in rng.sample(out, min(STRICT_INDICATORS, n)):
        ind["missing"] = "strict"
    return out


def generate(
    seed: int = SEED,
    n_respondents: int = N_RESPONDENTS,
    n_questions: int = N_QUESTIONS,
    n_indicators: int = N_INDICATORS,
) -> SurveyData:
    rng = random.Random(seed)
    qids = _question_ids(n_questions)
    questions = {q: (SCALE if rng.random() < SCALE_SHARE else YES_NO) for q in qids}
    indicators = _rules(rng, questions, n_indicators)

    doc = {
        "survey": {
            "id": "bench-2025",
            "title": "Syntetisk enkät för prestandamätning",
            "year": 2025,
            "population": "region",
            "missing": [MISSING],
            "comparable_with": [],
        },
        "questions": {
            q: {"text": f"Syntetisk fråga {q}: finns dokumenterade rutiner för moment {i}?", "options": list(opts)}
            for i, (q, opts) in enumerate(questions.items(), start=1)
        },
        "indicators": [
            {
                "id": ind["id"],
                "title": f"Syntetisk indikator {ind['id']}",
                "focus_area": (i % 5) + 1,
                "statement": "{percent} av regionerna uppfyller den syntetiska indikatorn " + ind["id"] + ".",
                **({"missing": ind["missing"]} if "missing" in ind else {}),
                "rule": ind["rule"],
            }
            for i, ind in enumerate(indicators)
        ],
    }
    spec_yaml = "# Generated by benchmarks/survey_data.py (seed %d); do not edit.\n" % seed + yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=False, width=200
    )

    # Each respondent has a propensity to answer yes, so indicators land at varied levels.
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["respondent", "respondent_type", *qids])
    option_lists = [questions[q] for q in qids]
    for r in range(1, n_respondents + 1):
        p_yes = rng.uniform(0.35, 0.9)
        row = [f"Enhet {r:05d}", "Region"]
        for opts in option_lists:
            u = rng.random()
            if u < BLANK_RATE:
                row.append("")
                continue
            if u < BLANK_RATE + MISSING_RATE:
                row.append(MISSING if rng.random() >= LOWERCASE_RATE else MISSING.lower())
                continue
            if opts is YES_NO:
                answer = "Ja" if rng.random() < p_yes else "Nej"
            else:
                answer = opts[0] if rng.random() < p_yes * 0.6 else rng.choice(opts[1:4])
            if rng.random() < LOWERCASE_RATE:
                answer = answer.lower()
            row.append(answer)
        w.writerow(row)
    return SurveyData(
        spec_yaml=spec_yaml,
        responses_csv=buf.getvalue().encode("utf-8"),
        questions=questions,
        indicators=[{"id": d["id"], "missing": d.get("missing", "kleene"), "rule": d["rule"]} for d in indicators],
        missing_labels=(MISSING,),
        n_respondents=n_respondents,
    )


def write(directory, data: SurveyData | None = None) -> tuple[str, str]:
    """Write the two files into ``directory``; return their paths (spec, responses)."""
    from pathlib import Path

    data = data or generate()
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    spec_path, resp_path = d / "bench-2025.yaml", d / "bench-2025-svar.csv"
    spec_path.write_text(data.spec_yaml, encoding="utf-8")
    resp_path.write_bytes(data.responses_csv)
    return str(spec_path), str(resp_path)


if __name__ == "__main__":  # python -m benchmarks.survey_data DIR
    import sys

    print(*write(sys.argv[1] if len(sys.argv) > 1 else "var/bench"), sep="\n")
