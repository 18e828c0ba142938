"""The check-in line on a person's home page (Slack's App Home tab).

It describes only the viewer's own data. (The relay's line is registered by bot/relay/install.py.)
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from bot.checkins import messages as texts
from bot.checkins.service import member_checkins
from bot.kernel.groups import load_group
from bot.kernel.invocation import Actor

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


def install(core: Core) -> None:
    """Add the section to the home page."""
    core.hooks.home_sections.append(partial(next_checkin_section, core))
