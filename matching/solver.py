"""Round planning: maximum-score pairing with a proof of optimality where one is found.

How pairs are chosen (group size 2), per community scope:

1. Continuing pairs that are still allowed are placed first.
2. A sparse candidate graph keeps each person's 24 best partners plus a few random
   allowed partners (so tight clusters cannot strand anyone).
   For 300 < n <= PROOF_LIMIT the odd-set LP proof (`_prove`, matching/proof.py) runs
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
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import rustworkx as rx
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from matching.metrics import random_grouping, round_metrics
from matching.model import Group, PairHistory, Person, RoundPlan, Unmatched
from matching.proof import PairingBound
from matching.reasons import group_reasons
from matching.rules import MatchRules
from matching.scoring import ScoringContext, build_context, candidate_graph, pairwise, score_block
from matching.text_vectors import term_index

DIRECT_EXACT_LIMIT = 2_500
PROOF_LIMIT = 1_500
CUT_ROUNDS = 16
FIRST_SLACK = 5e-4
PROOF_STEPS = 40
SLACK_GROWTH = 2.0
MORE_CUTS = 4
CHEAP_PAIRS_PER_PERSON = 24
COMPLETE_GRAPH_LIMIT = 300
COST_SCALE = 1e6
LEFTOVER_EXACT_LIMIT = 600
WEIGHT_SCALE = 1e9
REL_TOL = 1e-9

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


class _Pairing:
    """Mutable working state of one scope's pairing step."""

    def __init__(self, n: int) -> None:
        self.mate = np.full(n, -1, dtype=np.int64)

    def pairs(self) -> list[tuple[int, int]]:
        return [(i, int(j)) for i, j in enumerate(self.mate) if j > i]


def _assignment(n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray):
    """Cycle cover of the doubled graph and dual prices y with y_i + y_j >= w_ij on the graph."""
    top = float(weight.max()) if len(weight) else 0.0
    big = top + 1.0
    rows = np.concatenate([left, right, np.arange(n)])
    cols = np.concatenate([right, left, np.arange(n)])
    wts = np.concatenate([weight, weight, np.zeros(n)])
    # Whole-number costs: scipy's sparse assignment can loop for minutes on float
    # costs; flooring keeps every weight rounded up, so the bound stays valid.
    true_cost = sp.csr_matrix((big - wts, (rows, cols)), shape=(n, n))
    cost = sp.csr_matrix((np.floor((big - wts) * COST_SCALE), (rows, cols)), shape=(n, n))
    r, c = min_weight_full_bipartite_matching(cost)
    sigma = np.empty(n, dtype=np.int64)
    sigma[r] = c
    matched_cost = np.asarray(cost[np.arange(n), sigma]).ravel()
    inverse = np.empty(n, dtype=np.int64)
    inverse[sigma] = np.arange(n)
    coo = cost.tocoo()
    src, col, cst = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    free = sigma[src] != col
    # Exchange graph on people: i -> k means "i takes k's partner"; shortest
    # distances give the dual prices of the optimal assignment.
    src, dst = src[free], inverse[col[free]]
    ecost = cst[free] - matched_cost[dst]
    src = np.concatenate([src, np.full(n, n)])
    dst = np.concatenate([dst, np.arange(n)])
    ecost = np.concatenate([ecost, np.zeros(n)])
    order = np.argsort(dst, kind="stable")
    src, dst, ecost = src[order], dst[order], ecost[order]
    targets, starts = np.unique(dst, return_index=True)
    dist = np.full(n + 1, np.inf)
    dist[n] = 0.0
    for _ in range(n + 2):
        best = np.minimum.reduceat(dist[src] + ecost, starts)
        improved = best < dist[targets] - 0.5
        if not improved.any():
            break
        dist[targets[improved]] = best[improved]
    right_dist = dist[inverse] + matched_cost[inverse]
    y = (big * COST_SCALE + dist[:n] - right_dist) / 2.0 / COST_SCALE
    y = np.maximum(y, 0.0)
    mate_weight = big - np.asarray(true_cost[np.arange(n), sigma]).ravel()
    return sigma, mate_weight, y


def _suspects(y: np.ndarray, threshold: np.ndarray, slack: float) -> np.ndarray:
    """People who might have an off-graph pair with reduced cost <= slack."""
    n = len(y)
    order = np.argsort(threshold, kind="stable")
    ys = y[order]
    suffix = np.minimum.accumulate(ys[::-1])[::-1]
    after = np.concatenate([suffix[1:], [np.inf]])
    flagged = after <= threshold[order] + slack - ys + 1e-12
    flagged &= np.isfinite(threshold[order])
    out = np.zeros(n, dtype=bool)
    out[order[flagged]] = True
    return np.flatnonzero(out)


