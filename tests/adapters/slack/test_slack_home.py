"""The App Home tab leaves through the outbox like every other message, so the [privacy]
guard covers it: a blocked workspace's home view is refused and counted, never published."""

from __future__ import annotations

import pytest
from fake_slack import TEAM, home_opened_event
from sqlalchemy import select

from bot.kernel.storage.models import Refusal

BLOCKED = {"privacy": {"blocked_workspaces": [TEAM]}}


async def refusals(world) -> list[tuple[str, str, str]]:
    async with world.core.db.session() as session:
        rows = (await session.execute(select(Refusal))).scalars()
        return [(r.community_key, r.kind, r.reason) for r in rows]


@pytest.mark.parametrize("slack_world", [BLOCKED], indirect=True)
async def test_a_blocked_workspaces_home_view_is_refused_and_counted(slack_world):
    await slack_world.driver.event(home_opened_event("U1"))
    await slack_world.adapter.drain()
    assert not slack_world.fake.called("views.publish")
    assert await refusals(slack_world) == [(f"slack:{TEAM}", "home", "blocked_community")]


@pytest.mark.parametrize("slack_world", [BLOCKED], indirect=True)
async def test_a_blocked_workspaces_member_gets_neither_a_reply_nor_a_home_tab(slack_world):
    """The issue's scenario: the slash command is refused, and so is the Home tab after it."""
    fake = slack_world.fake
    await slack_world.say("U1", "help")
    assert not fake.called("response_url") and not fake.called("chat.postMessage")
    await slack_world.driver.event(home_opened_event("U1"))
    await slack_world.adapter.drain()
    assert not fake.called("views.publish")
    assert await refusals(slack_world) == [
        (f"slack:{TEAM}", "reply", "blocked_community"),
        (f"slack:{TEAM}", "home", "blocked_community"),
    ]


async def test_a_home_view_is_published_through_the_outbox(slack_world):
    view = await slack_world.open_home("U1")
    assert view["type"] == "home" and view["blocks"]
    [publish] = slack_world.fake.called("views.publish")
    assert publish.params["user_id"] == "U1"
    assert await refusals(slack_world) == []
