"""Fixtures for the end-to-end suite: bot processes on the test's database, the fake Slack and
its people, a relay key made by the real CLI, and the shared database for assertions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

HERE = Path(__file__).resolve().parent
# reuse the fakes, never copy them
for folder in (HERE.parent / "adapters" / "slack", HERE.parent / "adapters" / "discord"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from e2e_db import SharedDatabase  # noqa: E402
from e2e_harness import Bots, clean_environment  # noqa: E402
from fake_discord import FakeDiscord  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402

SHUTDOWN_NOTES: list[str] = []


@pytest.fixture(scope="session")
def relay_key() -> str:
    """One encryption key for the session, made by `peerbot relay new-key` as the README says."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "relay", "new-key"],
        env=clean_environment({}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@pytest_asyncio.fixture
async def bots(empty_database, tmp_path, relay_key):
    """Bot and CLI processes on this test's database; all stopped (SIGTERM, then SIGKILL) after."""
    secrets = {"PEERBOT_DATABASE_URL": empty_database, "PEERBOT_ENCRYPTION_KEYS": relay_key}
    started = Bots(tmp_path, secrets)
    try:
        yield started
    finally:
        SHUTDOWN_NOTES.extend(await started.stop_all())


@pytest_asyncio.fixture
async def shared_db(empty_database):
    database = SharedDatabase(empty_database)
    yield database
    await database.close()


async def stop_bots_then(bots: Bots, fake) -> None:
    """Bots first: until they stop they talk to the fake (a Discord client reconnects to a
    closing gateway, and the fake's server would wait a minute for its connections)."""
    SHUTDOWN_NOTES.extend(await bots.stop_all())
    await fake.stop()


@pytest_asyncio.fixture
async def fake_slack(bots):
    fake = FakeSlack()
    await fake.start()
    yield fake
    await stop_bots_then(bots, fake)


@pytest_asyncio.fixture
async def fake_discord(bots):
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await stop_bots_then(bots, fake)


@pytest_asyncio.fixture
async def http_session():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(params=["http", "socket"])
def slack_mode(request) -> str:
    return request.param


def pytest_terminal_summary(terminalreporter):
    """Processes that did not stop cleanly are worth knowing about even when tests pass."""
    if SHUTDOWN_NOTES:
        terminalreporter.section("e2e: bot processes that did not stop cleanly")
        for note in SHUTDOWN_NOTES:
            terminalreporter.write_line(note)
