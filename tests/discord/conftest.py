"""Fixtures for the Discord adapter: the real discord.py client against a local fake Discord."""

from __future__ import annotations

import asyncio

import pytest_asyncio
from discord_journey import DiscordJourney
from fake_discord import FakeDiscord

from adapters.discord_adapter import build_bot
from bot.app import build_core, prepare
from bot.clock import FakeClock
from bot.config import parse_config


@pytest_asyncio.fixture
async def discord_journey(empty_database, tmp_path):
    """A prepared core, the fake Discord, and a PeerBot connected to it through the gateway."""
    fake = FakeDiscord()
    api_url = await fake.start()
    raw = {"bot": {"data_dir": str(tmp_path)}, "discord": {"api_url": api_url}}
    config = parse_config(raw, {"PEERBOT_DATABASE_URL": empty_database, "DISCORD_BOT_TOKEN": "fake"}, "tests")
    core = build_core(config, clock=FakeClock())
    await prepare(core)
    bot = build_bot(core)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await fake.identified()
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        yield DiscordJourney(fake, bot, core)
    finally:
        await bot.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await fake.stop()
        await core.db.close()
