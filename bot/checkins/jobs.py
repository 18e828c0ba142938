"""Handlers of scheduled check-in work. Each takes ids from the job and reads the truth afresh.

A handler raises Cancelled when its work no longer applies (the check-in moved or was
skipped, the person paused or left) and RetryLater during the person's quiet hours, so
the message waits in the database until it may go out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.checkins import messages as texts
from bot.checkins.job_kinds import CLOSE, CONTINUE, FOLLOWUP, NOTICE, PER_PERSON, REMINDER
from bot.checkins.job_reads import CheckinContext
from bot.checkins.models import Checkin
from bot.checkins.service import CheckinService
from bot.checkins.wording import format_local
from bot.kernel.config import Config
from bot.kernel.core import Core
from bot.kernel.groups import GroupView
from bot.kernel.jobs import Cancelled, ClaimedJob, JobHandler, RetryLater
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DirectMessage, Outbound
from bot.kernel.quiet_hours import hold_for_quiet_hours
from bot.kernel.retry_policy import settle_delivery
from bot.kernel.storage.models import Profile


async def deliver_scheduled(
    core: Core,
    job: ClaimedJob,
    profile: Profile,
    message: Message,
    kind: str,
    not_after: datetime | None = None,
) -> None:
    """Send a scheduled DM now if the person's quiet hours allow, else hold it (RetryLater)."""
    later = hold_for_quiet_hours(core.config.checkins, profile.timezone, core.clock.now())
    if later is not None:
        if not_after is not None and later >= not_after:
            raise Cancelled()
        raise RetryLater(later, "quiet hours")
    destination = DirectMessage(profile.platform, profile.community, profile.user_id)
    outbound = Outbound(destination, message, Sensitivity.PERSONAL, kind, frozenset({profile.user_id}))
    settle_delivery(core, job, await core.outbox.send(outbound))


def change_message(
    config: Config,
    payload: Mapping[str, Any],
    checkin: Checkin,
    view: GroupView,
    profile: Profile,
    now: datetime,
) -> Message:
    """What a person is told when someone else moved, skipped or re-paced their check-ins."""
    by = next((m.display_name for m in view.members if m.id == payload.get("by")), "Your peer")
    when = format_local(checkin.scheduled_at, profile.timezone)
    if payload["what"] == "rescheduled":
        return Message(
            f"{by} moved your check-in to *{when}*.",
            buttons=texts.checkin_buttons(checkin),
            attachments=(texts.checkin_ics(config, checkin, view, profile, now),),
        )
    if payload["what"] == "skipped":
        return Message(f"{by} skipped a check-in. Your next one is on *{when}*.")
    return Message(f"{by} changed how often you meet: {checkin.cadence}, after the check-in on {when}.")


class CheckinJobs:
    """The job handlers of check-ins, bound to the service that reads and closes them."""

    def __init__(self, service: CheckinService):
        self._service = service

    def handlers(self) -> dict[str, JobHandler]:
        """Job kind → handler, to register with the job queue."""
        return {
            REMINDER: self.send_reminder,
            FOLLOWUP: self.send_followup,
            CLOSE: self.run_close,
            CONTINUE: self.send_continue_offer,
            NOTICE: self.send_notice,
        }

    def register(self, core: Core) -> None:
        """Register every handler; the per-person kinds load their batches in a few queries."""
        for kind, handler in self.handlers().items():
            core.jobs.register(kind, handler, self.prefetch if kind in PER_PERSON else None)

    async def prefetch(self, core: Core, jobs: list[ClaimedJob]) -> dict[int, CheckinContext]:
        """Load the check-ins, groups, members and answers a batch of per-person jobs need."""
        return await self._service.job_contexts(jobs)

    async def _checkin_for(self, job: ClaimedJob, statuses: tuple[str, ...]):
        """The job's check-in, group and person, or Cancelled if any of them no longer fits."""
        context = job.context or (await self._service.job_contexts([job]))[job.id]
        checkin, view = context.checkin, context.view
        if checkin is None or checkin.version != job.payload["version"] or checkin.status not in statuses:
            raise Cancelled()
        if view is None or len(view.members) < 2:  # the others left: no check-in to remind of or ask about
            raise Cancelled()
        profile = next((m for m in view.members if m.id == job.payload["profile_id"]), None)
        if profile is None or profile.status != "active":
            raise Cancelled()
        return checkin, view, profile, context.answered

    async def send_reminder(self, core: Core, job: ClaimedJob) -> None:
        """Remind one person of a check-in, with the calendar file; pointless once it has begun."""
        checkin, view, profile, _ = await self._checkin_for(job, ("scheduled",))
        now = core.clock.now()
        if now >= checkin.scheduled_at:
            raise Cancelled()
        message = texts.reminder_message(core.config, checkin, view, profile, now)
        await deliver_scheduled(core, job, profile, message, REMINDER, not_after=checkin.scheduled_at)

    async def send_followup(self, core: Core, job: ClaimedJob) -> None:
        """Ask one person whether the check-in happened (unless they have already said)."""
        checkin, view, profile, answered = await self._checkin_for(job, ("scheduled", "done"))
        if answered:
            raise Cancelled()
        message = texts.followup_message(checkin, view, profile)
        await deliver_scheduled(core, job, profile, message, FOLLOWUP)

    async def run_close(self, core: Core, job: ClaimedJob) -> None:
        """Close a check-in's follow-up window."""
        if not await self._service.close_followup(job.payload["checkin_id"], job.payload["version"]):
            raise Cancelled()

    async def send_continue_offer(self, core: Core, job: ClaimedJob) -> None:
        """Offer a group whose members all rated highly to stay together next round."""
        view = await self._service.group(job.payload["group_id"])
        profile = next((m for m in view.members if m.id == job.payload["profile_id"]), None) if view else None
        if profile is None or profile.status != "active":
            raise Cancelled()
        message = texts.continue_message(view.group.id, view.others(profile.id))
        await deliver_scheduled(core, job, profile, message, CONTINUE)

    async def send_notice(self, core: Core, job: ClaimedJob) -> None:
        """Tell a person about a change to their check-ins, or that they have been paused."""
        payload = job.payload
        paused = payload["what"] == "paused"
        facts = await self._service.notice_facts(payload["profile_id"], payload["checkin_id"], paused)
        profile = facts.profile
        if profile is None:
            raise Cancelled()
        if paused:
            message = texts.paused_message(facts.silent)
        elif profile.status != "active" or facts.group is None:
            raise Cancelled()
        else:
            message = change_message(
                core.config, payload, facts.checkin, facts.group, profile, core.clock.now()
            )
        await deliver_scheduled(core, job, profile, message, NOTICE)
