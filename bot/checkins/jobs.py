"""Handlers of scheduled check-in work. Each takes ids from the job and reads the truth afresh.

A handler raises Cancelled when its work no longer applies (the check-in moved or was
skipped, the person paused or left) and RetryLater during the person's quiet hours, so
the message waits in the database until it may go out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.checkins import messages as texts
from bot.checkins.models import Checkin, CheckinResponse
from bot.checkins.service import (
    CLOSE,
    CONTINUE,
    FOLLOWUP,
    NOTICE,
    REMINDER,
    CheckinData,
    close_checkin,
    on_introduced,
    silent_introductions,
)
from bot.kernel.groups import GroupView, load_group
from bot.kernel.jobs import Cancelled, ClaimedJob, RetryLater
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DirectMessage, Outbound
from bot.kernel.quiet_hours import hold_for_quiet_hours
from bot.kernel.retry_policy import settle_delivery
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile

if TYPE_CHECKING:
    from bot.kernel.core import Core


async def deliver_scheduled(
    core: Core,
    job: ClaimedJob,
    profile: Profile,
    message: Message,
    kind: str,
    not_after: datetime | None = None,
) -> None:
    """Send a scheduled DM now if the person's quiet hours allow, else hold it (RetryLater)."""
    now = core.clock.now()
    later = hold_for_quiet_hours(core.config.checkins, profile.timezone, now)
    if later is not None:
        if not_after is not None and later >= not_after:
            raise Cancelled()
        raise RetryLater(later, "quiet hours")
    destination = DirectMessage(profile.platform, profile.community, profile.user_id)
    outbound = Outbound(destination, message, Sensitivity.PERSONAL, kind, frozenset({profile.user_id}))
    settle_delivery(core, job, await core.outbox.send(outbound))


async def prefetch_checkins(core: Core, jobs: list[ClaimedJob]) -> dict[int, CheckinContext]:
    """Load the check-ins, groups, members and answers a batch of per-person jobs need, in four queries."""
    ids = {job.payload["checkin_id"] for job in jobs}
    async with core.db.session() as session:
        checkins = {
            c.id: c for c in (await session.execute(select(Checkin).where(Checkin.id.in_(ids)))).scalars()
        }
        group_ids = {c.group_id for c in checkins.values()}
        groups = {
            g.id: g
            for g in (await session.execute(select(MatchGroup).where(MatchGroup.id.in_(group_ids)))).scalars()
        }
        members: dict[int, list[Profile]] = {}
        rows = await session.execute(
            select(GroupMember.group_id, Profile)
            .join(Profile, Profile.id == GroupMember.profile_id)
            .where(GroupMember.group_id.in_(group_ids))
            .order_by(Profile.id)
        )
        for group_id, profile in rows:
            members.setdefault(group_id, []).append(profile)
        answered = set(
            await session.execute(
                select(CheckinResponse.checkin_id, CheckinResponse.profile_id).where(
                    CheckinResponse.checkin_id.in_(ids)
                )
            )
        )
    contexts = {}
    for job in jobs:
        checkin = checkins.get(job.payload["checkin_id"])
        group = groups.get(checkin.group_id) if checkin else None
        view = GroupView(group, tuple(members.get(group.id, ()))) if group else None
        contexts[job.id] = CheckinContext(
            checkin, view, (job.payload["checkin_id"], job.payload["profile_id"]) in answered
        )
    return contexts


@dataclass(frozen=True)
class CheckinContext:
    """What a per-person check-in job needs, loaded for a whole batch at once."""

    checkin: Checkin | None
    view: GroupView | None
    answered: bool


async def _checkin_for(core: Core, job: ClaimedJob, statuses: tuple[str, ...]):
    """The job's check-in, group and person, or Cancelled if any of them no longer fits."""
    context = job.context or (await prefetch_checkins(core, [job]))[job.id]
    checkin, view = context.checkin, context.view
    if checkin is None or checkin.version != job.payload["version"] or checkin.status not in statuses:
        raise Cancelled()
    if view is None or len(view.members) < 2:  # the others left: no check-in to remind of or ask about
        raise Cancelled()
    profile = next((m for m in view.members if m.id == job.payload["profile_id"]), None) if view else None
    if profile is None or profile.status != "active":
        raise Cancelled()
    return checkin, view, profile, context.answered


