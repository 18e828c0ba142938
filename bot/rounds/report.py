"""Showing a planned round to admins: groups with scores and reasons, and the round's figures
beside a random pairing of the same people, as text or JSON."""

from __future__ import annotations

from typing import Any

from bot.kernel.groups import reason_lines
from bot.kernel.wording import plural
from bot.rounds.plans import PlannedRound
from matching.model import Group, RoundMetrics

SHOW_GROUPS = 40


def _name(planned: PlannedRound, person_id: str) -> str:
    profile = planned.input.profiles.get(person_id)
    return f"{profile.display_name} ({profile.organisation})" if profile else person_id


def _reasons(planned: PlannedRound, group: Group) -> list[str]:
    profiles = planned.input.profiles
    return reason_lines(group.reasons, [profiles[m] for m in group.members if m in profiles])


def _metrics_lines(label: str, m: RoundMetrics) -> list[str]:
    return [
        f"*{label}*: {m.matched} of {m.people} matched, {m.unmatched} unmatched; "
        f"mean score {m.mean_score:.2f}; mean challenge similarity {m.mean_similarity:.2f}; "
        f"different organisation types {m.cross_org_rate:.0%}; repeats {m.repeats}"
    ]


def render_plan(planned: PlannedRound) -> str:
    """A round as an admin reads it (the first groups in full, then a count)."""
    plan, found = planned.plan, planned.input
    heading = (
        f"*Round {planned.round_id} committed*" if planned.round_id else "*Preview: nothing has been sent*"
    )
    lines = [
        f"{heading} for {found.scope}: rules version {found.rules_version}, seed {plan.seed}.",
        *_metrics_lines("This plan", plan.metrics),
        *_metrics_lines("Random pairing, for comparison", plan.baseline),
    ]
    if plan.upper_bound:
        quality = (
            "proven optimal"
            if plan.optimal
            else f"{plan.objective / plan.upper_bound:.1%} of a proven upper bound"
        )
        lines.append(f"Solver: total score {plan.objective:.2f}, {quality}.")
    lines.append("")
    for index, group in enumerate(plan.groups[:SHOW_GROUPS], 1):
        names = " + ".join(_name(planned, m) for m in group.members)
        lines.append(f"{index}. {names}: score {group.score:.2f}")
        lines += [f"   – {reason}" for reason in _reasons(planned, group)]
    if len(plan.groups) > SHOW_GROUPS:
        more = plural(len(plan.groups) - SHOW_GROUPS, "more group")
        lines.append(f"… and {more} (use `peerbot match --json`).")
    for unmatched in plan.unmatched:
        lines.append(f"Not matched: {_name(planned, unmatched.person_id)}: {unmatched.reason}")
    return "\n".join(lines)


def plan_as_json(planned: PlannedRound) -> dict[str, Any]:
    """A round as data, for `peerbot match --json`."""
    plan, found = planned.plan, planned.input
    return {
        "scope": found.scope,
        "round_id": planned.round_id,
        "seed": plan.seed,
        "rules_version": found.rules_version,
        "rules": found.rules.__dict__,
        "metrics": plan.metrics.__dict__,
        "baseline": plan.baseline.__dict__,
        "objective": plan.objective,
        "upper_bound": plan.upper_bound,
        "optimal": plan.optimal,
        "groups": [
            {
                "members": [_name(planned, m) for m in group.members],
                "score": round(group.score, 4),
                "similarity": round(group.similarity, 4),
                "reasons": _reasons(planned, group),
            }
            for group in plan.groups
        ],
        "unmatched": [{"person": _name(planned, u.person_id), "reason": u.reason} for u in plan.unmatched],
    }
