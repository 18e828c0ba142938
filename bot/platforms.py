"""Starting the chat-platform adapters (Slack, Discord) that the config enables."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.core import Core


async def _slack(core: Core) -> None:
    from adapters.slack_adapter import run_slack

    await run_slack(core)


# platform name -> starter that runs the adapter until cancelled (imported lazily).
STARTERS: dict[str, Callable[[Core], Awaitable[None]]] = {
    "slack": _slack,
}


async def run_platforms(core: Core, platforms: list[str]) -> None:
    """Run each enabled platform adapter until stopped."""
    missing = [name for name in platforms if name not in STARTERS]
    if missing:
        raise SystemExit(
            f"peerbot: the {', '.join(missing)} adapter is not part of this build yet; "
            "unset its credentials to run without it."
        )
    await asyncio.gather(*(STARTERS[name](core) for name in platforms))
