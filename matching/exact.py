"""Exact maximum-weight pairing: rustworkx's blossom matching on a set of candidate pairs, and
the exact pair weights it runs on.

The other steps only shrink the set of pairs that could be in a better pairing; this is the
step that turns such a set into the true optimum.
"""

from __future__ import annotations

import numpy as np
import rustworkx as rx
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from matching.scoring import ScoringContext, pairwise, score_block

WEIGHT_SCALE = 1e9


def exact_rows(ctx: ScoringContext, rows: np.ndarray):
    """(rows, weights against everyone) in blocks of 512 rows, -inf where a pair is not allowed:
    the full weight matrix of a large scope would not fit in memory at once."""
    for start in range(0, len(rows), 512):
        block = rows[start : start + 512]
        score, allowed = score_block(ctx, block)
        yield block, np.where(allowed, score + ctx.pair_bonus, -np.inf)


def rx_matching(
    n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray, max_cardinality: bool
) -> list[tuple[int, int]]:
    """Blossom matching on these pairs; weights are scaled to integers so ties break the same
    way on every machine."""
    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    scaled = np.rint(weight * WEIGHT_SCALE).astype(np.int64)
    graph.add_edges_from(list(zip(left.tolist(), right.tolist(), scaled.tolist(), strict=False)))
    found = rx.max_weight_matching(graph, max_cardinality=max_cardinality, weight_fn=lambda w: w)
    return [(min(a, b), max(a, b)) for a, b in found]


def exact_on(n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray) -> list[tuple[int, int]]:
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
        out.extend(rx_matching(n, left[big], right[big], weight[big], max_cardinality=False))
    return out


def weights_between(ctx: ScoringContext, rows: list[int], cols: list[int]) -> np.ndarray:
    """Pair weights of rows against cols, -inf where the rules forbid the pair."""
    score, allowed = score_block(ctx, np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))
    return np.where(allowed, score + ctx.pair_bonus, -np.inf)


def pairs_value(ctx: ScoringContext, pairs: list[tuple[int, int]]) -> float:
    """A pairing's total score, each pair's bonus included (what the solver maximises)."""
    if not pairs:
        return 0.0
    idx = np.array(pairs, dtype=np.int64)
    score, _ = pairwise(ctx, idx[:, 0], idx[:, 1])
    return float(score.sum()) + ctx.pair_bonus * len(pairs)
