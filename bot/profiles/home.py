"""A person's home page: their profile, status and what is coming up, for any platform.

Slack shows it on the App Home tab; other adapters may show it elsewhere. Features add
their own lines (next check-in, open relay threads) to `core.hooks.home_sections`, each an
async callable `(actor) -> str | None`. Every section must describe only the actor's own
data: the page is shown to them alone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.kernel.invocation import Actor
from bot.kernel.messages import Button, Message
from bot.profiles.views import describe_profile, profile_as_dict

if TYPE_CHECKING:
    from bot.kernel.core import Core

log = logging.getLogger(__name__)


async def home_summary(core: Core, actor: Actor) -> Message:
    """What the person sees on their home page; a failing feature section is left out."""
    profile = await core.people.find(actor)
    if profile is None or profile.status == "pending":
        return Message(
            f"*{core.config.bot.name}*\nMeet practitioners from other organisations who are joining up "
            "health, care, welfare and housing services. Join to be matched with a peer.",
            buttons=(Button("Join", "join", style="primary"),),
        )
    parts = [describe_profile(profile_as_dict(profile))]
    parts.extend(await core.hooks.home_lines(actor))
    paused = profile.status == "paused"
    buttons = (
        Button("Edit profile", "profile.edit"),
        Button("Resume", "resume") if paused else Button("Pause", "pause"),
    )
    return Message("\n\n".join(parts), buttons=buttons)
