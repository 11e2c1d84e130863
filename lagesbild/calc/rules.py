"""Three-valued (Kleene) rule evaluation.

A rule is a tree of leaves and the combinators ``all``, ``any`` and ``not``. A leaf asks
whether a fact (an answer, a criterion) is one of a set of values; the fact can be
unknown. Truth values are ``True``, ``False`` and ``None`` (unknown).

- all: false if any part is false, else unknown if any part is unknown, else true.
- any: true if any part is true, else unknown if any part is unknown, else false.
- not: swaps true and false; unknown stays unknown.

In *strict* mode a rule with any unknown leaf is unknown as a whole, whatever Kleene
would have concluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Union

Truth = Optional[bool]

KLEENE = "kleene"
STRICT = "strict"
MISSING_MODES = (KLEENE, STRICT)


@dataclass(frozen=True)
class Leaf:
    key: str
    values: frozenset[str]


@dataclass(frozen=True)
class All:
    parts: tuple["Rule", ...]


@dataclass(frozen=True)
class Any:
    parts: tuple["Rule", ...]


@dataclass(frozen=True)
class Not:
    part: "Rule"


Rule = Union[Leaf, All, Any, Not]


def kleene_and(values: list[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def kleene_or(values: list[Truth]) -> Truth:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def kleene_not(value: Truth) -> Truth:
    return None if value is None else not value


def leaves(rule: Rule) -> Iterator[Leaf]:
    """Every leaf of the rule, depth first, left to right."""
    if isinstance(rule, Leaf):
        yield rule
    elif isinstance(rule, (All, Any)):
        for part in rule.parts:
            yield from leaves(part)
    else:
        yield from leaves(rule.part)


def keys(rule: Rule) -> list[str]:
    """The distinct keys the rule reads, in first-seen order."""
    seen: dict[str, None] = {}
    for leaf in leaves(rule):
        seen.setdefault(leaf.key, None)
    return list(seen)


@dataclass
class Evaluation:
    value: Truth
    # (leaf, the fact it read or None when unknown, the leaf's truth), in rule order.
    trace: list[tuple[Leaf, Optional[str], Truth]] = field(default_factory=list)

    @property
    def unknown_keys(self) -> list[str]:
        return list(dict.fromkeys(leaf.key for leaf, _, t in self.trace if t is None))


def evaluate(rule: Rule, fact: Callable[[str], Optional[str]], mode: str = KLEENE) -> Evaluation:
    """Evaluate ``rule``; ``fact(key)`` returns the normalised fact or None for unknown."""
    if mode not in MISSING_MODES:
        raise ValueError(f"unknown missing mode {mode!r}")
    trace: list[tuple[Leaf, Optional[str], Truth]] = []

    def ev(node: Rule) -> Truth:
        if isinstance(node, Leaf):
            value = fact(node.key)
            truth: Truth = None if value is None else value in node.values
            trace.append((node, value, truth))
            return truth
        if isinstance(node, All):
            return kleene_and([ev(p) for p in node.parts])
        if isinstance(node, Any):
            return kleene_or([ev(p) for p in node.parts])
        return kleene_not(ev(node.part))

    result = ev(rule)
    if mode == STRICT and any(t is None for _, _, t in trace):
        result = None
    return Evaluation(result, trace)


def compile_rule(rule: Rule, mode: str = KLEENE) -> Callable[[Callable[[str], Optional[str]]], Truth]:
    """A fast evaluator for counting: the same truth as ``evaluate`` but without a trace.

    Kleene's connectives short-circuit safely: ``all`` stops at the first false part, ``any``
    at the first true one (a later part cannot change a decided result).
    """
    if mode not in MISSING_MODES:
        raise ValueError(f"unknown missing mode {mode!r}")

    def build(node: Rule):
        if isinstance(node, Leaf):
            key, values = node.key, node.values

            def leaf(fact):
                v = fact(key)
                return None if v is None else v in values

            return leaf
        if isinstance(node, Not):
            inner = build(node.part)

            def negate(fact):
                v = inner(fact)
                return None if v is None else not v

            return negate
        parts = [build(p) for p in node.parts]
        if isinstance(node, All):
            def all_(fact):
                unknown = False
                for p in parts:
                    v = p(fact)
                    if v is False:
                        return False
                    if v is None:
                        unknown = True
                return None if unknown else True

            return all_

        def any_(fact):
            unknown = False
            for p in parts:
                v = p(fact)
                if v is True:
                    return True
                if v is None:
                    unknown = True
            return None if unknown else False

        return any_

    fn = build(rule)
    if mode == KLEENE:
        return fn
    needed = keys(rule)

    def strict(fact):
        for k in needed:
            if fact(k) is None:
                return None
        return fn(fact)

    return strict
