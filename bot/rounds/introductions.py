"""Scheduled delivery of round results: introductions to each group, and a note to anyone who
could not be matched this time. Both are jobs, so a restart neither loses nor repeats them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from bot.kernel.core import Core
from bot.kernel.groups import load_group
from bot.kernel.jobs import Cancelled, ClaimedJob, JobQueue, RetryLater, enqueue
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DirectMessage, Outbound, people_reached
from bot.kernel.quiet_hours import hold_for_quiet_hours
from bot.kernel.retry_policy import backoff, settle_delivery
from bot.kernel.storage.models import Profile
from bot.rounds.messages import unmatched_message
from bot.rounds.rules import daytime_for_everyone, group_destination

INTRODUCTION = "introduction"
MEMBER_INTRODUCTION = "introduction.member"
UNMATCHED = "unmatched"
RETRY_FAILED_DELIVERY = timedelta(hours=1)


class IntroductionWriter(Protocol):
    """Writes a group's introduction: who, why, and a suggested first-conversation agenda (the
    LLM assistant's, or the prompts/ template)."""

    async def introduction(self, members: Sequence[Profile], reasons: Sequence[str]) -> str:
        """The introduction text for these members, matched for these reasons."""


class Introductions:
    """The job handlers that deliver a committed round's results."""

    def __init__(self, writer: IntroductionWriter):
        self._writer = writer

    def register(self, jobs: JobQueue) -> None:
        """Make the job queue deliver round results."""
        jobs.register(INTRODUCTION, self.introduce_group)
        jobs.register(MEMBER_INTRODUCTION, self.introduce_member)
        jobs.register(UNMATCHED, tell_unmatched)

    async def introduce_group(self, core: Core, job: ClaimedJob) -> None:
        """Send one group's introduction; a group emptied by erasure is cancelled."""
        group_id = job.payload["group_id"]
        async with core.db.session() as session:
            view = await load_group(session, group_id)
        if view is None or len(view.members) < 2:
            raise Cancelled()
        members = list(view.members)
        _hold_for_everyones_quiet_hours(core, [m.timezone for m in members])
        text = await self._writer.introduction(members, view.reasons())
        received: set[str] = set()
        destinations = group_destination(members)
        for destination in destinations:
            delivery = await core.outbox.send(
                Outbound(destination, Message(text), Sensitivity.PERSONAL, "introduction")
            )
            if delivery.sent:
                received.update(people_reached(destination))
            else:
                received.update(delivery.delivered_to)
        if not received and len(destinations) == 1:
            settle_delivery(core, job, delivery)  # nobody has it yet: the whole introduction goes again
        missed = [m for m in members if m.user_id not in received]
        if missed:
            await _retry_one_by_one(core, group_id, missed)
        await core.hooks.introduced(group_id)

    async def introduce_member(self, core: Core, job: ClaimedJob) -> None:
        """A retried introduction for one member whose first delivery failed (e.g. DMs closed)."""
        async with core.db.session() as session:
            view = await load_group(session, job.payload["group_id"])
        member = next((m for m in view.members if m.id == job.payload["profile_id"]), None) if view else None
        if member is None or len(view.members) < 2:
            raise Cancelled()
        _hold_for_quiet_hours(core, member.timezone)
        text = await self._writer.introduction(list(view.members), view.reasons())
        delivery = await core.outbox.send(
            Outbound(
                DirectMessage(member.platform, member.community, member.user_id),
                Message(text),
                Sensitivity.PERSONAL,
                "introduction",
            )
        )
        if delivery.status == "failed" and not delivery.permanent:
            # Usually DMs the person closed: they must change a setting, so try hourly at most often.
            raise RetryLater(
                core.clock.now() + max(RETRY_FAILED_DELIVERY, backoff(job.failures, delivery.retry_after)),
                delivery.reason,
                failed_delivery=True,
            )
        settle_delivery(core, job, delivery)


async def _retry_one_by_one(core: Core, group_id: int, missed: list[Profile]) -> None:
    """Whoever the introduction did not reach gets their own retry, so nobody gets it twice."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        for member in missed:
            await enqueue(
                session,
                MEMBER_INTRODUCTION,
                f"p{member.id}:intro:{group_id}",
                now + RETRY_FAILED_DELIVERY,
                {"group_id": group_id, "profile_id": member.id},
                now,
            )


def _hold_for_everyones_quiet_hours(core: Core, timezones: list[str]) -> None:
    """A group message goes out only when it is daytime for every member."""
    now = core.clock.now()
    when = daytime_for_everyone(core.config.checkins, timezones, now)
    if when > now:
        raise RetryLater(when, "quiet hours")


def _hold_for_quiet_hours(core: Core, timezone: str) -> None:
    """A message to one person waits for the end of their quiet hours."""
    hold = hold_for_quiet_hours(core.config.checkins, timezone, core.clock.now())
    if hold is not None:
        raise RetryLater(hold, "quiet hours")


async def tell_unmatched(core: Core, job: ClaimedJob) -> None:
    """Tell someone why they were not matched this round, so nobody is silently left out."""
    async with core.db.session() as session:
        profile = await session.get(Profile, job.payload["profile_id"])
    if profile is None:
        raise Cancelled()
    _hold_for_quiet_hours(core, profile.timezone)
    delivery = await core.outbox.send(
        Outbound(
            DirectMessage(profile.platform, profile.community, profile.user_id),
            unmatched_message(job.payload["reason"]),
            Sensitivity.PERSONAL,
            "unmatched",
        )
    )
    settle_delivery(core, job, delivery)
