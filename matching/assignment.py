"""The assignment relaxation of pairing: a cycle cover of the doubled candidate graph, the dual
prices that bound every pairing, and the cover split into pairs.

Person i -> partner j on the doubled graph (with "stay single" worth 0) is an assignment
problem scipy solves exactly; its optimum halved is an upper bound on any pairing, and its
two-cycles (and the best split of longer cycles) give a first pairing.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

COST_SCALE = 1e6


class Pairing:
    """Mutable working state of one scope's pairing step."""

    def __init__(self, n: int) -> None:
        self.mate = np.full(n, -1, dtype=np.int64)

    def pairs(self) -> list[tuple[int, int]]:
        """Each pair once, lower index first."""
        return [(i, int(j)) for i, j in enumerate(self.mate) if j > i]


def assignment(n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray):
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


def suspects(y: np.ndarray, threshold: np.ndarray, slack: float) -> np.ndarray:
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


def split_cycles(sigma: np.ndarray, mate_weight: np.ndarray) -> tuple[Pairing, float]:
    """The cycle cover as pairs: two-cycles directly, longer cycles split where their pairs
    score most; returns the pairing and its value."""
    n = len(sigma)
    pairing = Pairing(n)
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
