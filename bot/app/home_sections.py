"""The check-in and relay lines on a person's home page (Slack's App Home tab).

Each describes only the viewer's own data. The relay line names handles and counts, never
a question or an answer: relay content goes only to direct messages, and the home page is
not one, so `/peer threads` (answered in a DM or form) is where the questions are shown.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.checkins import messages as texts
from bot.checkins.service import member_checkins
from bot.kernel.groups import load_group
from bot.kernel.invocation import Actor
from bot.relay.models import RelayMessage
from bot.relay.service import RelayUnavailable

if TYPE_CHECKING:
    from bot.kernel.core import Core


async def next_checkin_section(core: Core, actor: Actor) -> str | None:
    """When the person's next check-in is, and with whom (their own group only)."""
    profile = await core.people.find(actor)
    if profile is None:
        return None
    now = core.clock.now()
    async with core.db.session() as session:
        for checkin in await member_checkins(session, profile.id, ("scheduled",)):
            if checkin.scheduled_at > now:
                view = await load_group(session, checkin.group_id)
                return (
                    f"*Next check-in*: {texts.format_local(checkin.scheduled_at, profile.timezone)} with "
                    f"{texts.names(view.others(profile.id))}. `/peer checkin` moves or skips it."
                )
    return None


async def relay_threads_section(core: Core, actor: Actor) -> str | None:
    """The person's own open anonymous threads, by handle and count, without their content."""
    relay = core.services.get("relay")
    if relay is None:
        return None
    try:
        relay.require()
    except RelayUnavailable:
        return None
    lines = []
    async with core.db.session() as session:
        for row in await relay.own_parties(session, actor):
            view = await relay.view(session, row.thread_id)
            if view.thread.status != "open" or (row.role == "peer" and row.delivered_at is None):
                continue
            me = view.parties[row.id]
            if row.role == "asker":
                answers = await session.execute(
                    select(func.count())
                    .select_from(RelayMessage)
                    .where((RelayMessage.thread_id == row.thread_id) & (RelayMessage.kind == "answer"))
                )
                lines.append(f"• You asked as *{me.handle}*: {answers.scalar_one()} answer(s)")
            else:
                lines.append(f"• A question from *{view.asker.handle}* (you are *{me.handle}*)")
    if not lines:
        return None
    return "*Open anonymous question threads*\n" + "\n".join(lines) + "\n`/peer threads` shows them."


def install(core: Core) -> None:
    """Add the sections to the home page."""
    core.hooks.home_sections.extend(
        (partial(next_checkin_section, core), partial(relay_threads_section, core))
    )
