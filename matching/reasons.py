"""Why a group was matched: the top reasons, as facts that name nobody (matching/reason_facts.py
renders them), so people see why they were introduced and erasure leaves nothing of anyone."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from matching.model import Person
from matching.phrases import phrase_picks
from matching.reason_facts import (
    OrgTypes,
    ReasonFact,
    SameRegion,
    SameStage,
    SharedAreas,
    SharedWork,
    StageAhead,
)
from matching.rules import MatchRules
from matching.vocabulary import stage_index


def group_reasons(
    members: Sequence[Person], rules: MatchRules, rarity: Callable[[str], float] | None = None
) -> tuple[ReasonFact, ...]:
    """Top 2-3 reasons for a group, strongest first: shared challenge phrases, stage, areas,
    organisation types, region. A member is referred to by id, never by name."""
    reasons: list[ReasonFact] = []
    size = len(members)
    picks, of = phrase_picks([m.challenge for m in members], rarity)
    if picks:
        reasons.append(SharedWork(size, picks, of))
    stages = sorted(members, key=lambda m: stage_index(m.stage))
    gap = stage_index(stages[-1].stage) - stage_index(stages[0].stage)
    if gap and (rules.stage_mode == "ahead" or gap == 1):
        reasons.append(StageAhead(stages[-1].id, stages[-1].stage, gap))
    elif not gap:
        reasons.append(SameStage(size, stages[0].stage))
    common = frozenset.intersection(*[m.areas for m in members])
    if common:
        reasons.append(SharedAreas(size, tuple(sorted(common))))
    types = sorted({m.org_type for m in members})
    if len(types) > 1:
        reasons.append(OrgTypes(tuple(types)))
    regions = {m.region for m in members}
    if len(regions) == 1 and rules.weight_same_region >= 0:
        reasons.append(SameRegion(size, next(iter(regions))))
    return tuple(reasons[:3])
