"""Reading what a round is planned from: who is available in the scope, their challenge vectors
(all of one kind), and which pairs the recent rounds rule out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select

from bot.kernel.similarity import TfidfVectoriser, Vectoriser, vector_from_storage, vectors_and_backend
from bot.kernel.storage.database import Database
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round
from bot.rounds.rules import pair_history
from matching.model import PairHistory
from matching.rules import MatchRules


async def available_profiles(db: Database, communities: Sequence[tuple[str, str]]) -> list[Profile]:
    """Active, reachable members of these communities, in a stable order."""
    if not communities:
        return []
    condition = or_(
        *(
            (Profile.platform == platform) & (Profile.community == community)
            for platform, community in communities
        )
    )
    async with db.session() as session:
        return list(
            (
                await session.execute(
                    select(Profile)
                    .where(condition & (Profile.status == "active") & Profile.unreachable_reason.is_(None))
                    .order_by(Profile.id)
                )
            ).scalars()
        )


async def refresh_vectors(db: Database, vectoriser: Vectoriser, profiles: Sequence[Profile]) -> None:
    """Vectors are made when a profile changes; only those from another backend are redone."""
    stale = [p for p in profiles if p.vector is None or p.vector_backend != vectoriser.name]
    if not stale:
        return
    vectors, backend = await vectors_and_backend(vectoriser, [p.challenge for p in stale])
    async with db.session() as session, session.begin():
        for profile, vector in zip(stale, vectors, strict=True):
            stored = await session.get(Profile, profile.id)
            stored.vector, stored.vector_backend = vector, backend
            profile.vector, profile.vector_backend = vector, backend


async def comparable_vectors(profiles: Sequence[Profile]) -> list:
    """Vectors of one kind for everyone: if an embedding server failed for some, this round
    compares everyone by the offline TF-IDF vectors instead."""
    if len({p.vector_backend for p in profiles}) <= 1:
        return [vector_from_storage(p.vector) for p in profiles]
    offline = await TfidfVectoriser().vectors([p.challenge for p in profiles])
    return [vector_from_storage(v) for v in offline]


async def load_history(
    db: Database, scope: str, rules: MatchRules, profiles: Sequence[Profile]
) -> PairHistory:
    """The scope's recent groups (as many rounds as the no-repeat rule looks back, at least the
    newest, for continuing pairs) and the available people's don't-pair lists."""
    async with db.session() as session:
        recent = list(
            (
                await session.execute(
                    select(Round.id)
                    .where(Round.scope == scope)
                    .order_by(Round.id.desc())
                    .limit(max(rules.no_repeat_rounds, 1))
                )
            ).scalars()
        )
        memberships = (
            await session.execute(
                select(
                    MatchGroup.round_id,
                    MatchGroup.id,
                    MatchGroup.outcome,
                    GroupMember.profile_id,
                    GroupMember.wants_continue,
                )
                .join(GroupMember, GroupMember.group_id == MatchGroup.id)
                .where(MatchGroup.round_id.in_(recent))
            )
        ).all()
    return pair_history(recent, memberships, {p.id: p.dont_pair_with for p in profiles})
