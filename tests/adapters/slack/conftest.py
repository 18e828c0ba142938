"""Fixtures for the Slack adapter: the real core and slack-bolt app against a fake Slack.

`slack_world` runs each test twice, once in HTTP mode (signed requests into the real
endpoint) and once in Socket Mode (envelopes over the fake's websocket).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from fake_slack import (
    FakeSlack,
    HttpDriver,
    SocketDriver,
    action_payload,
    command_body,
    home_opened_event,
    slack_config,
    submission_payload,
)

from adapters.slack.adapter import SlackAdapter
from bot.app.bootstrap import build_core, prepare
from bot.kernel.clock import FakeClock


@dataclass
class SlackWorld:
    """People using the bot through a fake Slack; what each saw is kept as a list of surfaces.

    A surface is {"blocks": [...]} for a message or {"view": {...}} for a modal or home tab.
    """

    fake: FakeSlack
    adapter: SlackAdapter
    driver: Any
    mode: str
    seen: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def core(self):
        return self.adapter.core

    async def wait(self, work) -> Any:
        """Run work the bot does by itself (due jobs, a moved clock) and record what people saw."""
        before = len(self.fake.calls)
        result = await work
        await self.adapter.drain()
        for call in self.fake.calls[before:]:
            self._attribute("", call)
        return result

    async def _step(self, user: str, request, view_id: str = "") -> dict:
        before = len(self.fake.calls)
        ack = await request
        await self.adapter.drain()
        if ack.get("response_action") == "update":
            self.seen.setdefault(user, []).append({"view": {**ack["view"], "id": view_id}})
        for call in self.fake.calls[before:]:
            self._attribute(user, call)
        return ack

    def _attribute(self, user: str, call) -> None:
        if call.status != 200:
            return
        params = call.params
        if call.method == "response_url" or call.method in ("views.open", "views.push", "views.update"):
            surface = {"view": params["view"]} if "view" in params else {"blocks": params.get("blocks", [])}
            self.seen.setdefault(user, []).append(surface)
        elif call.method == "views.publish":
            self.seen.setdefault(params["user_id"], []).append({"view": params["view"]})
        elif call.method == "chat.postMessage":
            conversation = self.fake.conversations.get(params["channel"], {})
            members = [conversation["user"]] if conversation.get("is_im") else []
            if conversation.get("is_mpim"):
                members = params["channel"][1:].split("-")
            for member in members:
                self.seen.setdefault(member, []).append({"blocks": params.get("blocks", [])})

    async def say(self, user: str, text: str, **extra: Any) -> dict:
        """Type `/peer <text>`; returns the acknowledgement."""
        return await self._step(user, self.driver.command(command_body(self.fake, user, text, **extra)))

    async def press(self, user: str, label: str) -> dict:
        """Press the newest button with this label that `user` can see."""
        for surface in reversed(self.seen.get(user, [])):
            for button in _buttons(surface):
                if button["text"]["text"] == label:
                    payload = action_payload(self.fake, user, button, surface)
                    return await self._step(user, self.driver.interaction(payload))
        raise AssertionError(f"{user} has no button {label!r}")

    def modal(self, user: str) -> dict:
        """The newest modal `user` has open."""
        for surface in reversed(self.seen.get(user, [])):
            if surface.get("view", {}).get("type") == "modal":
                return surface["view"]
        raise AssertionError(f"{user} has no modal")

    async def submit(self, user: str, values: dict[str, Any], view: dict | None = None) -> dict:
        """Fill in and submit the newest modal; returns the acknowledgement."""
        view = view or self.modal(user)
        payload = submission_payload(user, view, values)
        return await self._step(user, self.driver.interaction(payload), view["id"])

    async def open_home(self, user: str) -> dict:
        await self._step(user, self.driver.event(home_opened_event(user)))
        return self.seen[user][-1]["view"]

    def texts(self, user: str) -> list[str]:
        """Every text block `user` has seen, oldest first."""
        return [text for surface in self.seen.get(user, []) for text in _texts(surface)]

    def last_text(self, user: str) -> str:
        return "\n".join(_texts(self.seen[user][-1]))


def _blocks(surface: dict) -> list[dict]:
    return surface["view"].get("blocks", []) if "view" in surface else surface.get("blocks", [])


def _buttons(surface: dict) -> list[dict]:
    return [e for b in _blocks(surface) if b["type"] == "actions" for e in b["elements"]]


def _texts(surface: dict) -> list[str]:
    return [b["text"]["text"] for b in _blocks(surface) if b["type"] == "section"]


@pytest_asyncio.fixture
async def fake_slack():
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(params=["http", "socket"])
def slack_mode(request) -> str:
    return request.param


@pytest_asyncio.fixture
async def slack_world(empty_database, tmp_path, fake_slack, slack_mode, request):
    """The real core and Slack adapter, started in one mode against the fake Slack."""
    extra = dict(getattr(request, "param", {}) or {})
    env = extra.pop("env", None)
    config = slack_config(empty_database, tmp_path, slack_mode, fake_slack.api_url, env, **extra)
    core = build_core(config, clock=FakeClock())
    await prepare(core)
    adapter = SlackAdapter(core, config)
    await adapter.start()
    async with aiohttp.ClientSession() as session:
        driver = (
            HttpDriver(fake_slack, adapter.port, session)
            if slack_mode == "http"
            else SocketDriver(fake_slack)
        )
        yield SlackWorld(fake_slack, adapter, driver, slack_mode)
        await adapter.stop()
    await core.close()