def _exact_rows(ctx: ScoringContext, rows: np.ndarray):
    for start in range(0, len(rows), 512):
        block = rows[start : start + 512]
        score, allowed = score_block(ctx, block)
        yield block, np.where(allowed, score + ctx.pair_bonus, -np.inf)


def _split_cycles(sigma: np.ndarray, mate_weight: np.ndarray) -> tuple[_Pairing, float]:
    n = len(sigma)
    pairing = _Pairing(n)
    seen = np.zeros(n, dtype=bool)
    total = 0.0
    for s in range(n):
        if seen[s]:
            continue
        cycle = [s]
        seen[s] = True
        j = int(sigma[s])
        while j != s:
            cycle.append(j)
            seen[j] = True
            j = int(sigma[j])
        length = len(cycle)
        if length == 1:
            continue
        edges = mate_weight[cycle]
        starts = [0, 1] if length % 2 == 0 else list(range(length))
        doubled = np.concatenate([edges, edges])
        span = length - (length % 2)
        best_m, best_val = 0, -np.inf
        for m in starts:
            first = m + 1 if length % 2 else m
            val = (
                float(doubled[first : first + span - 1 : 2].sum())
                if length % 2
                else float(doubled[m : m + length : 2].sum())
            )
            if val > best_val:
                best_m, best_val = m, val
        first = best_m + 1 if length % 2 else best_m
        count = (length - 1) // 2 if length % 2 else length // 2
        for t in range(count):
            a = cycle[(first + 2 * t) % length]
            b = cycle[(first + 2 * t + 1) % length]
            pairing.mate[a], pairing.mate[b] = b, a
        total += best_val
    return pairing, total


def _rx_matching(
    n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray, max_cardinality: bool
) -> list[tuple[int, int]]:
    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    scaled = np.rint(weight * WEIGHT_SCALE).astype(np.int64)
    graph.add_edges_from(list(zip(left.tolist(), right.tolist(), scaled.tolist(), strict=False)))
    found = rx.max_weight_matching(graph, max_cardinality=max_cardinality, weight_fn=lambda w: w)
    return [(min(a, b), max(a, b)) for a, b in found]


def _exact_on(n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray) -> list[tuple[int, int]]:
    """Exact max-weight matching solved per connected component (trivial components directly)."""
    if not len(left):
        return []
    adj = sp.csr_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, label = connected_components(adj, directed=False)
    comp = label[left]
    sizes = np.bincount(label)
    out: list[tuple[int, int]] = []
    big = sizes[comp] > 2
    for a, b, w in zip(left[~big].tolist(), right[~big].tolist(), weight[~big].tolist(), strict=False):
        if w > 0:
            out.append((a, b))
    if big.any():
        out.extend(_rx_matching(n, left[big], right[big], weight[big], max_cardinality=False))
    return out


def _pair_scope(ctx: ScoringContext, seed: int) -> tuple[_Pairing, float, float, bool, np.ndarray]:
    """Pairing step for one scope: (pairing, value, upper bound, proven optimal, allowed degree)."""
    n = ctx.n
    graph = candidate_graph(ctx, k=n - 1 if n <= COMPLETE_GRAPH_LIMIT else 24, seed=seed)
    if n < 2 or not len(graph.left):
        return _Pairing(n), 0.0, 0.0, True, graph.degree_allowed
    if COMPLETE_GRAPH_LIMIT < n <= PROOF_LIMIT:
        proof = _prove(ctx, graph)
        if proof is not None:
            return proof[0], proof[1], proof[1], True, graph.degree_allowed
    sigma, mate_weight, y = _assignment(n, graph.left, graph.right, graph.weight)
    for rows, weights in _exact_rows(ctx, _suspects(y, graph.threshold, 0.0)):
        need = np.max(np.where(np.isfinite(weights), weights - y[None, :], -np.inf), axis=1)
        y[rows] = np.maximum(y[rows], need)
    bound = float(y.sum())
    pairing, value = _split_cycles(sigma, mate_weight)
    if n <= DIRECT_EXACT_LIMIT:
        pairing = _Pairing(n)
        for i, j in _exact_on(n, graph.left, graph.right, graph.weight):
            pairing.mate[i], pairing.mate[j] = j, i
    else:
        _improve_locally(graph, sigma, pairing)
    value = _graph_value(graph, pairing, n)
    gap = bound - value
    if gap <= REL_TOL * max(1.0, bound):
        return pairing, value, bound, True, graph.degree_allowed
    if n <= COMPLETE_GRAPH_LIMIT or _graph_holds_all_suspects(ctx, graph, y, gap):
        return pairing, value, value, True, graph.degree_allowed
    return pairing, value, bound, False, graph.degree_allowed


