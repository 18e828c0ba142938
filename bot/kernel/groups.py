"""Who is in a group: the members of a group introduced by a round, loaded together, and the
reasons they were matched as they read today.

Check-ins, introductions, the relay and the home page all need this view, so it lives in
the kernel beside the group tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile
from matching.reason_facts import ReasonFact, facts_from_json, reason_words


@dataclass(frozen=True)
class GroupView:
    """A group and its members (ordered by profile id), loaded together."""

    group: MatchGroup
    members: tuple[Profile, ...]

    def others(self, profile_id: int) -> list[Profile]:
        return [m for m in self.members if m.id != profile_id]

    def reasons(self) -> list[str]:
        """Why the group was matched, naming the members still in it (one who left is "your peer")."""
        return reason_lines(facts_from_json(self.group.reasons), self.members)


def reason_lines(facts: Iterable[ReasonFact], members: Iterable[Profile]) -> list[str]:
    """A group's reasons in words, rendered from facts keyed by member id with the names and
    challenges these members have now, so nothing of anyone not among them is shown."""
    members = list(members)
    names = {str(m.id): m.display_name for m in members}
    return list(reason_words(facts, names, {str(m.id): m.challenge for m in members}))


async def load_group(session: AsyncSession, group_id: int) -> GroupView | None:
    """A group with its member profiles, or None if it no longer exists."""
    group = await session.get(MatchGroup, group_id)
    if group is None:
        return None
    members = (
        await session.execute(
            select(Profile)
            .join(GroupMember, GroupMember.profile_id == Profile.id)
            .where(GroupMember.group_id == group_id)
            .order_by(Profile.id)
        )
    ).scalars()
    return GroupView(group, tuple(members))
