"""A person's share of round data for subject access requests and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.groups import load_group
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round


class RoundData:
    """The rounds someone was matched in, who with, and why (named as people are called now, so
    a peer who has left appears nowhere in it)."""

    name = "matches"

    async def export(self, session: AsyncSession, profile: Profile) -> Any:
        mine = select(GroupMember.group_id).where(GroupMember.profile_id == profile.id)
        rows = (
            await session.execute(
                select(Round.id, Round.created_at, MatchGroup.id, MatchGroup.outcome)
                .join(MatchGroup, MatchGroup.round_id == Round.id)
                .where(MatchGroup.id.in_(mine))
                .order_by(Round.id)
            )
        ).all()
        matches = []
        for round_id, when, group_id, outcome in rows:
            view = await load_group(session, group_id)
            matches.append(
                {
                    "round": round_id,
                    "date": when.isoformat(),
                    "with": [peer.display_name for peer in view.others(profile.id)],
                    "reasons": view.reasons(),
                    "outcome": outcome,
                }
            )
        return matches

    async def erase(self, session: AsyncSession, profile: Profile) -> None:
        await session.execute(delete(GroupMember).where(GroupMember.profile_id == profile.id))