async def send_reminder(core: Core, job: ClaimedJob) -> None:
    """Remind one person of a check-in, with the calendar file; pointless once it has begun."""
    checkin, view, profile, _ = await _checkin_for(core, job, ("scheduled",))
    now = core.clock.now()
    if now >= checkin.scheduled_at:
        raise Cancelled()
    message = texts.reminder_message(core.config, checkin, view, profile, now)
    await deliver_scheduled(core, job, profile, message, REMINDER, not_after=checkin.scheduled_at)


async def send_followup(core: Core, job: ClaimedJob) -> None:
    """Ask one person whether the check-in happened (unless they have already said)."""
    checkin, view, profile, answered = await _checkin_for(core, job, ("scheduled", "done"))
    if answered:
        raise Cancelled()
    await deliver_scheduled(core, job, profile, texts.followup_message(checkin, view, profile), FOLLOWUP)


async def run_close(core: Core, job: ClaimedJob) -> None:
    """Close a check-in's follow-up window."""
    if not await close_checkin(core, job.payload["checkin_id"], job.payload["version"]):
        raise Cancelled()


async def send_continue_offer(core: Core, job: ClaimedJob) -> None:
    """Offer a pair who both rated highly to stay together next round."""
    async with core.db.session() as session:
        view = await load_group(session, job.payload["group_id"])
    profile = next((m for m in view.members if m.id == job.payload["profile_id"]), None) if view else None
    if profile is None or profile.status != "active":
        raise Cancelled()
    await deliver_scheduled(
        core, job, profile, texts.continue_message(view.group.id, view.others(profile.id)), CONTINUE
    )


async def send_notice(core: Core, job: ClaimedJob) -> None:
    """Tell a person about a change to their check-ins, or that they have been paused."""
    payload = job.payload
    async with core.db.session() as session:
        profile = await session.get(Profile, payload["profile_id"])
        if profile is None:
            raise Cancelled()
        if payload["what"] == "paused":
            silent = await silent_introductions(session, profile.id)
            message = texts.paused_message(silent)
        else:
            if profile.status != "active":
                raise Cancelled()
            checkin = await session.get(Checkin, payload["checkin_id"])
            view = await load_group(session, checkin.group_id) if checkin else None
            if view is None:
                raise Cancelled()
            message = _change_message(core, payload, checkin, view, profile)
    await deliver_scheduled(core, job, profile, message, NOTICE)


def _change_message(core: Core, payload, checkin: Checkin, view: GroupView, profile: Profile) -> Message:
    by = next((m.display_name for m in view.members if m.id == payload.get("by")), "Your peer")
    when = texts.format_local(checkin.scheduled_at, profile.timezone)
    if payload["what"] == "rescheduled":
        return Message(
            f"{by} moved your check-in to *{when}*.",
            buttons=texts.checkin_buttons(checkin),
            attachments=(texts.checkin_ics(core.config, checkin, view, profile, core.clock.now()),),
        )
    if payload["what"] == "skipped":
        return Message(f"{by} skipped a check-in. Your next one is on *{when}*.")
    return Message(f"{by} changed how often you meet: {checkin.cadence}, after the check-in on {when}.")


HANDLERS = {
    REMINDER: send_reminder,
    FOLLOWUP: send_followup,
    CLOSE: run_close,
    CONTINUE: send_continue_offer,
    NOTICE: send_notice,
}


def install(core: Core) -> None:
    """Register the check-in job handlers and personal data; schedule a group's first check-in
    once its introduction has gone out."""
    for kind, handler in HANDLERS.items():
        core.jobs.register(kind, handler, prefetch_checkins if kind in (REMINDER, FOLLOWUP) else None)
    core.hooks.personal_data.append(CheckinData())
    core.hooks.group_introduced.append(partial(on_introduced, core))
