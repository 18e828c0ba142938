"""Grouping one scope: continuing pairs first, then the best pairing of everyone else, leftovers
paired among themselves, trios built around the best pairs, and a reason for anyone left out.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching.assignment import Pairing
from matching.exact import pairs_value, rx_matching, weights_between
from matching.model import PairHistory, Person, Unmatched
from matching.pair_search import pair_scope
from matching.rules import MatchRules
from matching.scoring import ScoringContext, build_context, pairwise, score_block

LEFTOVER_EXACT_LIMIT = 600

ALONE = "nobody else in your community is available this round"
ODD_ONE_OUT = (
    "there was an odd number of people this round and no group could take one more "
    "person without breaking your matching rules"
)


def _no_partner_reason(ctx: ScoringContext, i: int) -> str:
    if ctx.n <= 1:
        return ALONE
    others = np.array([j for j in range(ctx.n) if j != i])
    causes = []
    if ctx.rules.never_same_organisation and np.any(ctx.orgs[others] == ctx.orgs[i]):
        causes.append("from your organisation")
    banned = set(ctx.forbidden[i].indices.tolist())
    if banned:
        causes.append("on your don't-pair list or someone you met recently")
    return "everyone else available this round is " + " or ".join(
        causes or ["ruled out by the matching rules"]
    )


def _pair_leftovers(ctx: ScoringContext, pairing: Pairing) -> None:
    single = np.flatnonzero(pairing.mate < 0).tolist()
    if len(single) < 2:
        return
    if len(single) > LEFTOVER_EXACT_LIMIT:
        single = single[:LEFTOVER_EXACT_LIMIT]
    w = weights_between(ctx, single, single)
    iu, ju = np.triu_indices(len(single), 1)
    ok = np.isfinite(w[iu, ju])
    if not ok.any():
        return
    found = rx_matching(len(single), iu[ok], ju[ok], w[iu, ju][ok] + 1.0, max_cardinality=True)
    for a, b in found:
        i, j = single[a], single[b]
        pairing.mate[i], pairing.mate[j] = j, i


def _attach(ctx: ScoringContext, groups: list[list[int]], singles: list[int]) -> tuple[list[int], list[int]]:
    """Give each single person the group of two they add most score to; returns (still single, ...)."""
    anchors = [k for k, g in enumerate(groups) if len(g) == 2]
    if not singles or not anchors:
        return singles, []
    cols = [m for k in anchors for m in groups[k]]
    w = weights_between(ctx, singles, cols)
    gain = w[:, 0::2] + w[:, 1::2]
    cost = np.where(np.isfinite(gain), -gain, 1e12)
    rows, picks = linear_sum_assignment(cost)
    left = set(singles)
    for r, c in zip(rows, picks, strict=False):
        if np.isfinite(gain[r, c]):
            groups[anchors[c]].append(singles[r])
            left.discard(singles[r])
    return sorted(left), []


def group_values(ctx: ScoringContext, groups: list[list[int]]) -> list[tuple[float, float]]:
    """(mean pair score, mean challenge similarity) of each group, in one vectorised pass."""
    owner, left, right = [], [], []
    for k, g in enumerate(groups):
        for a, b in combinations(g, 2):
            owner.append(k)
            left.append(a)
            right.append(b)
    score, sim = pairwise(ctx, np.array(left, dtype=np.int64), np.array(right, dtype=np.int64))
    counts = np.bincount(owner, minlength=len(groups)).astype(float)
    counts[counts == 0] = 1.0
    mean_score = np.bincount(owner, weights=score, minlength=len(groups)) / counts
    mean_sim = np.bincount(owner, weights=sim, minlength=len(groups)) / counts
    return list(zip(mean_score.tolist(), mean_sim.tolist(), strict=False))


def _continuing(ctx: ScoringContext, history: PairHistory) -> list[tuple[int, int]]:
    index = {p.id: i for i, p in enumerate(ctx.people)}
    taken: set[int] = set()
    fixed = []
    for pair in sorted(history.continuing, key=sorted):
        ids = [index.get(x) for x in pair]
        if len(ids) != 2 or None in ids:
            continue
        i, j = sorted(ids)
        if i in taken or j in taken:
            continue
        score, allowed = score_block(ctx, np.array([i]), np.array([j]))
        if allowed[0, 0]:
            fixed.append((i, j))
            taken.update((i, j))
    return fixed


def plan_scope(people: list[Person], rules: MatchRules, history: PairHistory, seed: int):
    """One scope's groups (as indices into `people`), who is unmatched and why, the total
    score, its upper bound (None for trios) and whether the pairing is proven optimal."""
    full = build_context(people, rules, history)
    fixed = _continuing(full, history)
    fixed_ids = {i for pair in fixed for i in pair}
    free = [i for i in range(full.n) if i not in fixed_ids]
    ctx = build_context([people[i] for i in free], rules, history)
    pairing, value, bound, optimal, degree = pair_scope(ctx, seed)
    _pair_leftovers(ctx, pairing)
    fixed_value = 0.0
    for i, j in fixed:
        score, _ = score_block(full, np.array([i]), np.array([j]))
        fixed_value += float(score[0, 0]) + full.pair_bonus
    groups = [[free[i], free[j]] for i, j in pairing.pairs()] + [list(p) for p in fixed]
    pair_value = pairs_value(ctx, pairing.pairs()) + fixed_value
    if bound is not None:
        bound = max(bound, value) + fixed_value
    singles = [free[i] for i in np.flatnonzero(pairing.mate < 0).tolist()]
    if rules.group_size == 3:
        values = group_values(full, groups)
        groups = [g for _, g in sorted(zip(values, groups, strict=False), key=lambda t: -t[0][0])]
        anchors = math.ceil(full.n / 3)
        keep_fixed = [g for g in groups if tuple(g) in set(fixed)]
        others = [g for g in groups if tuple(g) not in set(fixed)]
        room = max(anchors - len(keep_fixed), 0)
        dissolved = others[room:]
        groups = keep_fixed + others[:room]
        singles = sorted(singles + [m for g in dissolved for m in g])
        singles, _ = _attach(full, groups, singles)
        optimal, bound = False, None
    singles, _ = _attach(full, groups, singles)
    unmatched = []
    free_pos = {p: k for k, p in enumerate(free)}
    for s in singles:
        k = free_pos.get(s)
        if full.n <= 1:
            reason = ALONE
        elif k is not None and degree[k] == 0 and s not in fixed_ids:
            reason = _no_partner_reason(full, s)
        else:
            reason = ODD_ONE_OUT
        unmatched.append(Unmatched(people[s].id, reason))
    if rules.group_size == 3:
        pair_value = sum(
            v[0] * len(g) * (len(g) - 1) / 2 for v, g in zip(group_values(full, groups), groups, strict=True)
        )
    return full, groups, unmatched, pair_value, bound, optimal
