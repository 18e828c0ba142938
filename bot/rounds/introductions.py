"""Scheduled delivery of round results: introductions to each group, and a note to anyone who
could not be matched this time. Both are jobs, so a restart neither loses nor repeats them."""

from __future__ import annotations

from datetime import timedelta

from bot.kernel.core import Core
from bot.kernel.groups import load_group
from bot.kernel.jobs import Cancelled, ClaimedJob, RetryLater, enqueue
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DirectMessage, GroupMessage, Outbound, people_reached
from bot.kernel.quiet_hours import hold_for_quiet_hours
from bot.kernel.retry_policy import backoff, settle_delivery
from bot.kernel.storage.models import Profile

RETRY_FAILED_DELIVERY = timedelta(hours=1)


async def introduction_text(core: Core, members: list[Profile], reasons: list[str]) -> str:
    """Who, why, and a suggested first-conversation agenda (the LLM's, or the prompts/ template)."""
    return await core.services["assist"].introduction(members, reasons)


def group_destination(members: list[Profile]):
    """One group conversation when everyone is in the same community, else one DM each."""
    communities = {(p.platform, p.community) for p in members}
    if len(communities) == 1:
        platform, community = communities.pop()
        return [GroupMessage(platform, community, tuple(p.user_id for p in members))]
    return [DirectMessage(p.platform, p.community, p.user_id) for p in members]


async def deliver_introduction(core: Core, job: ClaimedJob) -> None:
    """Send one group's introduction; a group emptied by erasure is cancelled."""
    group_id = job.payload["group_id"]
    async with core.db.session() as session:
        view = await load_group(session, group_id)
    if view is None or len(view.members) < 2:
        raise Cancelled()
    group, members = view.group, list(view.members)
    await _hold_for_everyones_quiet_hours(core, members)
    text = await introduction_text(core, members, list(group.reasons))
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


async def _retry_one_by_one(core: Core, group_id: int, missed: list[Profile]) -> None:
    """Whoever the introduction did not reach gets their own retry, so nobody gets it twice."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        for member in missed:
            await enqueue(
                session,
                "introduction.member",
                f"p{member.id}:intro:{group_id}",
                now + RETRY_FAILED_DELIVERY,
                {"group_id": group_id, "profile_id": member.id},
                now,
            )


async def deliver_member_introduction(core: Core, job: ClaimedJob) -> None:
    """A retried introduction for one member whose first delivery failed (e.g. DMs closed)."""
    async with core.db.session() as session:
        view = await load_group(session, job.payload["group_id"])
    member = next((m for m in view.members if m.id == job.payload["profile_id"]), None) if view else None
    if member is None or len(view.members) < 2:
        raise Cancelled()
    hold = hold_for_quiet_hours(core.config.checkins, member.timezone, core.clock.now())
    if hold is not None:
        raise RetryLater(hold, "quiet hours")
    text = await introduction_text(core, list(view.members), list(view.group.reasons))
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


async def _hold_for_everyones_quiet_hours(core: Core, members: list[Profile]) -> None:
    """A group message goes out only when it is daytime for every member.

    The clock is read once: comparing the result with a second reading of a moving clock
    would call every moment "quiet hours" and hold the introduction forever.
    """
    now = core.clock.now()
    when = now
    for _ in range(3):
        holds = [hold_for_quiet_hours(core.config.checkins, member.timezone, when) for member in members]
        later = max((h for h in holds if h is not None), default=None)
        if later is None:
            break
        when = later
    if when > now:
        raise RetryLater(when, "quiet hours")


async def deliver_unmatched(core: Core, job: ClaimedJob) -> None:
    """Tell someone why they were not matched this round, so nobody is silently left out."""
    async with core.db.session() as session:
        profile = await session.get(Profile, job.payload["profile_id"])
    if profile is None:
        raise Cancelled()
    hold = hold_for_quiet_hours(core.config.checkins, profile.timezone, core.clock.now())
    if hold is not None:
        raise RetryLater(hold, "quiet hours")
    delivery = await core.outbox.send(
        Outbound(
            DirectMessage(profile.platform, profile.community, profile.user_id),
            Message(
                f"You weren't matched this round: {job.payload['reason']}. "
                "You'll be included again next round."
            ),
            Sensitivity.PERSONAL,
            "unmatched",
        )
    )
    settle_delivery(core, job, delivery)


def register(core: Core) -> None:
    """Make the job queue deliver round results."""
    core.jobs.register("introduction", deliver_introduction)
    core.jobs.register("introduction.member", deliver_member_introduction)
    core.jobs.register("unmatched", deliver_unmatched)
