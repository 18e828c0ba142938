"""The check-in line on a person's home page (Slack's App Home tab): their own next check-in."""

from __future__ import annotations

from bot.checkins.service import CheckinService
from bot.checkins.wording import format_local, names
from bot.kernel.invocation import Actor


async def next_checkin_section(service: CheckinService, actor: Actor) -> str | None:
    """When the person's next check-in is, and with whom (their own group only)."""
    seen = await service.next_for_home(actor)
    if seen is None:
        return None
    return (
        f"*Next check-in*: {format_local(seen.checkin.scheduled_at, seen.viewer.timezone)} with "
        f"{names(seen.others)}. `/peer checkin` moves or skips it."
    )
