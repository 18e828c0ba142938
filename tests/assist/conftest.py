"""Fixtures for the LLM tests: the fake OpenAI-compatible server and configs pointing at it."""

from __future__ import annotations

import pytest_asyncio
from fake_openai import FakeOpenAI


@pytest_asyncio.fixture
async def fake():
    """A fresh fake server on an ephemeral 127.0.0.1 port."""
    server = await FakeOpenAI().start()
    yield server
    await server.stop()
