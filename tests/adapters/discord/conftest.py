"""Fixtures for the Discord adapter: the real discord.py client against a local fake Discord."""

from __future__ import annotations

import pytest_asyncio
from discord_journey import running_discord


@pytest_asyncio.fixture
async def discord_journey(empty_database, tmp_path):
    """A prepared core, the fake Discord, and a PeerBot connected to it through the gateway."""
    async with running_discord(empty_database, tmp_path) as journey:
        yield journey
