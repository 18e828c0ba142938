"""The relay line on a person's home page (Slack's App Home tab).

It describes only the viewer's own data: it names handles and counts, never
a question or an answer: relay content goes only to direct messages, and the home page is
not one, so `/peer threads` (answered in a DM or form) is where the questions are shown.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.kernel.invocation import Actor
from bot.relay.models import RelayMessage
from bot.relay.service import RelayUnavailable

if TYPE_CHECKING:
    from bot.kernel.core import Core


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
    """Add the section to the home page."""
    core.hooks.home_sections.append(partial(relay_threads_section, core))
