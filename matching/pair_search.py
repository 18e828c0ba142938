"""The pairing step for one scope: the best pairing of everyone free, with an upper bound and,
where one is found, a proof that no pairing over ALL allowed pairs scores more.

Up to COMPLETE_GRAPH_LIMIT people the candidate graph holds every allowed pair. Above it the
graph is sparse, so optimality needs a proof about the pairs left out: for scopes up to
PROOF_LIMIT the odd-set LP prices (matching/proof.py) give one directly; otherwise, and if
that fails, the assignment relaxation's duals (matching/assignment.py) bound every pair
outside the graph, and only pairs whose reduced cost beats the gap go to the exact solver.
"""

from __future__ import annotations

import numpy as np

from matching.assignment import Pairing, assignment, split_cycles, suspects
from matching.exact import exact_on, exact_rows, pairs_value
from matching.proof import PairingBound
from matching.scoring import ScoringContext, candidate_graph, pairwise

DIRECT_EXACT_LIMIT = 2_500
PROOF_LIMIT = 1_500
CUT_ROUNDS = 16
FIRST_SLACK = 5e-4
PROOF_STEPS = 40
SLACK_GROWTH = 2.0
MORE_CUTS = 4
CHEAP_PAIRS_PER_PERSON = 24
COMPLETE_GRAPH_LIMIT = 300
REL_TOL = 1e-9


def pair_scope(ctx: ScoringContext, seed: int) -> tuple[Pairing, float, float, bool, np.ndarray]:
    """Pairing step for one scope: (pairing, value, upper bound, proven optimal, allowed degree)."""
    n = ctx.n
    graph = candidate_graph(ctx, k=n - 1 if n <= COMPLETE_GRAPH_LIMIT else 24, seed=seed)
    if n < 2 or not len(graph.left):
        return Pairing(n), 0.0, 0.0, True, graph.degree_allowed
    if COMPLETE_GRAPH_LIMIT < n <= PROOF_LIMIT:
        proof = _prove(ctx, graph)
        if proof is not None:
            return proof[0], proof[1], proof[1], True, graph.degree_allowed
    sigma, mate_weight, y = assignment(n, graph.left, graph.right, graph.weight)
    for rows, weights in exact_rows(ctx, suspects(y, graph.threshold, 0.0)):
        need = np.max(np.where(np.isfinite(weights), weights - y[None, :], -np.inf), axis=1)
        y[rows] = np.maximum(y[rows], need)
    bound = float(y.sum())
    pairing, value = split_cycles(sigma, mate_weight)
    if n <= DIRECT_EXACT_LIMIT:
        pairing = Pairing(n)
        for i, j in exact_on(n, graph.left, graph.right, graph.weight):
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


def _prove(ctx: ScoringContext, graph) -> tuple[Pairing, float] | None:
    """(exact pairing, its value) over ALL allowed pairs, or None if not proven within limits.

    See matching/proof.py: the odd-set LP prices bound every pairing. The exact solver
    runs on the pairs whose reduced cost is within a slack; if the bound minus the best
    value found is within that slack, no pair left out can be in a better pairing.
    Otherwise the slack grows (at most doubling, so a poor first pairing does not flood
    the exact solver). When the slack would admit too many pairs the LP is cut further,
    and if that is not enough the slack is halved to look for a better pairing first.
    """
    n = ctx.n
    bounder = PairingBound(n, graph.left, graph.right, graph.weight, lambda: exact_rows(ctx, np.arange(n)))
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
        exact = Pairing(n)
        for i, j in exact_on(n, left, right, score + ctx.pair_bonus):
            exact.mate[i], exact.mate[j] = j, i
        value = pairs_value(ctx, exact.pairs())
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
    for rows, w in exact_rows(ctx, suspects(y, graph.threshold, gap)):
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


def _graph_value(graph, pairing: Pairing, n: int) -> float:
    weight_of = dict(zip((graph.left * n + graph.right).tolist(), graph.weight.tolist(), strict=True))
    return float(sum(weight_of.get(i * n + j, 0.0) for i, j in pairing.pairs()))


def _improve_locally(graph, sigma: np.ndarray, pairing: Pairing, reach: int = 2) -> None:
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
    for i, j in exact_on(n, graph.left[keep], graph.right[keep], graph.weight[keep]):
        pairing.mate[i], pairing.mate[j] = j, i
