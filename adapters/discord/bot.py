"""The discord.py client: the /peer command group, interactions to the adapter, and the REST
and gateway addresses from [discord] api_url (see adapters/discord/api_address.py)."""

from __future__ import annotations

from typing import Any

import discord
import yarl
from discord.ext import commands

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.api_address import answer_interactions_at, use_api_address
from adapters.discord.commands import peer_group
from bot.kernel.core import Core
from bot.kernel.logging_setup import guard_library_loggers


class PeerBot(commands.Bot):
    """discord.py's Bot with the /peer group, the gateway taken from the REST endpoint, and the
    adapter receiving buttons and modal submissions. No privileged intents."""

    def __init__(self, core: Core, **options: Any):
        intents = discord.Intents.default()
        intents.message_content = False
        super().__init__(
            command_prefix=commands.when_mentioned, intents=intents, help_command=None, **options
        )
        self.api = use_api_address(self.http, core.config.discord.api_url)
        self.adapter = DiscordAdapter(core, self)
        self.peer_core = core

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        """Log in and connect; interactions are answered at [discord] api_url too."""
        answer_interactions_at(self.api.api_url)
        await super().start(token, reconnect=reconnect)

    async def setup_hook(self) -> None:
        """Before connecting: find the gateway the REST endpoint names, and sync /peer."""
        _shards, url, _limits = await self.http.get_bot_gateway()
        self.api.gateway = yarl.URL(url)
        self.tree.add_command(peer_group(self.peer_core.dispatcher.routes, self.adapter))
        await self.tree.sync()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.adapter.on_interaction(interaction)


class ShardedPeerBot(commands.AutoShardedBot, PeerBot):
    """The same bot over several gateway connections, for large servers ([discord] shards)."""


def build_bot(core: Core) -> PeerBot:
    """Build the bot for [discord] and register its sender with the outbox."""
    settings = core.config.discord
    guard_library_loggers()  # discord.py logs request bodies and gateway events at DEBUG
    bot = ShardedPeerBot(core, shard_count=settings.shards) if settings.shards else PeerBot(core)
    core.outbox.register(bot.adapter.sender)
    return bot


async def run_discord(core: Core) -> None:
    """Run the Discord bot until stopped (the platforms table in bot/app/platforms.py calls this)."""
    bot = build_bot(core)
    async with bot:
        await bot.start(core.config.secrets.discord_bot_token)
