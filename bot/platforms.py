"""Starting the chat-platform adapters (Slack, Discord) that the config enables."""

from __future__ import annotations

from bot.core import Core


async def run_platforms(core: Core, platforms: list[str]) -> None:
    """Run each enabled platform adapter until stopped."""
    raise SystemExit(
        "peerbot: the Slack and Discord adapters are not part of this build yet; "
        f"unset the credentials for {', '.join(platforms)} to use the console."
    )
