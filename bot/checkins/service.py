"""Check-ins: when a matched group meets, what each person said afterwards, and what follows.

The database holds every check-in and every piece of scheduled work for it (reminders,
follow-ups, the close of a follow-up) as job rows, so a restart loses nothing and the
job queue's leases make sure each message goes out once. Job keys start with
`p{profile_id}:` when the job is for one person, so erasing a person cancels all of theirs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.models import Checkin, CheckinResponse
from bot.kernel.groups import GroupView, load_group
from bot.kernel.jobs import cancel, enqueue
from bot.kernel.quiet_hours import add_local_days, local_to_utc, parse_clock_time
from bot.kernel.storage.groups import GroupMember
from bot.kernel.storage.models import Profile

if TYPE_CHECKING:
    from bot.kernel.core import Core

log = logging.getLogger(__name__)

# Monthly means every four weeks, so a check-in keeps its weekday.
CADENCE_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 28}
MET_CHOICES = {"met": "Met", "not_yet": "Not yet", "couldnt": "Couldn't"}
REMINDER, FOLLOWUP, CLOSE, CONTINUE, NOTICE = (
    "checkin.reminder",
    "checkin.followup",
    "checkin.close",
    "checkin.continue",
    "checkin.notice",
)


def agreed_cadence(preferences: Sequence[str]) -> str:
    """The cadence most members asked for; on a tie, the less frequent one (asks less of people)."""
    counts = Counter(p for p in preferences if p in CADENCE_DAYS)
    if not counts:
        return "fortnightly"
    return max(counts, key=lambda cadence: (counts[cadence], CADENCE_DAYS[cadence]))


def group_timezone(zones: Sequence[str]) -> str:
    """The zone most members live in (the first member's on a tie): check-in times are set there."""
    counts = Counter(zones)
    return max(zones, key=lambda zone: counts[zone]) if zones else "Europe/London"


def job_key(checkin: Checkin, what: str, profile_id: int | None = None) -> str:
    """The idempotency key of a check-in job: one per check-in version, person and purpose."""
    key = f"checkin:{checkin.id}:v{checkin.version}:{what}"
    return f"p{profile_id}:{key}" if profile_id is not None else key


async def enqueue_checkin_jobs(core: Core, session: AsyncSession, checkin: Checkin, view: GroupView) -> None:
    """Reminder and follow-up for each member, and the close of the follow-up, for this version."""
    settings = core.config.checkins
    now = core.clock.now()
    followup_at = checkin.scheduled_at + settings.followup_after
    close_at = followup_at + settings.followup_window
    base = {"checkin_id": checkin.id, "version": checkin.version}
    for member in view.members:
        payload = {**base, "profile_id": member.id}
        if checkin.scheduled_at > now:
            remind_at = max(now, checkin.scheduled_at - settings.reminder_before)
            await enqueue(session, REMINDER, job_key(checkin, "reminder", member.id), remind_at, payload, now)
        await enqueue(session, FOLLOWUP, job_key(checkin, "followup", member.id), followup_at, payload, now)
    await enqueue(session, CLOSE, job_key(checkin, "close"), close_at, base, now)


async def cancel_checkin_jobs(session: AsyncSession, checkin: Checkin, view: GroupView) -> None:
    """Cancel every pending job of the check-in's current version."""
    for member in view.members:
        await cancel(session, f"p{member.id}:checkin:{checkin.id}:v{checkin.version}:")
    await cancel(session, f"checkin:{checkin.id}:v{checkin.version}:")


async def notify_members(
    core: Core, session: AsyncSession, checkin: Checkin, profiles: Sequence[Profile], what: str, by: int
) -> None:
    """Tell people about a change someone else made; sent by a job, so quiet hours apply."""
    now = core.clock.now()
    for profile in profiles:
        key = f"p{profile.id}:checkin:{checkin.id}:v{checkin.version}:notice:{what}:{now.timestamp():.0f}"
        payload = {"checkin_id": checkin.id, "profile_id": profile.id, "what": what, "by": by}
        await enqueue(session, NOTICE, key, now, payload, now)


async def create_checkin(
    core: Core,
    session: AsyncSession,
    view: GroupView,
    sequence: int,
    scheduled_at: datetime,
    cadence: str,
    timezone: str,
) -> Checkin:
    """Store a check-in and its jobs in the caller's transaction."""
    now = core.clock.now()
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
    await enqueue_checkin_jobs(core, session, checkin, view)
    return checkin


async def on_introduced(core: Core, group_id: int) -> None:
    """Schedule a group's first check-in once its introduction has gone out.

    The introduction handler calls this after sending. Calling it again does nothing, so a
    retried introduction cannot create a second first check-in.
    """
    settings = core.config.checkins
    try:
        async with core.db.session() as session, session.begin():
            existing = await session.execute(
                select(Checkin.id).where((Checkin.group_id == group_id) & (Checkin.sequence == 1))
            )
            view = await load_group(session, group_id)
            if existing.first() is not None or view is None or len(view.members) < 2:
                return
            timezone = group_timezone([m.timezone for m in view.members])
            cadence = agreed_cadence([m.cadence for m in view.members])
            first = first_checkin_moment(core.clock.now(), settings, timezone)
            await end_superseded_checkins(core, session, view)
            await create_checkin(core, session, view, 1, first, cadence, timezone)
    except IntegrityError:
        log.info("group %s already had its first check-in", group_id)


async def end_superseded_checkins(core: Core, session: AsyncSession, view: GroupView) -> None:
    """A new introduction replaces the members' older groups: their future check-ins are dropped.

    Without this a pair who chose to continue would get two sets of reminders, one per group.
    """
    now = core.clock.now()
    for member in view.members:
        for old in await member_checkins(session, member.id, ("scheduled",)):
            if old.group_id != view.group.id and old.scheduled_at > now:
                old_view = await load_group(session, old.group_id)
                await cancel_checkin_jobs(session, old, old_view)
                old.status, old.updated_at = "skipped", now


def first_checkin_moment(introduced_at: datetime, settings, timezone: str) -> datetime:
    """When a newly introduced group first meets.

    Whole days land on `checkin_time` in the group's zone, as people plan their weeks; a
    shorter delay (an organiser rehearsing a cycle in minutes) lands exactly that long after.
    """
    after = settings.first_checkin_after
    if after % timedelta(days=1):
        return introduced_at + after
    local_day = introduced_at.astimezone(_zone(timezone)).date()
    return local_to_utc(local_day + after, parse_clock_time(settings.checkin_time), timezone)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


async def schedule_next(
    core: Core, session: AsyncSession, checkin: Checkin, view: GroupView
) -> Checkin | None:
    """The group's next check-in after this one, unless the group has moved on.

    A group stops having check-ins when fewer than two members remain or when any member
    has been introduced to a newer group (the next round took over).
    """
    if len(view.members) < 2:
        return None
    newer = await session.execute(
        select(GroupMember.group_id).where(
            GroupMember.profile_id.in_([m.id for m in view.members]) & (GroupMember.group_id > view.group.id)
        )
    )
    if newer.first() is not None:
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
    now = core.clock.now()
    when = add_local_days(checkin.scheduled_at, CADENCE_DAYS[checkin.cadence], checkin.timezone)
    while when <= now:
        when = add_local_days(when, CADENCE_DAYS[checkin.cadence], checkin.timezone)
    return await create_checkin(
        core, session, view, checkin.sequence + 1, when, checkin.cadence, checkin.timezone
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
    silent = 0
    for group_id in groups:
        if group_id in answered:
            break
        silent += 1
    return silent


async def close_checkin(core: Core, checkin_id: int, version: int) -> bool:
    """End a check-in's follow-up: record the outcome, pause the silent, schedule the next one.

    Returns False if the check-in changed (rescheduled, skipped, gone) since the job was made.
    """
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        checkin = await session.get(Checkin, checkin_id, with_for_update=True)
        if checkin is None or checkin.version != version or checkin.status != "scheduled":
            return False
        view = await load_group(session, checkin.group_id)
        if view is None:
            return False
        checkin.status, checkin.updated_at = "done", now
        answers = (
            await session.execute(
                select(CheckinResponse.met).where(
                    (CheckinResponse.checkin_id == checkin.id) & CheckinResponse.met.is_not(None)
                )
            )
        ).scalars()
        answers = list(answers)
        if view.group.outcome is None and answers and "met" not in answers:
            view.group.outcome = "not_met"
        await session.flush()
        if checkin.sequence == 1:
            await pause_silent_members(core, session, view)
        await schedule_next(core, session, checkin, view)
    return True


async def pause_silent_members(core: Core, session: AsyncSession, view: GroupView) -> None:
    """Pause each member whose last N introductions (N from config) all went unanswered.

    Every Nth silent introduction in a row pauses again, so someone who resumes and stays
    silent is paused after another N, not at once.
    """
    limit = core.config.checkins.pause_after_silent_introductions
    now = core.clock.now()
    for member in view.members:
        if member.status != "active":
            continue
        silent = await silent_introductions(session, member.id)
        if silent and silent % limit == 0:
            member.status, member.paused_until, member.updated_at = "paused", None, now
            payload = {"profile_id": member.id, "what": "paused", "checkin_id": 0}
            key = f"p{member.id}:paused-silent:{view.group.id}"
            await enqueue(session, NOTICE, key, now, payload, now)
            log.debug("paused a member after %s silent introductions", silent)


async def record_answer(
    session: AsyncSession, checkin: Checkin, profile_id: int, now: datetime, **values: Any
):
    """Create or update the person's response to a check-in's follow-up."""
    response = (
        await session.execute(
            select(CheckinResponse).where(
                (CheckinResponse.checkin_id == checkin.id) & (CheckinResponse.profile_id == profile_id)
            )
        )
    ).scalar_one_or_none()
    if response is None:
        response = CheckinResponse(checkin_id=checkin.id, profile_id=profile_id, responded_at=now)
        session.add(response)
    for name, value in values.items():
        setattr(response, name, value)
    response.responded_at = now
    await session.flush()
    return response


async def all_rated_highly(session: AsyncSession, checkin: Checkin, view: GroupView) -> bool:
    """Whether every member rated this check-in 4 or 5."""
    high = await session.execute(
        select(func.count())
        .select_from(CheckinResponse)
        .where((CheckinResponse.checkin_id == checkin.id) & (CheckinResponse.rating >= 4))
    )
    return high.scalar_one() == len(view.members)


class CheckinData:
    """Check-in answers and notes in /peer mydata; erased (and pending messages cancelled) on leave."""

    name = "checkins"

    async def export(self, session: AsyncSession, profile: Profile) -> Any:
        rows = await session.execute(
            select(CheckinResponse, Checkin)
            .join(Checkin, Checkin.id == CheckinResponse.checkin_id)
            .where(CheckinResponse.profile_id == profile.id)
            .order_by(Checkin.scheduled_at)
        )
        answers = [
            {
                "checkin_at": checkin.scheduled_at.isoformat(),
                "met": response.met,
                "rating": response.rating,
                "private_note": response.private_note,
                "wants_continue": response.wants_continue,
                "responded_at": response.responded_at.isoformat(),
            }
            for response, checkin in rows
        ]
        upcoming = [
            {"checkin_at": c.scheduled_at.isoformat(), "cadence": c.cadence}
            for c in await member_checkins(session, profile.id, ("scheduled",))
        ]
        return {"answers": answers, "upcoming": upcoming}

    async def erase(self, session: AsyncSession, profile: Profile) -> None:
        await session.execute(delete(CheckinResponse).where(CheckinResponse.profile_id == profile.id))
        await cancel(session, f"p{profile.id}:")
