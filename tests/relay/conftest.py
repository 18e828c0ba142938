"""The relay tests' fixture: a started harness with a key and the small community joined."""

from __future__ import annotations

import pytest_asyncio
from relay_helpers import join_community, make_harness


@pytest_asyncio.fixture
async def rh(empty_database, tmp_path):
    """A started relay harness with the community joined."""
    h = make_harness(empty_database, tmp_path)
    await h.start()
    await join_community(h)
    h.platform.clear()
    yield h
    await h.stop()
