"""Storing rounds, in the caller's transaction: the newest round of a scope, how many of its
introductions are still waiting, and a committed plan with its jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.jobs import enqueue
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.job_models import Job
from bot.rounds.introductions import INTRODUCTION, UNMATCHED
from bot.rounds.models import Round, RuleSet
from bot.rounds.plans import RoundInput
from matching.model import RoundPlan
from matching.reason_facts import facts_to_json
from matching.rules import rules_to_mapping


async def newest_round(session: AsyncSession, scope: str):
    """(id, created_at) of the scope's newest round, or None before the first."""
    return (
        await session.execute(
            select(Round.id, Round.created_at).where(Round.scope == scope).order_by(Round.id.desc()).limit(1)
        )
    ).first()


async def pending_introductions(session: AsyncSession, round_id: int) -> int:
    """How many of a round's group introductions have not gone out yet."""
    groups = (await session.execute(select(MatchGroup.id).where(MatchGroup.round_id == round_id))).scalars()
    pending = await session.execute(
        select(func.count()).where(
            Job.key.in_([f"intro:{group_id}" for group_id in groups]) & (Job.status == "pending")
        )
    )
    return pending.scalar_one()


async def store_round(
    session: AsyncSession, found: RoundInput, plan: RoundPlan, started_by: str, now: datetime
) -> int:
    """Store the round and its groups, and queue an introduction per group and a note to each
    person who could not be matched; returns the round's id."""
    rule_set = (
        await session.execute(
            select(RuleSet.id).where(
                (RuleSet.scope == found.scope) & (RuleSet.version == found.rules_version)
            )
        )
    ).scalar_one_or_none()
    stored = Round(
        scope=found.scope,
        seed=plan.seed,
        rule_set_id=rule_set,
        rules=rules_to_mapping(plan.rules),
        started_by=started_by[:200],
        created_at=now,
        metrics=plan.metrics.__dict__,
        baseline=plan.baseline.__dict__,
    )
    session.add(stored)
    await session.flush()
    for group in plan.groups:
        row = MatchGroup(
            round_id=stored.id,
            score=group.score,
            similarity=group.similarity,
            reasons=facts_to_json(group.reasons),
            created_at=now,
        )
        session.add(row)
        await session.flush()
        session.add_all(GroupMember(group_id=row.id, profile_id=int(m)) for m in group.members)
        await enqueue(session, INTRODUCTION, f"intro:{row.id}", now, {"group_id": row.id}, now)
    for unmatched in plan.unmatched:
        await enqueue(
            session,
            UNMATCHED,
            f"unmatched:{stored.id}:{unmatched.person_id}",
            now,
            {"profile_id": int(unmatched.person_id), "reason": unmatched.reason},
            now,
        )
    return stored.id
