"""Proof of optimality for a pairing: matching LP duals with odd-set cuts and reduced-cost fixing.

Why: the assignment (doubled-graph) bound has an integrality gap of a few tenths of a
percent at 1,000 people, far too loose to rule out pairs outside the sparse candidate
graph. The pairing LP with odd-set ("blossom") constraints closes most of that gap.
One HiGHS model is kept and re-solved with warm start (dual simplex after new cut rows,
primal simplex after new pair columns), so each round costs a few pivots, not a fresh LP.
Pairs outside the candidate graph that the current prices undervalue are priced in
(column generation), so the final prices hold for almost every allowed pair.
The dual prices (u per person, z per odd set) are then made exactly feasible for EVERY
allowed pair, and any pair whose reduced cost u_i + u_j + z(i, j) - w_ij exceeds the
remaining gap (bound - value of a known pairing) cannot be in a better pairing. Only the
pairs that survive are handed to the exact solver, which gives the optimum over all
allowed pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

try:  # the bare core class does not print HiGHS's banner on creation
    from highspy._core import _Highs as Highs
except ImportError:  # pragma: no cover - older highspy layouts
    from highspy import Highs

EPS = 1e-6
RC_MARGIN = 1e-7
PRICE_TOL = 1e-9
COLUMNS_PER_PERSON = 4
LIFT_BLOCK = 256
PRICE_EVERY = 8
INF = 1e30
DUAL, PRIMAL = 1, 4

WeightRows = Callable[[], Iterator[tuple[np.ndarray, np.ndarray]]]


def _odd_set_cuts(n: int, left: np.ndarray, right: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
    """Odd components of the fractional edges whose blossom inequality the LP point violates."""
    frac = (x > EPS) & (x < 1 - EPS)
    if not frac.any():
        return []
    adj = sp.csr_matrix((np.ones(int(frac.sum())), (left[frac], right[frac])), shape=(n, n))
    _, label = connected_components(adj, directed=False)
    touched = np.zeros(n, dtype=bool)
    touched[left[frac]] = True
    touched[right[frac]] = True
    cuts = []
    for c in np.unique(label[touched]).tolist():
        members = np.flatnonzero(label == c)
        if len(members) % 2 == 0:
            continue
        inside = np.zeros(n, dtype=bool)
        inside[members] = True
        if x[inside[left] & inside[right]].sum() > (len(members) - 1) // 2 + EPS:
            cuts.append(members)
    return cuts


class _PairingLP:
    """The pairing LP (max sum w x, degree <= 1, odd-set rows) kept in one warm-started HiGHS model."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.highs = Highs()
        self.highs.setOptionValue("output_flag", False)
        # Measured at 1,000 people: presolve only slows the first solve, and primal simplex
        # starts fastest from scratch; dual simplex is the fast warm start after new cut rows.
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", PRIMAL)
        self.left = np.zeros(0, dtype=np.int64)
        self.right = np.zeros(0, dtype=np.int64)
        self.member = np.zeros((n, 0), dtype=bool)
        self.sizes = np.zeros(0, dtype=np.int64)
        starts = np.zeros(n, dtype=np.int32)
        self.highs.addRows(n, np.full(n, -INF), np.ones(n), 0, starts, starts[:0], np.zeros(0))

    def add_pairs(self, left: np.ndarray, right: np.ndarray, weight: np.ndarray) -> None:
        """New columns; each also enters every existing odd-set row holding both people."""
        if not len(left):
            return
        both = self.member[left] & self.member[right]
        counts = 2 + both.sum(axis=1)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        index = np.empty(int(counts.sum()), dtype=np.int32)
        index[starts] = left
        index[starts + 1] = right
        col, cut = np.nonzero(both)
        if len(col):
            offset = np.arange(len(col)) - np.searchsorted(col, col)
            index[starts[col] + 2 + offset] = self.n + cut
        m = len(left)
        self.highs.addCols(
            m, -weight, np.zeros(m), np.full(m, INF), len(index), starts, index, np.ones(len(index))
        )
        self.left = np.concatenate([self.left, left])
        self.right = np.concatenate([self.right, right])

    def add_cuts(self, cuts: list[np.ndarray]) -> None:
        """Odd-set rows: pairs inside S sum to at most (|S| - 1) / 2."""
        if not cuts:
            return
        inside = np.zeros((self.n, len(cuts)), dtype=bool)
        for k, members in enumerate(cuts):
            inside[members, k] = True
        rows = [np.flatnonzero(inside[self.left, k] & inside[self.right, k]) for k in range(len(cuts))]
        counts = np.array([len(r) for r in rows])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        index = np.concatenate(rows).astype(np.int32)
        sizes = np.array([len(c) for c in cuts], dtype=np.int64)
        upper = ((sizes - 1) // 2).astype(float)
        self.highs.addRows(
            len(cuts), np.full(len(cuts), -INF), upper, len(index), starts, index, np.ones(len(index))
        )
        self.member = np.concatenate([self.member, inside], axis=1)
        self.sizes = np.concatenate([self.sizes, sizes])

    def solve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(x, u, z) at the LP optimum, or None if HiGHS did not reach it."""
        self.highs.run()
        self.highs.setOptionValue("simplex_strategy", DUAL)
        if str(self.highs.getModelStatus()).split(".")[-1] != "kOptimal":
            return None
        solution = self.highs.getSolution()
        x = np.asarray(solution.col_value)
        dual = -np.asarray(solution.row_dual)
        return x, np.maximum(dual[: self.n], 0.0), np.maximum(dual[self.n :], 0.0)


def _cover(member: np.ndarray, z: np.ndarray, rows: np.ndarray) -> np.ndarray | float:
    """z(i, j): total price of the odd sets holding both i (in rows) and j."""
    if not len(z):
        return 0.0
    weighted = member[rows].astype(float) * z[None, :]
    return weighted @ member.T.astype(float)


def _weight_matrix(n: int, weight_rows: WeightRows) -> np.ndarray:
    full = np.empty((n, n))
    for rows, w in weight_rows():
        full[rows] = w
    return full


def _price(
    lp: _PairingLP, full: np.ndarray, u: np.ndarray, z: np.ndarray, in_lp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Allowed pairs outside the LP with negative reduced cost (a few of the worst per person)."""
    reduced = u[:, None] + u[None, :] + _cover(lp.member, z, np.arange(lp.n)) - full
    reduced[in_lp] = 0.0
    reduced[np.tril_indices(lp.n)] = 0.0
    rows, cols = np.nonzero(reduced < -PRICE_TOL)
    order = np.lexsort((reduced[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = rank < COLUMNS_PER_PERSON
    return rows[keep], cols[keep]


@dataclass(frozen=True)
class Prices:
    """Dual prices feasible for every allowed pair, and the upper bound they give on any pairing."""

    u: np.ndarray
    member: np.ndarray
    z: np.ndarray
    full: np.ndarray
    bound: float

    def pairs_within(self, slack: float, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Allowed pairs i < j with reduced cost <= slack, or None if more than `limit`.

        Any pairing worth more than bound - slack uses only these pairs, because its
        value is at most the bound minus the reduced costs of its pairs.
        """
        n = len(self.u)
        keep_l, keep_r = [], []
        count = 0
        for start in range(0, n, LIFT_BLOCK):
            rows = np.arange(start, min(start + LIFT_BLOCK, n))
            reduced = self.u[rows][:, None] + self.u[None, :] + _cover(self.member, self.z, rows)
            reduced -= self.full[rows]
            ok = (reduced <= slack + RC_MARGIN) & (rows[:, None] < np.arange(n)[None, :])
            r, c = np.nonzero(ok)
            count += len(r)
            if count > limit:
                return None
            keep_l.append(rows[r])
            keep_r.append(c)
        return np.concatenate(keep_l), np.concatenate(keep_r)


class PairingBound:
    """The pairing LP on the graph, tightened round by round; hands out prices valid for all pairs.

    `weight_rows()` yields (rows, weights of rows x everyone, -inf where not allowed),
    so the prices are made feasible for every allowed pair, not only the graph's.
    Kept between calls so that more cut rounds, when needed, start from the last basis.
    """

    def __init__(
        self, n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray, weight_rows: WeightRows
    ) -> None:
        self.n = n
        self.full = _weight_matrix(n, weight_rows)
        self.lp = _PairingLP(n)
        self.lp.add_pairs(left, right, weight)
        self.in_lp = np.zeros((n, n), dtype=bool)
        self.in_lp[left, right] = True
        self.u, self.z = np.zeros(n), np.zeros(0)
        self.step = 0
        self.settled = False

    def tighten(self, rounds: int) -> Prices:
        """Run up to `rounds` more cut-and-price rounds and return the lifted prices."""
        lp = self.lp
        for _ in range(rounds):
            if self.settled:
                break
            solved = lp.solve()
            if solved is None:
                self.settled = True
                break
            x, self.u, self.z = solved
            cuts = _odd_set_cuts(self.n, lp.left, lp.right, x)
            price_now = not cuts or self.step % PRICE_EVERY == 0
            new_l, new_r = _price(lp, self.full, self.u, self.z, self.in_lp) if price_now else ((), ())
            self.step += 1
            if not len(new_l) and not cuts:
                self.settled = True
                break
            lp.add_cuts(cuts)
            lp.add_pairs(new_l, new_r, self.full[new_l, new_r])
            self.in_lp[new_l, new_r] = True
        return self._lifted()

    def _lifted(self) -> Prices:
        """Raise person prices until every allowed pair's reduced cost is >= 0 (a valid bound)."""
        n, z = self.n, self.z
        member = self.lp.member[:, : len(z)]
        sizes = self.lp.sizes[: len(z)]
        u = self.u.copy()
        for start in range(0, n, LIFT_BLOCK):
            rows = np.arange(start, min(start + LIFT_BLOCK, n))
            slack = self.full[rows] - u[None, :] - _cover(member, z, rows)
            slack[np.arange(len(rows)), rows] = -np.inf
            u[rows] += np.maximum(np.max(slack, axis=1) - u[rows], 0.0)
        bound = float(u.sum() + z @ ((sizes - 1) // 2))
        return Prices(u, member, z, self.full, bound)
