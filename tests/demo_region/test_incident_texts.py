"""The demo's incident descriptions: deterministic, varied, patterns concentrated where they belong,
and some personal data for the scrubbing to find."""

import random
import re
from collections import Counter

from lagesbild.demo_region import incident_texts as t

PNR = re.compile(r"(?<!\d)(\d{2})?\d{6}[-+]?\d{4}(?!\d)")


def test_deterministic_for_a_seed():
    a = [t.description(random.Random(7), p) for p in [None, *t.PATTERNS]]
    b = [t.description(random.Random(7), p) for p in [None, *t.PATTERNS]]
    assert a == b


def test_texts_are_varied_swedish_sentences():
    rng = random.Random(1)
    for pattern in [None, *t.PATTERNS]:
        texts = [t.description(rng, pattern) for _ in range(300)]
        assert len(set(texts)) > 200, pattern  # hardly any repeats
        lengths = [len(x) for x in texts]
        assert min(lengths) >= 20 and max(lengths) > 2 * min(lengths)
        for x in texts:
            sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])", x) if s]
            assert 1 <= len(sentences) <= 6, x  # 1–4 sentences (+ a personal-data sentence, abbreviations)
    insulin = " ".join(t.description(rng, "insulin-dos") for _ in range(300)).lower()
    assert "insulindos" in insulin and "läkemedelsavvikelse" in insulin


def test_pattern_share_and_concentration():
    rng = random.Random(3)
    picks = {kind: Counter(t.pattern_for(rng, kind) for _ in range(20_000)) for kind in ("ward", "psych", "hc", "other")}
    total = sum(sum(c.values()) for c in picks.values())
    patterned = sum(n for c in picks.values() for p, n in c.items() if p is not None)
    assert abs(patterned / total - t.PATTERN_SHARE) < 0.03
    assert picks["hc"]["fall-natt"] == 0 and picks["hc"]["provsvar"] > 5 * picks["ward"]["provsvar"]
    assert picks["ward"]["insulin-dos"] > 3 * picks["hc"]["insulin-dos"]
    assert picks["psych"]["avvikit-psyk"] > 0 and picks["ward"]["avvikit-psyk"] == 0
    for kind in picks:
        assert picks[kind]["remiss"] > 0
    assert set(p for c in picks.values() for p in c) == {None, *t.PATTERNS}
    # the demo organisation's kinds are accepted
    assert t.pattern_for(random.Random(0), "ward_other") in (None, *t.PATTERNS)
    assert t.pattern_for(random.Random(0), "support") in (None, *t.PATTERNS)


def test_some_texts_carry_personal_data():
    rng = random.Random(5)
    texts = [t.description(rng, rng.choice([None, *t.PATTERNS])) for _ in range(10_000)]
    with_number = [x for x in texts if PNR.search(x)]
    with_name = [x for x in texts if any(f"{f} " in x for f in t.FIRST_NAMES)]
    share = len(set(with_number) | set(with_name)) / len(texts)
    assert 0.02 < share < 0.04
    assert with_number and with_name


def test_identity_numbers_have_a_valid_check_digit():
    rng = random.Random(9)
    forms = set()
    for _ in range(500):
        n = t.identity_number(rng)
        digits = n.replace("-", "")
        ten = digits[-10:]
        assert t._luhn_digit(ten[:9]) == ten[9]
        forms.add((len(digits), "-" in n))
    assert forms == {(12, True), (10, True), (12, False), (10, False)}
