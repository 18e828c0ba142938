"""A person's share of round data for subject access requests and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round


class RoundData:
    """The rounds someone was matched in, and who with."""

    name = "matches"

    async def export(self, session: AsyncSession, profile: Profile) -> Any:
        mine = select(GroupMember.group_id).where(GroupMember.profile_id == profile.id)
        rows = (
            await session.execute(
                select(Round.id, Round.created_at, MatchGroup.id, MatchGroup.reasons, MatchGroup.outcome)
                .join(MatchGroup, MatchGroup.round_id == Round.id)
                .where(MatchGroup.id.in_(mine))
                .order_by(Round.id)
            )
        ).all()
        matches = []
        for round_id, when, group_id, reasons, outcome in rows:
            peers = (
                await session.execute(
                    select(Profile)
                    .join(GroupMember, GroupMember.profile_id == Profile.id)
                    .where((GroupMember.group_id == group_id) & (Profile.id != profile.id))
                )
            ).scalars()
            matches.append(
                {
                    "round": round_id,
                    "date": when.isoformat(),
                    "with": [peer.display_name for peer in peers],
                    "reasons": reasons,
                    "outcome": outcome,
                }
            )
        return matches

    async def erase(self, session: AsyncSession, profile: Profile) -> None:
        await session.execute(delete(GroupMember).where(GroupMember.profile_id == profile.id))
