"""Benchmark the matching engine on synthetic communities.

Usage: python benchmarks/bench_matching.py [--sizes 100,1000,5000,10000] [--repeats 3]
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

from matching.model import PairHistory  # noqa: E402
from matching.rules import MatchRules  # noqa: E402
from matching.scoring import build_context, score_block  # noqa: E402
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


def theme_rate(groups, theme_of):
    pairs = [(g[0], g[1]) for g in groups]
    return float(np.mean([theme_of[a] == theme_of[b] for a, b in pairs])) if pairs else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,5000,10000")
    parser.add_argument("--repeats", type=int, default=3)
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
            f"{pairs_base / ref:.3f}",
            f"{plan.metrics.mean_similarity:.3f}",
            f"{plan.baseline.mean_similarity:.3f}",
            f"{theme_rate([g.members for g in plan.groups if len(g.members) == 2], theme_of):.3f}",
            f"{theme_rate(random_pairs.tolist(), theme_of):.3f}",
        )
        print(" | ".join(str(x) for x in row), flush=True)


if __name__ == "__main__":
    main()
