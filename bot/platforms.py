"""Starting the chat-platform adapters (Slack, Discord) that the config enables."""

from __future__ import annotations

import asyncio

from bot.core import Core


async def _discord(core: Core) -> None:
    from adapters.discord_adapter import run_discord

    await run_discord(core)


STARTERS = {"discord": _discord}


async def run_platforms(core: Core, platforms: list[str]) -> None:
    """Run each enabled platform adapter until stopped."""
    missing = [name for name in platforms if name not in STARTERS]
    if missing:
        raise SystemExit(
            f"peerbot: the {', '.join(missing)} adapter is not part of this build yet; "
            "unset its credentials to use the console."
        )
    await asyncio.gather(*(STARTERS[name](core) for name in platforms))
