import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagesbild.calc import rules
from lagesbild.calc.rules import All, Any, Leaf, Not, evaluate, kleene_and, kleene_not, kleene_or

T, F, U = True, False, None
TRUTHS = [T, F, U]


def leaf(key, *values):
    return Leaf(key, frozenset(values))


def facts(**kw):
    return lambda k: kw.get(k)


def test_leaf_true_false_unknown():
    rule = leaf("q", "ja")
    assert evaluate(rule, facts(q="ja")).value is True
    assert evaluate(rule, facts(q="nej")).value is False
    assert evaluate(rule, facts()).value is None


@pytest.mark.parametrize("a,b", list(itertools.product(TRUTHS, TRUTHS)))
def test_truth_tables_match_kleene(a, b):
    # Kleene's strong three-valued logic, written out as the textbook tables.
    order = {F: 0, U: 1, T: 2}
    inv = {0: F, 1: U, 2: T}
    assert kleene_and([a, b]) == inv[min(order[a], order[b])]
    assert kleene_or([a, b]) == inv[max(order[a], order[b])]
    assert kleene_not(a) == {T: F, F: T, U: U}[a]


def test_all_is_false_when_any_part_is_false_even_with_unknowns():
    rule = All((leaf("a", "ja"), leaf("b", "ja")))
    assert evaluate(rule, facts(a="nej")).value is False  # b unknown, but a decides
    assert evaluate(rule, facts(a="ja")).value is None


def test_strict_mode_makes_any_unknown_leaf_unknown():
    rule = All((leaf("a", "ja"), leaf("b", "ja")))
    assert evaluate(rule, facts(a="nej"), rules.STRICT).value is None
    assert evaluate(rule, facts(a="nej", b="ja"), rules.STRICT).value is False


def test_any_true_wins_over_unknown_and_not_keeps_unknown():
    rule = Any((leaf("a", "ja"), Not(leaf("b", "nej"))))
    assert evaluate(rule, facts(a="ja")).value is True
    assert evaluate(rule, facts(a="nej")).value is None
    assert evaluate(rule, facts(a="nej", b="nej")).value is False
    assert evaluate(rule, facts(a="nej", b="ja")).value is True


def test_trace_lists_every_leaf_in_order():
    rule = All((leaf("a", "ja"), Any((leaf("b", "x"), leaf("c", "y")))))
    ev = evaluate(rule, facts(a="ja", c="y"))
    assert [(lf.key, v, t) for lf, v, t in ev.trace] == [("a", "ja", T), ("b", None, U), ("c", "y", T)]
    assert ev.unknown_keys == ["b"]
    assert rules.keys(rule) == ["a", "b", "c"]


def test_unknown_mode_refused():
    with pytest.raises(ValueError):
        evaluate(leaf("a", "x"), facts(), "lenient")


# --- properties -------------------------------------------------------------------------

keys = st.sampled_from(["a", "b", "c", "d"])
leaves = st.builds(lambda k: leaf(k, "ja"), keys)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(lambda ps: All(tuple(ps)), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda ps: Any(tuple(ps)), st.lists(children, min_size=1, max_size=3)),
        st.builds(Not, children),
    ),
    max_leaves=8,
)
assignments = st.fixed_dictionaries({k: st.sampled_from(["ja", "nej", None]) for k in "abcd"})


def resolutions(assignment):
    """Every way of replacing unknown facts with known ones."""
    unknown = [k for k, v in assignment.items() if v is None]
    for combo in itertools.product(["ja", "nej"], repeat=len(unknown)):
        yield {**assignment, **dict(zip(unknown, combo))}


@given(trees, assignments)
def test_kleene_is_sound(rule, assignment):
    """A known Kleene result holds however the unknowns turn out (sound, though not complete:
    'a and not a' stays unknown although every resolution is false)."""
    value = evaluate(rule, assignment.get).value
    outcomes = {evaluate(rule, r.get).value for r in resolutions(assignment)}
    assert None not in outcomes
    if value is not None:
        assert outcomes == {value}


@given(st.lists(leaves, min_size=1, max_size=4, unique=True), assignments)
def test_kleene_is_complete_for_rules_that_read_each_fact_once(parts, assignment):
    """With distinct keys, an all/any is unknown exactly when the unknowns could still decide it."""
    for rule in (All(tuple(parts)), Any(tuple(parts))):
        value = evaluate(rule, assignment.get).value
        outcomes = {evaluate(rule, r.get).value for r in resolutions(assignment)}
        assert (value is None) == (len(outcomes) == 2)


@given(trees, assignments)
def test_strict_is_unknown_exactly_when_a_leaf_is_unknown(rule, assignment):
    ev = evaluate(rule, assignment.get, rules.STRICT)
    has_unknown = any(assignment[lf.key] is None for lf in rules.leaves(rule))
    assert (ev.value is None) == has_unknown
    if not has_unknown:
        assert ev.value == evaluate(rule, assignment.get).value


@given(trees, assignments)
def test_double_negation(rule, assignment):
    assert evaluate(Not(Not(rule)), assignment.get).value == evaluate(rule, assignment.get).value


@given(trees, assignments, st.sampled_from([rules.KLEENE, rules.STRICT]))
def test_compiled_rule_agrees_with_the_traced_evaluation(rule, assignment, mode):
    assert rules.compile_rule(rule, mode)(assignment.get) == evaluate(rule, assignment.get, mode).value
