"""Starting the chat-platform adapters (Slack, Discord) that the config enables."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.core import Core


async def _slack(core: Core) -> None:
    from adapters.slack_adapter import run_slack

    await run_slack(core)


async def _discord(core: Core) -> None:
    from adapters.discord_adapter import run_discord

    await run_discord(core)


# platform name -> starter that runs the adapter until cancelled (imported lazily).
STARTERS: dict[str, Callable[[Core], Awaitable[None]]] = {"slack": _slack, "discord": _discord}


async def run_platforms(core: Core, platforms: list[str]) -> None:
    """Run each enabled platform adapter until stopped."""
    await asyncio.gather(*(STARTERS[name](core) for name in platforms))
