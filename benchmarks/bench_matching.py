"""Benchmark the matching engine on synthetic communities.

Usage: python benchmarks/bench_matching.py [--sizes 100,1000,5000,10000] [--repeats 3]

For n above the solver's proof limit the plan's own bound (assignment relaxation) is
loose, so the benchmark also computes, OUTSIDE the timed plan_round call, a tighter
bound valid for every allowed pair: the odd-set pairing LP on the 24-NN candidate graph
with column pricing (`matching.proof.PairingBound`), lifted to all pairs.
"""

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import rustworkx as rx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.exact import exact_on, exact_rows  # noqa: E402
from matching.model import PairHistory  # noqa: E402
from matching.proof import PairingBound  # noqa: E402
from matching.rules import MatchRules  # noqa: E402
from matching.scoring import build_context, candidate_graph, score_block  # noqa: E402
from matching.solver import plan_round  # noqa: E402
from matching.synthetic import synthetic_people  # noqa: E402


def exact_optimum(people, rules):
    """Exact max-weight pairing on the complete allowed graph (slow; small n only)."""
    ctx = build_context(sorted(people, key=lambda p: p.id), rules, PairHistory())
    score, allowed = score_block(ctx, np.arange(ctx.n))
    graph = rx.PyGraph()
    graph.add_nodes_from(range(ctx.n))
    rows, cols = np.nonzero(np.triu(allowed, 1))
    weights = np.rint((score[rows, cols] + ctx.pair_bonus) * 1e9).astype(np.int64)
    graph.add_edges_from(list(zip(rows.tolist(), cols.tolist(), weights.tolist(), strict=True)))
    best = rx.max_weight_matching(graph, weight_fn=lambda w: w)
    return float(sum(score[i, j] + ctx.pair_bonus for i, j in best))


def proof_bound(people, rules, rounds, seconds):
    """Upper bound on every pairing over ALL allowed pairs from the odd-set LP (not timed in solve_s).

    Cut-and-price rounds run in batches of 8 until `rounds` or `seconds` is reached;
    the prices are lifted to every allowed pair after each batch, so each bound is valid.
    Returns (bound, seconds taken, odd-set cuts used).
    """
    start = time.perf_counter()
    ctx = build_context(sorted(people, key=lambda p: p.id), rules, PairHistory())
    graph = candidate_graph(ctx, k=24, seed=0)
    bounder = PairingBound(
        ctx.n, graph.left, graph.right, graph.weight, lambda: exact_rows(ctx, np.arange(ctx.n))
    )
    best, done = np.inf, 0
    while done < rounds and time.perf_counter() - start < seconds and not bounder.settled:
        prices = bounder.tighten(8)
        best = min(best, prices.bound)
        done += 8
    return best, time.perf_counter() - start, len(prices.z)


def graph_optimum(people, rules):
    """Exact best pairing on the 24-NN candidate graph (rustworkx): a lower bound on the optimum."""
    start = time.perf_counter()
    ctx = build_context(sorted(people, key=lambda p: p.id), rules, PairHistory())
    graph = candidate_graph(ctx, k=24, seed=0)
    pairs = exact_on(ctx.n, graph.left, graph.right, graph.weight)
    weight_of = dict(zip((graph.left * ctx.n + graph.right).tolist(), graph.weight.tolist(), strict=True))
    return float(sum(weight_of[i * ctx.n + j] for i, j in pairs)), time.perf_counter() - start


def theme_rate(groups, theme_of):
    pairs = [(g[0], g[1]) for g in groups]
    return float(np.mean([theme_of[a] == theme_of[b] for a, b in pairs])) if pairs else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,5000,10000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bound-from", type=int, default=1501, help="odd-set LP bound for n >= this")
    parser.add_argument("--bound-rounds", type=int, default=24)
    parser.add_argument("--bound-seconds", type=float, default=150.0)
    parser.add_argument("--graph-exact-max", type=int, default=5000, help="rustworkx on the graph up to n")
    args = parser.parse_args()
    rules = MatchRules()
    header = (
        "n",
        "vec_s",
        "solve_s",
        "maxrss_MB",
        "total",
        "ref",
        "ratio",
        "optimal",
        "lp_bound",
        "ratio_lp",
        "graph_opt",
        "base_ratio",
        "mean_sim",
        "base_sim",
        "theme",
        "theme_rand",
    )
    print(" | ".join(header))
    for n in (int(x) for x in args.sizes.split(",")):
        start = time.perf_counter()
        people, theme_of = synthetic_people(n, seed=n)
        vec_s = time.perf_counter() - start
        times = []
        for r in range(args.repeats):
            start = time.perf_counter()
            plan = plan_round(people, rules, PairHistory(), seed=r)
            times.append(time.perf_counter() - start)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if n <= 800:
            ref, ref_kind = exact_optimum(people, rules), "exact"
        else:
            ref, ref_kind = plan.upper_bound, "bound"
        lp_bound = ratio_lp = graph_opt = "-"
        if n >= args.bound_from:
            bound, took, cuts = proof_bound(people, rules, args.bound_rounds, args.bound_seconds)
            lp_bound = f"{bound:.1f} ({took:.0f} s, {cuts} cuts)"
            ratio_lp = f"{plan.objective / bound:.4f}"
        if args.bound_from <= n <= args.graph_exact_max:
            value, took = graph_optimum(people, rules)
            graph_opt = f"{value:.1f} ({took:.0f} s)"
        pairs_base = plan.baseline.mean_score * (n // 2)
        rng = np.random.default_rng(0)
        random_pairs = rng.permutation([p.id for p in people])[: n - n % 2].reshape(-1, 2)
        row = (
            n,
            f"{vec_s:.2f}",
            f"{statistics.median(times):.2f}",
            f"{peak:.0f}",
            f"{plan.objective:.1f}",
            f"{ref:.1f} ({ref_kind})",
            f"{plan.objective / ref:.4f}",
            plan.optimal,
            lp_bound,
            ratio_lp,
            graph_opt,
            f"{pairs_base / ref:.3f}",
            f"{plan.metrics.mean_similarity:.3f}",
            f"{plan.baseline.mean_similarity:.3f}",
            f"{theme_rate([g.members for g in plan.groups if len(g.members) == 2], theme_of):.3f}",
            f"{theme_rate(random_pairs.tolist(), theme_of):.3f}",
        )
        print(" | ".join(str(x) for x in row), flush=True)


if __name__ == "__main__":
    main()
