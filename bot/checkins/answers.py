"""What people answered to follow-ups, read and written in the caller's transaction, and what
their silence means (pausing someone who never answers)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import rules
from bot.checkins.job_kinds import NOTICE, paused_key
from bot.checkins.models import Checkin, CheckinResponse
from bot.kernel.groups import GroupView
from bot.kernel.jobs import enqueue
from bot.kernel.storage.groups import GroupMember
from bot.kernel.storage.models import Profile

log = logging.getLogger(__name__)


async def record_answer(
    session: AsyncSession, checkin: Checkin, profile_id: int, now: datetime, **values: Any
) -> CheckinResponse:
    """Create or update the person's response to a check-in's follow-up."""
    response = (
        await session.execute(
            select(CheckinResponse).where(
                (CheckinResponse.checkin_id == checkin.id) & (CheckinResponse.profile_id == profile_id)
            )
        )
    ).scalar_one_or_none()
    if response is None:
        writer_key = await session.scalar(select(Profile.key_id).where(Profile.id == profile_id))
        response = CheckinResponse(
            checkin_id=checkin.id, profile_id=profile_id, responded_at=now, key_id=writer_key
        )
        session.add(response)
    for name, value in values.items():
        setattr(response, name, value)
    response.responded_at = now
    await session.flush()
    return response


async def ratings(session: AsyncSession, checkin: Checkin) -> list[int | None]:
    """Every rating given to this check-in so far (None where someone answered without one)."""
    rows = await session.execute(
        select(CheckinResponse.rating).where(CheckinResponse.checkin_id == checkin.id)
    )
    return list(rows.scalars())


async def met_answers(session: AsyncSession, checkin: Checkin) -> list[str]:
    """The "did you meet?" answers given to this check-in's follow-up."""
    rows = await session.execute(
        select(CheckinResponse.met).where(
            (CheckinResponse.checkin_id == checkin.id) & CheckinResponse.met.is_not(None)
        )
    )
    return list(rows.scalars())


async def silent_introductions(session: AsyncSession, profile_id: int) -> int:
    """How many of the person's latest introductions, in a row, got no answer from them at all.

    Only groups whose first follow-up has closed count; any answer to any follow-up of a
    group breaks the run.
    """
    groups = (
        await session.execute(
            select(GroupMember.group_id)
            .join(Checkin, Checkin.group_id == GroupMember.group_id)
            .where(
                (GroupMember.profile_id == profile_id) & (Checkin.sequence == 1) & (Checkin.status == "done")
            )
            .order_by(GroupMember.group_id.desc())
        )
    ).scalars()
    answered = set(
        (
            await session.execute(
                select(Checkin.group_id)
                .join(CheckinResponse, CheckinResponse.checkin_id == Checkin.id)
                .where(CheckinResponse.profile_id == profile_id)
            )
        ).scalars()
    )
    return rules.silent_run(groups, answered)


async def pause_silent_members(session: AsyncSession, view: GroupView, limit: int, now: datetime) -> None:
    """Pause each active member whose last `limit` introductions in a row went unanswered,
    and tell them (by a job, so quiet hours apply)."""
    for member in view.members:
        if member.status != "active":
            continue
        silent = await silent_introductions(session, member.id)
        if rules.pauses_now(silent, limit):
            member.status, member.paused_until, member.updated_at = "paused", None, now
            payload = {"profile_id": member.id, "what": "paused", "checkin_id": 0}
            await enqueue(session, NOTICE, paused_key(member.id, view.group.id), now, payload, now)
            log.debug("paused a member after %s silent introductions", silent)
