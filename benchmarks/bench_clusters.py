"""Text patterns: fitting and assigning the incident descriptions' clusters (``calc.text_clusters``).

`python -m benchmarks clusters` generates ``--texts`` (50 000) descriptions as the demo writes them
(``demo_region.incident_texts``: ``pattern_for`` over a mix of unit kinds, then ``description``; fixed
seed) and times, in one process:

- ``text_clusters.fit`` with the production defaults (what ``incidents.clusters.refit`` calls), on all
  of them: scrubbing, the sample's features, the segments and their merging, the numbering;
- ``text_clusters.assign`` of all of them to the fitted model (what a refit or an import does next);
- the baseline, in the same run: scikit-learn's plain word ``TfidfVectorizer`` fitted on the same raw
  texts (``fit_transform``), and its ``transform`` of them (no scrubbing, stemming, character n-grams
  or clustering: the cost of merely vectorising the texts once).

It also reports how well the planted patterns come back in those texts (the clusters where a pattern
is the majority: their purity and the share of the pattern's texts they hold). Pure Python, no database.
Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "clusters"
GOAL_FIT_S = 120.0
KINDS = ("ward",) * 5 + ("psych",) + ("hc",) * 3 + ("other",) * 2  # roughly the demo region's mix of units


@dataclass
class Config:
    texts: int = 50_000
    seed: int = 2025


def generate(cfg: Config) -> tuple[list[str], list[str | None]]:
    from lagesbild.demo_region import incident_texts

    rng = random.Random(cfg.seed)
    texts, truth = [], []
    for _ in range(cfg.texts):
        pattern = incident_texts.pattern_for(rng, rng.choice(KINDS))
        truth.append(pattern)
        texts.append(incident_texts.description(rng, pattern))
    return texts, truth


def recovery(topics: list[int | None], truth: list[str | None]) -> dict[str, dict]:
    from lagesbild.demo_region import incident_texts

    by_topic: dict[int, Counter] = defaultdict(Counter)
    for topic, pattern in zip(topics, truth):
        if topic is not None:
            by_topic[topic][pattern] += 1
    out = {}
    for p in incident_texts.PATTERNS:
        mine = {t: c for t, c in by_topic.items() if c.most_common(1)[0][0] == p}
        out[p] = {"texts": truth.count(p), "clusters": len(mine),
                  "purity": min((c[p] / sum(c.values()) for c in mine.values()), default=0.0),
                  "recall": sum(c[p] for c in mine.values()) / max(truth.count(p), 1)}
    return out


def run(cfg: Config) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from lagesbild.calc import text_clusters as tc

    t = time.perf_counter()
    texts, truth = generate(cfg)
    generated = time.perf_counter() - t

    t = time.perf_counter()
    vectorizer = TfidfVectorizer()
    baseline_matrix = vectorizer.fit_transform(texts)
    baseline_fit = time.perf_counter() - t
    t = time.perf_counter()
    vectorizer.transform(texts)
    baseline_transform = time.perf_counter() - t

    t = time.perf_counter()
    model = tc.fit(texts)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    assigned = tc.assign(model, texts)
    assign_s = time.perf_counter() - t

    return {
        "config": asdict(cfg),
        "generate_s": generated,
        "baseline": {"fit_transform_s": baseline_fit, "transform_s": baseline_transform,
                     "vocabulary": len(vectorizer.vocabulary_), "nnz": int(baseline_matrix.nnz)},
        "fit_s": fit_s,
        "assign_s": assign_s,
        "model": {"k": model.k, "sample": min(tc.DEFAULT_SAMPLE, len(texts)), "segments": tc.DEFAULT_SEGMENTS,
                  "merge_cosine": tc.DEFAULT_MERGE_COSINE, "words": len(model.word_vocabulary),
                  "chars": len(model.char_vocabulary), "bytes": len(model.to_bytes()),
                  "other": sum(1 for a in assigned if a.topic is None)},
        "recovery": recovery([a.topic for a in assigned], truth),
        "planted": sum(1 for p in truth if p is not None),
    }


def _n(x: int) -> str:
    return f"{x:,}".replace(",", " ")


def render(report: dict, info: dict, when, command: str) -> str:
    b, m, c = report["baseline"], report["model"], report["config"]
    fit, assign = report["fit_s"], report["assign_s"]
    lines = [
        "## Text patterns: clustering the incident descriptions",
        "",
        f"The question (issue 11): how long do the fit and the assignment of {_n(c['texts'])} incident descriptions "
        "take with the production defaults of `lagesbild/calc/text_clusters.py` (goal: the fit under 2 minutes), "
        "compared with merely vectorising the same texts with scikit-learn, and are the planted patterns found?",
        "",
        "### Run",
        "",
        "```",
        command,
        "```",
        "",
        f"- Date: {when:%Y-%m-%d %H:%M %Z}",
        f"- Python: {info['python']}; CPU: {info['cpu']}, {info['cpus']} CPUs; memory {info['memory']}",
        f"- Load average at start (1/5/15 min): {info['load']} – other work on the machine affects the numbers",
        "",
        "### Input",
        "",
        f"{_n(c['texts'])} descriptions generated by `demo_region.incident_texts` (seed {c['seed']}, "
        f"{report['generate_s']:.1f} s): `pattern_for` over a mix of unit kinds (wards, psychiatry, primary care, "
        f"other), then `description`; {_n(report['planted'])} of them carry one of the six planted patterns, the rest "
        "come from the 35 everyday themes; 8 % have a typo, 3 % personal data for the scrubbing.",
        "",
        "### Results",
        "",
        "| Step | Seconds | Against the baseline |",
        "|---|---:|---:|",
        f"| baseline: `TfidfVectorizer().fit_transform` (plain words, {_n(b['vocabulary'])} terms) | "
        f"{b['fit_transform_s']:.2f} | 1.0× |",
        f"| baseline: `TfidfVectorizer.transform` | {b['transform_s']:.2f} | 1.0× |",
        f"| `text_clusters.fit` (defaults: sample {_n(m['sample'])}, {m['segments']} segments, merge at cosine "
        f"{m['merge_cosine']}) | {fit:.2f} | {fit / b['fit_transform_s']:.1f}× fit_transform |",
        f"| `text_clusters.assign` of all {_n(c['texts'])} | {assign:.2f} | {assign / b['transform_s']:.1f}× transform |",
        "",
        f"Fit: **{fit:.1f} s** (goal < {GOAL_FIT_S:.0f} s: **{'met' if fit < GOAL_FIT_S else 'not met'}**). "
        f"The model: {m['k']} patterns, {_n(m['words'])} stems and {_n(m['chars'])} character n-grams, "
        f"{_n(m['bytes'] // 1024)} KiB stored; {_n(m['other'])} texts ({100 * m['other'] / c['texts']:.1f} %) in "
        "\"övrigt\". The fit scrubs and normalises every text, then builds features and clusters on the sample "
        "only; the assignment scrubs, vectorises and projects every text (non-negative least squares on the "
        "stored pattern vectors).",
        "",
        "Planted patterns in these texts (the clusters where the pattern is the majority: how many, the lowest "
        "purity among them, and the share of the pattern's texts they hold):",
        "",
        "| Pattern | Texts | Clusters | Purity (lowest) | Recall |",
        "|---|---:|---:|---:|---:|",
    ]
    for p, r in report["recovery"].items():
        lines.append(f"| {p} | {_n(r['texts'])} | {r['clusters']} | {r['purity']:.3f} | {r['recall']:.3f} |")
    return "\n".join(lines) + "\n"
