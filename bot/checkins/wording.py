"""How check-in times and people read in messages: each reader sees times in their own zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.kernel.storage.models import Profile


def format_local(moment: datetime, zone: str) -> str:
    """A moment as the reader says it: "Monday 12 January 2026, 10:00 (Europe/London)"."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({zone})"


def names(profiles: Sequence[Profile]) -> str:
    """ "Ann", "Ann and Bob", "Ann, Bob and Cy"."""
    shown = [p.display_name for p in profiles]
    if len(shown) <= 1:
        return "".join(shown) or "your peer"
    return ", ".join(shown[:-1]) + " and " + shown[-1]
