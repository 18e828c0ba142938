"""Starting the chat-platform adapters (Slack, Discord) that the config enables.

Which platforms start is decided from the credentials in the environment; half a set of
credentials is a mistake to report, not a reason to fall back to the console. A platform
that cannot be reached ends the run with a message naming the service and the host.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.kernel.config import Config, CredentialsError, slack_credentials_problem
from bot.kernel.core import Core
from bot.kernel.errors import PlatformError


@dataclass(frozen=True)
class Starter:
    """How to run one platform until cancelled, and where it connects (for messages)."""

    run: Callable[[Core], Awaitable[None]]
    service: str
    url_setting: str  # "section.key" of the base URL in the config

    def url(self, config: Config) -> str:
        section, key = self.url_setting.split(".")
        return getattr(getattr(config, section), key)


async def _slack(core: Core) -> None:
    from adapters.slack.adapter import run_slack

    await run_slack(core)


async def _discord(core: Core) -> None:
    from adapters.discord.bot import run_discord

    await run_discord(core)


# platform name -> starter that runs the adapter until cancelled (imported lazily).
STARTERS: dict[str, Starter] = {
    "slack": Starter(_slack, "Slack", "slack.api_url"),
    "discord": Starter(_discord, "Discord", "discord.api_url"),
}


def enabled_platforms(config: Config) -> list[str]:
    """Platforms whose credentials are set in the environment; CredentialsError if some are half set."""
    problem = slack_credentials_problem(config)
    if problem:
        raise CredentialsError(problem)
    secrets = config.secrets
    return [
        name
        for name, enabled in (("slack", secrets.slack_bot_token), ("discord", secrets.discord_bot_token))
        if enabled
    ]


def unreachable(starter: Starter, config: Config, problem: BaseException) -> PlatformError:
    """Say which service could not be reached, at which host, why, and what to check."""
    host = urlsplit(starter.url(config)).netloc or starter.url(config)
    reason = getattr(problem, "strerror", None) or str(problem) or type(problem).__name__
    section, key = starter.url_setting.split(".")
    return PlatformError(
        f"could not reach {starter.service} at {host}: {reason}. Check the network connection "
        f"and DNS, and [{section}] {key} in the config."
    )


async def _run_one(core: Core, name: str) -> None:
    starter = STARTERS[name]
    try:
        await starter.run(core)
    except (OSError, TimeoutError) as problem:
        raise unreachable(starter, core.config, problem) from problem


async def run_platforms(core: Core, platforms: list[str]) -> None:
    """Run each enabled platform adapter until cancelled; if one fails, stop the others."""
    try:
        async with asyncio.TaskGroup() as group:
            for name in platforms:
                group.create_task(_run_one(core, name))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
