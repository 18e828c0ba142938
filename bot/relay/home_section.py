"""The relay's line on a person's home page (Slack's App Home tab).

It names handles and counts, never a question or an answer: relay content goes only to
direct messages, and the home page is not one, so `/peer threads` (answered in a DM or
form) is where the questions are shown.
"""

from __future__ import annotations

from bot.kernel.invocation import Actor
from bot.relay import texts
from bot.relay.service import RelayService


async def relay_threads_section(relay: RelayService, actor: Actor) -> str | None:
    """The person's own open anonymous threads, by handle and count, without their content."""
    if not relay.keys.available:
        return None
    lines = [
        texts.home_asker_line(t.handle, t.answers)
        if t.role == "asker"
        else texts.home_peer_line(t.asker_handle, t.handle)
        for t in await relay.conversation.open_threads(actor, with_questions=False)
    ]
    if not lines:
        return None
    return texts.home_section(lines)
