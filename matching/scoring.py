"""Pair scores, the hard pairing rules, and a sparse candidate graph for large rounds.

Score of a pair = weighted sum of text similarity (cosine, clipped to [0, 1]),
Jaccard overlap of integration areas, a stage term, a same-region term and an
organisation-type mix term. Scores are computed block by block so a round of
20,000 people never materialises an n x n matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.model import PairHistory, Person
from matching.rules import MatchRules
from matching.text_vectors import dense_matrix, round_matrix
from matching.vocabulary import INTEGRATION_AREAS, stage_index

AHEAD_TERM = np.array([0.0, 1.0, 0.75, 0.25])
BLOCK_ROWS = 512


def stage_term_table(mode: str) -> np.ndarray:
    """Stage term by stage distance: 'similar' rewards closeness, 'ahead' rewards a 1-2 stage lead."""
    if mode == "ahead":
        return AHEAD_TERM
    return 1.0 - np.arange(4) / 3.0


@dataclass
class ScoringContext:
    """Arrays for one scope's people in id order, so any block of pair scores is a few numpy ops."""

    people: tuple[Person, ...]
    rules: MatchRules
    text: sp.csr_matrix | np.ndarray
    idf: np.ndarray | None
    areas: np.ndarray
    area_sizes: np.ndarray
    stages: np.ndarray
    regions: np.ndarray
    org_types: np.ndarray
    orgs: np.ndarray
    forbidden: sp.csr_matrix
    pair_bonus: float

    @property
    def n(self) -> int:
        return len(self.people)


def pair_bonus(rules: MatchRules) -> float:
    """Constant added to every pair so no allowed pair is worth less than leaving people out."""
    weights = (
        rules.weight_similarity,
        rules.weight_areas,
        rules.weight_stage,
        rules.weight_same_region,
        rules.weight_org_mix,
    )
    return float(-sum(min(0.0, w) for w in weights))


def _codes(values: Sequence[str]) -> np.ndarray:
    _, codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return codes.astype(np.int64)


def forbidden_pairs(
    people: Sequence[Person], rules: MatchRules, history: PairHistory
) -> set[tuple[int, int]]:
    """Index pairs (i < j) that blocked lists or the no-repeat rule rule out."""
    index = {p.id: i for i, p in enumerate(people)}
    banned: set[frozenset[str]] = set(history.blocked)
    for round_pairs in history.recent_rounds[: rules.no_repeat_rounds]:
        banned.update(pair for pair in round_pairs if pair not in history.continuing)
    out: set[tuple[int, int]] = set()
    for pair in banned:
        ids = [index.get(x) for x in pair]
        if len(ids) == 2 and None not in ids:
            a, b = sorted(ids)
            out.add((a, b))
    return out


def build_context(people: Sequence[Person], rules: MatchRules, history: PairHistory) -> ScoringContext:
    """Prepare one scope's arrays; re-weights text vectors over the people in this round."""
    people = tuple(people)
    n = len(people)
    vectors = [p.vector for p in people]
    idf = None
    if n and isinstance(vectors[0], dict):
        text, idf = round_matrix(vectors)
    elif n:
        text = dense_matrix(vectors)
    else:
        text = np.zeros((0, 1))
    area_keys = list(INTEGRATION_AREAS)
    extra = sorted({a for p in people for a in p.areas} - set(area_keys))
    area_keys += extra
    col = {a: i for i, a in enumerate(area_keys)}
    areas = np.zeros((n, len(area_keys)))
    for i, p in enumerate(people):
        for a in p.areas:
            areas[i, col[a]] = 1.0
    bans = forbidden_pairs(people, rules, history)
    rows = [a for a, b in bans] + [b for a, b in bans]
    cols = [b for a, b in bans] + [a for a, b in bans]
    forbidden = sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, n))
    return ScoringContext(
        people=people,
        rules=rules,
        text=text,
        idf=idf,
        areas=areas,
        area_sizes=areas.sum(axis=1),
        stages=np.array([stage_index(p.stage) for p in people], dtype=np.int64),
        regions=_codes([p.region for p in people]),
        org_types=_codes([p.org_type for p in people]),
        orgs=_codes([p.organisation_key for p in people]),
        forbidden=forbidden,
        pair_bonus=pair_bonus(rules),
    )


