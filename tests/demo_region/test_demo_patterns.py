"""The text clustering, with the production defaults (what ``incidents.clusters.refit`` uses), finds
every pattern planted in the full demo's incident descriptions as clusters of its own.

Pure: the demo's 22 861 descriptions (``incident_rows``) and their planted patterns
(``incident_patterns``), no database. For each planted pattern P, the clusters in which P is the
majority must each be at least 85 % P (purity) and together hold at least 85 % of P's texts (recall):
a pattern split over two pure clusters passes, a cluster mixing P with another theme does not.
"""

from collections import Counter, defaultdict

import pytest

from lagesbild.calc import text_clusters as tc
from lagesbild.demo_region import DATA_DIR
from lagesbild.demo_region import incident_texts
from lagesbild.demo_region.incidents import incident_patterns, incident_rows

MIN_PURITY = 0.85
MIN_RECALL = 0.85


def recovery(topics: list[int | None], truth: list[str | None]) -> dict[str, dict]:
    """Per planted pattern: the clusters where it is the majority (övrigt, None, is no cluster), each
    one's purity, and the share of the pattern's texts they hold together."""
    by_topic: dict[int, Counter] = defaultdict(Counter)
    for topic, pattern in zip(topics, truth):
        if topic is not None:
            by_topic[topic][pattern] += 1
    out = {}
    for p in incident_texts.PATTERNS:
        mine = {t: c for t, c in by_topic.items() if c.most_common(1)[0][0] == p}
        out[p] = {
            "clusters": sorted(mine),
            "purity": {t: round(c[p] / sum(c.values()), 3) for t, c in mine.items()},
            "recall": round(sum(c[p] for c in mine.values()) / max(truth.count(p), 1), 3),
        }
    return out


def test_recovery_measure_catches_a_mixed_cluster():
    truth = ["fall-natt"] * 6 + [None] * 4 + ["remiss"] * 10
    # fall shares cluster 1 with four everyday texts (purity 0.6); remiss split over two pure clusters
    topics = [1] * 10 + [2] * 6 + [3] * 4
    got = recovery(topics, truth)
    assert got["fall-natt"] == {"clusters": [1], "purity": {1: 0.6}, "recall": 1.0}
    assert got["remiss"] == {"clusters": [2, 3], "purity": {2: 1.0, 3: 1.0}, "recall": 1.0}
    assert got["provsvar"] == {"clusters": [], "purity": {}, "recall": 0.0}


@pytest.fixture(scope="module")
def demo_fit():
    rows = incident_rows(DATA_DIR)
    patterns = incident_patterns(DATA_DIR)
    texts = [row[9] for row in rows]
    truth = [patterns[row[0]] for row in rows]
    model = tc.fit(texts)  # the production defaults, as clusters.refit calls it
    assigned = tc.assign(model, texts)
    return model, texts, truth, assigned


def test_every_planted_pattern_is_found_pure_on_the_full_demo(demo_fit):
    model, texts, truth, assigned = demo_fit
    assert len(texts) == 22861 and all(truth.count(p) > 200 for p in incident_texts.PATTERNS)
    found = recovery([a.topic for a in assigned], truth)
    measured = {p: (f["recall"], f["purity"], [model.labels[t - 1] for t in f["clusters"]]) for p, f in found.items()}
    print(f"{model.k} patterns; per planted pattern (recall, purity per cluster, labels): {measured}")
    for p, f in found.items():
        assert f["clusters"], (p, "is the majority of no cluster", measured)
        for topic, purity in f["purity"].items():
            assert purity >= MIN_PURITY, (p, f"cluster {topic} ({model.labels[topic - 1]}) is mixed", measured)
        assert f["recall"] >= MIN_RECALL, (p, "recall", measured)
    # each pattern's clusters are its own: no cluster is counted for two patterns
    clusters = [t for f in found.values() for t in f["clusters"]]
    assert len(clusters) == len(set(clusters))
    # and the labels speak of the pattern
    label_words = {p: " ".join(w for t in f["clusters"] for w in model.top_words[t - 1]) for p, f in found.items()}
    for p, word in [("fall-natt", "föll"), ("insulin-dos", "insulin"), ("provsvar", "provsvar"),
                    ("remiss", "remiss"), ("lakemedelslista-utskrivning", "läkemedelslista"),
                    ("avvikit-psyk", "polis")]:
        assert word in label_words[p], (p, label_words[p])


def test_everyday_themes_are_not_swallowed_by_one_pattern(demo_fit):
    """The everyday incidents mostly land outside the patterns' clusters: a pattern's cluster that
    took a whole everyday theme would show up here even if the pattern itself stayed the majority."""
    model, _, truth, assigned = demo_fit
    found = recovery([a.topic for a in assigned], truth)
    pattern_clusters = {t for f in found.values() for t in f["clusters"]}
    everyday = [a.topic for a, t in zip(assigned, truth) if t is None]
    in_patterns = sum(1 for t in everyday if t in pattern_clusters)
    assert in_patterns / len(everyday) < 0.02, in_patterns
