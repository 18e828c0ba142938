"""Round planning: maximum-score pairing with a proof of optimality where one is found.

How pairs are chosen (group size 2), per community scope:

1. Continuing pairs that are still allowed are placed first.
2. A sparse candidate graph keeps each person's 24 best partners plus a few random
   allowed partners (so tight clusters cannot strand anyone).
   For 300 < n <= PROOF_LIMIT the odd-set LP proof (matching/proof.py) runs
   first and, when it succeeds, gives the exact optimum over all allowed pairs directly;
   the steps below are the path for larger scopes and the fallback if it does not.
3. The assignment problem on the doubled graph (person i -> partner j, with "stay
   single" worth 0) is solved with scipy. Its optimum is a cycle cover whose value
   halved is an upper bound on any pairing. Dual prices for that bound are recovered
   by shortest paths and extended to every allowed pair outside the graph (using each
   person's best excluded score), so the bound holds for the COMPLETE set of allowed pairs.
4. The cycle cover is turned into pairs (two-cycles directly; longer cycles split at
   their best point). If this equals the bound it is optimal. Otherwise every pair whose
   reduced cost exceeds the remaining gap provably cannot be in a better pairing; the few
   pairs that can are handed to rustworkx's exact blossom matching, which gives the exact
   optimum over all allowed pairs, so `optimal` is True. If that reduced graph is too big
   for the time budget the heuristic pairing is kept and `optimal` is False.
5. People left over are paired among themselves; a last odd person joins the trio
   where they add the most score; anyone who still cannot be placed is reported with a reason.

Group size 3 is a heuristic, not an exact method: pairs are formed as above, the best
ceil(n/3) pairs are kept as anchors, the rest are split into single people, and an
assignment problem gives each single person the anchor pair they add most score to.
No optimality claim is made for trios (`upper_bound` is None).

Where each step lives: steps 1 and 5 and trios in matching/scope_plan.py; the pairing step
(2-4) in matching/pair_search.py, on the assignment relaxation (matching/assignment.py), the
odd-set LP proof (matching/proof.py) and the exact solver (matching/exact.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from matching.metrics import random_grouping, round_metrics
from matching.model import Group, PairHistory, Person, RoundPlan, Unmatched
from matching.reasons import group_reasons
from matching.rules import MatchRules
from matching.scope_plan import group_values, plan_scope
from matching.scoring import ScoringContext
from matching.text_vectors import term_index


def _rarity(ctx: ScoringContext):
    if ctx.idf is None:
        return None
    idf = ctx.idf

    def rarity(term: str) -> float:
        col = term_index(term)
        return float(idf[col]) if col >= 0 else 1.0

    return rarity


def _to_groups(
    ctx: ScoringContext, groups: list[list[int]], rules: MatchRules, with_reasons: bool
) -> list[Group]:
    out = []
    rarity = _rarity(ctx) if with_reasons else None
    ordered = [sorted(g, key=lambda i: ctx.people[i].id) for g in groups]
    for members, (score, similarity) in zip(ordered, group_values(ctx, ordered), strict=False):
        people = [ctx.people[i] for i in members]
        reasons = group_reasons(people, rules, rarity) if with_reasons else ()
        out.append(Group(tuple(p.id for p in people), score, similarity, reasons))
    return out


def plan_round(people: Sequence[Person], rules: MatchRules, history: PairHistory, seed: int) -> RoundPlan:
    """Group everyone available this round, best total score first, never breaking a hard rule.

    Deterministic for the same people (any order), rules, history and seed.
    """
    ordered = sorted(people, key=lambda p: p.id)
    by_scope: dict[str, list[Person]] = defaultdict(list)
    for p in ordered:
        by_scope[p.scope].append(p)
    rng = np.random.default_rng(seed)
    groups: list[Group] = []
    baseline: list[Group] = []
    unmatched: list[Unmatched] = []
    objective, bound_total, optimal = 0.0, 0.0, True
    bonus = 0.0
    for scope in sorted(by_scope):
        members = by_scope[scope]
        ctx, scope_groups, scope_unmatched, value, bound, scope_optimal = plan_scope(
            members, rules, history, seed
        )
        bonus = ctx.pair_bonus
        groups.extend(_to_groups(ctx, scope_groups, rules, with_reasons=True))
        unmatched.extend(scope_unmatched)
        objective += value
        optimal = optimal and scope_optimal
        bound_total = None if bound is None or bound_total is None else bound_total + bound
        baseline.extend(
            _to_groups(ctx, random_grouping(ctx.n, rules.group_size, rng), rules, with_reasons=False)
        )
    lookup = {p.id: p for p in ordered}
    metrics = round_metrics(groups, lookup, len(unmatched), history, rules)
    base_metrics = round_metrics(baseline, lookup, 0 if len(ordered) > 1 else len(ordered), history, rules)
    return RoundPlan(
        groups=tuple(sorted(groups, key=lambda g: g.members)),
        unmatched=tuple(unmatched),
        metrics=metrics,
        baseline=base_metrics,
        seed=seed,
        rules=rules,
        upper_bound=bound_total,
        optimal=optimal,
        objective=objective,
        pair_bonus=bonus,
    )