def _prove(ctx: ScoringContext, graph) -> tuple[_Pairing, float] | None:
    """(exact pairing, its value) over ALL allowed pairs, or None if not proven within limits.

    See matching/proof.py: the odd-set LP prices bound every pairing. The exact solver
    runs on the pairs whose reduced cost is within a slack; if the bound minus the best
    value found is within that slack, no pair left out can be in a better pairing.
    Otherwise the slack grows (at most doubling, so a poor first pairing does not flood
    the exact solver). When the slack would admit too many pairs the LP is cut further,
    and if that is not enough the slack is halved to look for a better pairing first.
    """
    n = ctx.n
    bounder = PairingBound(n, graph.left, graph.right, graph.weight, lambda: _exact_rows(ctx, np.arange(n)))
    prices = bounder.tighten(CUT_ROUNDS)
    slack = FIRST_SLACK * max(prices.bound, 1.0)
    best, best_value = None, -np.inf
    extra_cuts = stalled = 0
    for _ in range(PROOF_STEPS + MORE_CUTS):
        pairs = prices.pairs_within(slack, CHEAP_PAIRS_PER_PERSON * n)
        if pairs is None:
            stalled += 1
            if best is None or stalled > 1:
                slack /= 2.0
            elif bounder.settled or extra_cuts == MORE_CUTS:
                return None
            else:
                extra_cuts += 1
                prices = bounder.tighten(CUT_ROUNDS)
                slack = min(slack, max(prices.bound - best_value, 0.0))
            continue
        stalled = 0
        left, right = pairs
        score, _ = pairwise(ctx, left, right)
        exact = _Pairing(n)
        for i, j in _exact_on(n, left, right, score + ctx.pair_bonus):
            exact.mate[i], exact.mate[j] = j, i
        value = _pairs_value(ctx, exact.pairs())
        if value > best_value:
            best, best_value = exact, value
        if prices.bound - best_value <= slack:
            return best, best_value
        slack = min(prices.bound - best_value, SLACK_GROWTH * slack)
    return None


def _graph_holds_all_suspects(ctx: ScoringContext, graph, y: np.ndarray, gap: float) -> bool:
    """Cheap test with the assignment duals: every pair that could beat the gap is in the graph."""
    n = ctx.n
    in_graph = None
    for rows, w in _exact_rows(ctx, _suspects(y, graph.threshold, gap)):
        reduced = y[rows][:, None] + y[None, :] - w
        r_idx, c_idx = np.nonzero(np.isfinite(w) & (reduced <= gap + 1e-9))
        if not len(r_idx):
            continue
        if in_graph is None:
            in_graph = set((graph.left * n + graph.right).tolist())
        for r, c in zip(rows[r_idx].tolist(), c_idx.tolist(), strict=True):
            if min(r, c) * n + max(r, c) not in in_graph:
                return False
    return True


def _graph_value(graph, pairing: _Pairing, n: int) -> float:
    weight_of = dict(zip((graph.left * n + graph.right).tolist(), graph.weight.tolist(), strict=True))
    return float(sum(weight_of.get(i * n + j, 0.0) for i, j in pairing.pairs()))


def _improve_locally(graph, sigma: np.ndarray, pairing: _Pairing, reach: int = 2) -> None:
    """Re-solve exactly around the people the cycle split left unpaired or badly paired.

    The region holds everyone from cycles longer than two, each one's best `reach`
    neighbours, and those neighbours' current partners, so it is a union of whole
    pairs plus loose people; the exact answer inside it can only raise the total.
    """
    n = len(sigma)
    trouble = np.flatnonzero((sigma[sigma] != np.arange(n)) | (sigma == np.arange(n)))
    if not len(trouble):
        return
    a = np.concatenate([graph.left, graph.right])
    b = np.concatenate([graph.right, graph.left])
    w = np.concatenate([graph.weight, graph.weight])
    order = np.lexsort((-w, a))
    a, b = a[order], b[order]
    starts = np.searchsorted(a, np.arange(n))
    ends = np.searchsorted(a, np.arange(n), side="right")
    region = set(trouble.tolist())
    for t in trouble.tolist():
        for j in b[starts[t] : min(ends[t], starts[t] + reach)].tolist():
            region.add(j)
            if pairing.mate[j] >= 0:
                region.add(int(pairing.mate[j]))
    inside = np.zeros(n, dtype=bool)
    inside[list(region)] = True
    keep = inside[graph.left] & inside[graph.right]
    for i in np.flatnonzero(inside).tolist():
        pairing.mate[i] = -1
    for i, j in _exact_on(n, graph.left[keep], graph.right[keep], graph.weight[keep]):
        pairing.mate[i], pairing.mate[j] = j, i


