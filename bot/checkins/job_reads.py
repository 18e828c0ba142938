"""What the check-in jobs read before sending, for a whole claimed batch at once.

Thousands of reminders can fall due in the same minute; loading their check-ins, groups,
members and answers in four queries (not four per job) is what lets them go out in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.models import Checkin, CheckinResponse
from bot.kernel.groups import GroupView
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile


@dataclass(frozen=True)
class CheckinContext:
    """What a per-person check-in job needs, loaded for a whole batch at once."""

    checkin: Checkin | None
    view: GroupView | None
    answered: bool


async def _members(session: AsyncSession, group_ids: set[int]) -> dict[int, list[Profile]]:
    members: dict[int, list[Profile]] = {}
    rows = await session.execute(
        select(GroupMember.group_id, Profile)
        .join(Profile, Profile.id == GroupMember.profile_id)
        .where(GroupMember.group_id.in_(group_ids))
        .order_by(Profile.id)
    )
    for group_id, profile in rows:
        members.setdefault(group_id, []).append(profile)
    return members


async def load_contexts(
    session: AsyncSession, payloads: Sequence[tuple[int, Any]]
) -> dict[int, CheckinContext]:
    """Job id → context, for (job id, payload) pairs whose payloads name a check-in and a person."""
    ids = {payload["checkin_id"] for _, payload in payloads}
    rows = await session.execute(select(Checkin).where(Checkin.id.in_(ids)))
    checkins = {c.id: c for c in rows.scalars()}
    group_ids = {c.group_id for c in checkins.values()}
    rows = await session.execute(select(MatchGroup).where(MatchGroup.id.in_(group_ids)))
    groups = {g.id: g for g in rows.scalars()}
    members = await _members(session, group_ids)
    answered = set(
        await session.execute(
            select(CheckinResponse.checkin_id, CheckinResponse.profile_id).where(
                CheckinResponse.checkin_id.in_(ids)
            )
        )
    )
    contexts = {}
    for job_id, payload in payloads:
        checkin = checkins.get(payload["checkin_id"])
        group = groups.get(checkin.group_id) if checkin else None
        view = GroupView(group, tuple(members.get(group.id, ()))) if group else None
        contexts[job_id] = CheckinContext(
            checkin, view, (payload["checkin_id"], payload["profile_id"]) in answered
        )
    return contexts