def _similarity_block(ctx: ScoringContext, rows: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
    left = ctx.text[rows]
    right = ctx.text if cols is None else ctx.text[cols]
    product = left @ right.T
    if sp.issparse(product):
        product = product.toarray()
    return np.clip(np.asarray(product), 0.0, 1.0)


def score_block(
    ctx: ScoringContext, rows: np.ndarray, cols: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and allowed-mask for rows x cols (cols=None means everyone)."""
    r = ctx.rules
    all_cols = np.arange(ctx.n) if cols is None else cols
    sim = _similarity_block(ctx, rows, cols)
    inter = ctx.areas[rows] @ ctx.areas[all_cols].T
    union = ctx.area_sizes[rows][:, None] + ctx.area_sizes[all_cols][None, :] - inter
    jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    table = stage_term_table(r.stage_mode)
    stage = table[np.abs(ctx.stages[rows][:, None] - ctx.stages[all_cols][None, :])]
    region = ctx.regions[rows][:, None] == ctx.regions[all_cols][None, :]
    mix = ctx.org_types[rows][:, None] != ctx.org_types[all_cols][None, :]
    score = (
        r.weight_similarity * sim
        + r.weight_areas * jaccard
        + r.weight_stage * stage
        + r.weight_same_region * region
        + r.weight_org_mix * mix
    )
    allowed = rows[:, None] != all_cols[None, :]
    if r.never_same_organisation:
        allowed &= ctx.orgs[rows][:, None] != ctx.orgs[all_cols][None, :]
    banned = ctx.forbidden[rows]
    if banned.nnz:
        banned = banned[:, all_cols] if cols is not None else banned
        allowed &= ~banned.toarray()
    return score, allowed


def pair_score(ctx: ScoringContext, i: int, j: int) -> float:
    """Score of one pair by index."""
    score, _ = score_block(ctx, np.array([i]), np.array([j]))
    return float(score[0, 0])


def pair_similarity(ctx: ScoringContext, i: int, j: int) -> float:
    """Text similarity of one pair by index."""
    return float(_similarity_block(ctx, np.array([i]), np.array([j]))[0, 0])


def is_allowed(ctx: ScoringContext, i: int, j: int) -> bool:
    """Whether the hard rules let i and j be grouped."""
    _, allowed = score_block(ctx, np.array([i]), np.array([j]))
    return bool(allowed[0, 0])


@dataclass
class CandidateGraph:
    """Undirected candidate edges (i < j) with weights score + pair_bonus, and per-person thresholds.

    `threshold[i]` is the best weight among i's allowed partners that were not kept
    as i's nearest neighbours, so any pair missing from the graph weighs at most
    min(threshold[i], threshold[j]); this is what lets the solver prove optimality.
    """

    left: np.ndarray
    right: np.ndarray
    weight: np.ndarray
    threshold: np.ndarray
    degree_allowed: np.ndarray


def candidate_graph(ctx: ScoringContext, k: int = 24, fallback: int = 3, seed: int = 0) -> CandidateGraph:
    """Top-k partners per person by score, plus a few random allowed partners so nobody is stranded.

    Random fallback edges keep the graph connected when profiles form tight
    clusters; an odd cluster would otherwise leave someone without a partner.
    """
    n = ctx.n
    rng = np.random.default_rng(seed)
    lefts, rights, weights = [], [], []
    threshold = np.full(n, -np.inf)
    degree = np.zeros(n, dtype=np.int64)
    for start in range(0, n, BLOCK_ROWS):
        rows = np.arange(start, min(n, start + BLOCK_ROWS))
        score, allowed = score_block(ctx, rows)
        weight = np.where(allowed, score + ctx.pair_bonus, -np.inf)
        degree[rows] = allowed.sum(axis=1)
        kk = min(k, n - 1)
        if kk <= 0:
            continue
        if kk < n - 1:
            part = np.argpartition(-weight, kk, axis=1)
            top = part[:, :kk]
            threshold[rows] = weight[np.arange(len(rows)), part[:, kk]]
        else:
            top = np.argsort(-weight, axis=1)[:, :kk]
        picks = rng.integers(0, n, size=(len(rows), fallback * 4))
        cols = np.concatenate([top, picks], axis=1)
        vals = np.take_along_axis(weight, cols, axis=1)
        keep = np.isfinite(vals)
        rr = np.repeat(rows, cols.shape[1]).reshape(cols.shape)
        lefts.append(rr[keep])
        rights.append(cols[keep])
        weights.append(vals[keep])
    if not lefts:
        empty = np.zeros(0, dtype=np.int64)
        return CandidateGraph(empty, empty, np.zeros(0), threshold, degree)
    a = np.concatenate(lefts)
    b = np.concatenate(rights)
    w = np.concatenate(weights)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo.astype(np.int64) * n + hi
    key, first = np.unique(key, return_index=True)
    return CandidateGraph(key // n, key % n, w[first], threshold, degree)


def pairwise(ctx: ScoringContext, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores and text similarities of the pairs (left[k], right[k]), element by element."""
    r = ctx.rules
    if len(left) == 0:
        return np.zeros(0), np.zeros(0)
    a, b = ctx.text[left], ctx.text[right]
    sim = np.asarray(a.multiply(b).sum(axis=1)).ravel() if sp.issparse(a) else np.einsum("ij,ij->i", a, b)
    sim = np.clip(sim, 0.0, 1.0)
    inter = (ctx.areas[left] * ctx.areas[right]).sum(axis=1)
    union = ctx.area_sizes[left] + ctx.area_sizes[right] - inter
    jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    stage = stage_term_table(r.stage_mode)[np.abs(ctx.stages[left] - ctx.stages[right])]
    score = (
        r.weight_similarity * sim
        + r.weight_areas * jaccard
        + r.weight_stage * stage
        + r.weight_same_region * (ctx.regions[left] == ctx.regions[right])
        + r.weight_org_mix * (ctx.org_types[left] != ctx.org_types[right])
    )
    return score, sim
