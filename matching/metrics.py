"""Round summary figures, for the plan and for a random pairing of the same people."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np

from matching.model import Group, PairHistory, Person, RoundMetrics
from matching.rules import MatchRules


def recent_pairs(history: PairHistory, rules: MatchRules) -> set[frozenset[str]]:
    """Pairs that met within the no-repeat window and are not continuing by choice."""
    met: set[frozenset[str]] = set()
    for round_pairs in history.recent_rounds[: rules.no_repeat_rounds]:
        met.update(round_pairs)
    return met - set(history.continuing)


def round_metrics(
    groups: Sequence[Group],
    people: Mapping[str, Person],
    unmatched: int,
    history: PairHistory,
    rules: MatchRules,
) -> RoundMetrics:
    """Summarise groups so a plan can be compared with chance and with earlier rounds."""
    met = recent_pairs(history, rules)
    pairs = [frozenset(p) for g in groups for p in combinations(g.members, 2)]
    mixed = sum(1 for p in pairs if len({people[x].org_type for x in p}) == 2)
    return RoundMetrics(
        people=len(people),
        matched=sum(len(g.members) for g in groups),
        unmatched=unmatched,
        mean_score=float(np.mean([g.score for g in groups])) if groups else 0.0,
        mean_similarity=float(np.mean([g.similarity for g in groups])) if groups else 0.0,
        cross_org_rate=mixed / len(pairs) if pairs else 0.0,
        repeats=sum(1 for p in pairs if p in met),
    )


def random_grouping(count: int, group_size: int, rng: np.random.Generator) -> list[list[int]]:
    """Seeded random groups of the given size ignoring scores and rules; a leftover joins the last group."""
    order = [int(i) for i in rng.permutation(count)]
    groups = [order[i : i + group_size] for i in range(0, count - count % group_size, group_size)]
    rest = order[count - count % group_size :]
    if rest and groups:
        if group_size == 3 and len(rest) == 2:
            groups.append(rest)
        else:
            for k, person in enumerate(rest):
                groups[-1 - k % len(groups)].append(person)
    return groups
