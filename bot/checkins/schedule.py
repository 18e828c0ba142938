"""Check-ins and their scheduled work in the caller's transaction.

The database holds every check-in and every piece of scheduled work for it (reminders,
follow-ups, the close of a follow-up) as job rows, so a restart loses nothing and the job
queue's leases make sure each message goes out once. The service opens the transaction;
these functions only read and write inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import rules
from bot.checkins.job_kinds import CLOSE, FOLLOWUP, NOTICE, REMINDER, job_key, notice_key, version_prefix
from bot.checkins.models import Checkin
from bot.kernel.config import CheckinsSection
from bot.kernel.groups import GroupView, load_group
from bot.kernel.jobs import cancel, enqueue
from bot.kernel.storage.groups import GroupMember
from bot.kernel.storage.models import Profile


async def enqueue_checkin_jobs(
    session: AsyncSession, settings: CheckinsSection, checkin: Checkin, view: GroupView, now: datetime
) -> None:
    """Reminder and follow-up for each member, and the close of the follow-up, for this version."""
    timeline = rules.checkin_timeline(checkin.scheduled_at, settings, now)
    base = {"checkin_id": checkin.id, "version": checkin.version}
    for member in view.members:
        payload = {**base, "profile_id": member.id}
        if timeline.remind_at is not None:
            key = job_key(checkin.id, checkin.version, "reminder", member.id)
            await enqueue(session, REMINDER, key, timeline.remind_at, payload, now)
        key = job_key(checkin.id, checkin.version, "followup", member.id)
        await enqueue(session, FOLLOWUP, key, timeline.followup_at, payload, now)
    key = job_key(checkin.id, checkin.version, "close")
    await enqueue(session, CLOSE, key, timeline.close_at, base, now)


async def cancel_checkin_jobs(session: AsyncSession, checkin: Checkin, view: GroupView) -> None:
    """Cancel every pending job of the check-in's current version."""
    for member in view.members:
        await cancel(session, version_prefix(checkin.id, checkin.version, member.id))
    await cancel(session, version_prefix(checkin.id, checkin.version))


async def notify_members(
    session: AsyncSession, checkin: Checkin, profiles: Sequence[Profile], what: str, by: int, now: datetime
) -> None:
    """Tell people about a change someone else made; sent by a job, so quiet hours apply."""
    for profile in profiles:
        key = notice_key(checkin.id, checkin.version, profile.id, what, now.timestamp())
        payload = {"checkin_id": checkin.id, "profile_id": profile.id, "what": what, "by": by}
        await enqueue(session, NOTICE, key, now, payload, now)


async def create_checkin(
    session: AsyncSession,
    settings: CheckinsSection,
    view: GroupView,
    sequence: int,
    scheduled_at: datetime,
    cadence: str,
    timezone: str,
    now: datetime,
) -> Checkin:
    """Store a check-in and its jobs."""
    checkin = Checkin(
        group_id=view.group.id,
        sequence=sequence,
        scheduled_at=scheduled_at,
        timezone=timezone,
        cadence=cadence,
        status="scheduled",
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(checkin)
    await session.flush()
    await enqueue_checkin_jobs(session, settings, checkin, view, now)
    return checkin


async def reschedule(
    session: AsyncSession,
    settings: CheckinsSection,
    checkin: Checkin,
    view: GroupView,
    when: datetime,
    now: datetime,
) -> None:
    """Move a check-in: a new version, so the old time's jobs are cancelled and new ones made."""
    await cancel_checkin_jobs(session, checkin, view)
    checkin.scheduled_at, checkin.version, checkin.updated_at = when, checkin.version + 1, now
    await session.flush()
    await enqueue_checkin_jobs(session, settings, checkin, view, now)


async def end_superseded_checkins(session: AsyncSession, view: GroupView, now: datetime) -> None:
    """A new introduction replaces the members' older groups: their future check-ins are dropped.

    Without this a pair who chose to continue would get two sets of reminders, one per group.
    """
    for member in view.members:
        for old in await member_checkins(session, member.id, ("scheduled",)):
            if old.group_id != view.group.id and old.scheduled_at > now:
                old_view = await load_group(session, old.group_id)
                await cancel_checkin_jobs(session, old, old_view)
                old.status, old.updated_at = "skipped", now


async def schedule_next(
    session: AsyncSession, settings: CheckinsSection, checkin: Checkin, view: GroupView, now: datetime
) -> Checkin | None:
    """The group's next check-in after this one (made once), unless the group has moved on."""
    newer = await session.execute(
        select(GroupMember.group_id).where(
            GroupMember.profile_id.in_([m.id for m in view.members]) & (GroupMember.group_id > view.group.id)
        )
    )
    if not rules.group_goes_on(len(view.members), newer.first() is not None):
        return None
    following = (
        await session.execute(
            select(Checkin).where(
                (Checkin.group_id == checkin.group_id) & (Checkin.sequence == checkin.sequence + 1)
            )
        )
    ).scalar_one_or_none()
    if following is not None:
        return following
    when = rules.next_checkin_moment(checkin.scheduled_at, checkin.cadence, checkin.timezone, now)
    return await create_checkin(
        session, settings, view, checkin.sequence + 1, when, checkin.cadence, checkin.timezone, now
    )


async def member_checkins(session: AsyncSession, profile_id: int, statuses: Sequence[str]) -> list[Checkin]:
    """Check-ins of every group the person is in, with these statuses, soonest first."""
    rows = await session.execute(
        select(Checkin)
        .join(GroupMember, GroupMember.group_id == Checkin.group_id)
        .where((GroupMember.profile_id == profile_id) & Checkin.status.in_(statuses))
        .order_by(Checkin.scheduled_at, Checkin.id)
    )
    return list(rows.scalars())


async def upcoming_checkins(
    session: AsyncSession, profile_id: int, now: datetime
) -> list[tuple[Checkin, GroupView]]:
    """The person's scheduled check-ins still to come, soonest first, each with its group."""
    return [
        (checkin, await load_group(session, checkin.group_id))
        for checkin in await member_checkins(session, profile_id, ("scheduled",))
        if checkin.scheduled_at > now
    ]


async def next_upcoming(
    session: AsyncSession, profile_id: int, now: datetime
) -> tuple[Checkin, GroupView] | None:
    """The person's next check-in still to come, with its group, or None."""
    for checkin in await member_checkins(session, profile_id, ("scheduled",)):
        if checkin.scheduled_at > now:
            return checkin, await load_group(session, checkin.group_id)
    return None