def _weights_between(ctx: ScoringContext, rows: list[int], cols: list[int]) -> np.ndarray:
    score, allowed = score_block(ctx, np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))
    return np.where(allowed, score + ctx.pair_bonus, -np.inf)


def _pairs_value(ctx: ScoringContext, pairs: list[tuple[int, int]]) -> float:
    if not pairs:
        return 0.0
    idx = np.array(pairs, dtype=np.int64)
    score, _ = pairwise(ctx, idx[:, 0], idx[:, 1])
    return float(score.sum()) + ctx.pair_bonus * len(pairs)


def _pair_leftovers(ctx: ScoringContext, pairing: _Pairing) -> None:
    single = np.flatnonzero(pairing.mate < 0).tolist()
    if len(single) < 2:
        return
    if len(single) > LEFTOVER_EXACT_LIMIT:
        single = single[:LEFTOVER_EXACT_LIMIT]
    w = _weights_between(ctx, single, single)
    iu, ju = np.triu_indices(len(single), 1)
    ok = np.isfinite(w[iu, ju])
    if not ok.any():
        return
    found = _rx_matching(len(single), iu[ok], ju[ok], w[iu, ju][ok] + 1.0, max_cardinality=True)
    for a, b in found:
        i, j = single[a], single[b]
        pairing.mate[i], pairing.mate[j] = j, i


def _attach(ctx: ScoringContext, groups: list[list[int]], singles: list[int]) -> tuple[list[int], list[int]]:
    """Give each single person the group of two they add most score to; returns (still single, ...)."""
    anchors = [k for k, g in enumerate(groups) if len(g) == 2]
    if not singles or not anchors:
        return singles, []
    cols = [m for k in anchors for m in groups[k]]
    w = _weights_between(ctx, singles, cols)
    gain = w[:, 0::2] + w[:, 1::2]
    cost = np.where(np.isfinite(gain), -gain, 1e12)
    rows, picks = linear_sum_assignment(cost)
    left = set(singles)
    for r, c in zip(rows, picks, strict=False):
        if np.isfinite(gain[r, c]):
            groups[anchors[c]].append(singles[r])
            left.discard(singles[r])
    return sorted(left), []


def _group_values(ctx: ScoringContext, members: list[int]) -> tuple[float, float]:
    values = _many_group_values(ctx, [members])
    return values[0]


def _many_group_values(ctx: ScoringContext, groups: list[list[int]]) -> list[tuple[float, float]]:
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


def _plan_scope(people: list[Person], rules: MatchRules, history: PairHistory, seed: int):
    full = build_context(people, rules, history)
    fixed = _continuing(full, history)
    fixed_ids = {i for pair in fixed for i in pair}
    free = [i for i in range(full.n) if i not in fixed_ids]
    ctx = build_context([people[i] for i in free], rules, history)
    pairing, value, bound, optimal, degree = _pair_scope(ctx, seed)
    _pair_leftovers(ctx, pairing)
    fixed_value = 0.0
    for i, j in fixed:
        score, _ = score_block(full, np.array([i]), np.array([j]))
        fixed_value += float(score[0, 0]) + full.pair_bonus
    groups = [[free[i], free[j]] for i, j in pairing.pairs()] + [list(p) for p in fixed]
    pair_value = _pairs_value(ctx, pairing.pairs()) + fixed_value
    if bound is not None:
        bound = max(bound, value) + fixed_value
    singles = [free[i] for i in np.flatnonzero(pairing.mate < 0).tolist()]
    if rules.group_size == 3:
        values = _many_group_values(full, groups)
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
            v[0] * len(g) * (len(g) - 1) / 2
            for v, g in zip(_many_group_values(full, groups), groups, strict=True)
        )
    return full, groups, unmatched, pair_value, bound, optimal


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
    for members, (score, similarity) in zip(ordered, _many_group_values(ctx, ordered), strict=False):
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
        ctx, scope_groups, scope_unmatched, value, bound, scope_optimal = _plan_scope(
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
