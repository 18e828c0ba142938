"""Acting as Discord members against the fake, and reading back what the bot sent them."""

from __future__ import annotations

import asyncio
import copy
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fake_discord import FakeDiscord

from adapters.discord.bot import build_bot
from bot.app.bootstrap import build_core, prepare
from bot.kernel.clock import FakeClock
from bot.kernel.config import parse_config


def buttons_in(components: list[dict]) -> list[dict]:
    """Every button in a message's component rows."""
    found = []
    for row in components or []:
        for item in row.get("components", []):
            if item.get("type") == 2:
                found.append(item)
    return found


@dataclass
class Sent:
    """One thing a member saw: an interaction response, a follow-up or a DM."""

    kind: str  # "message" | "modal" | "defer" | "dm"
    body: dict
    interaction_id: str = ""
    message_id: str = ""

    @property
    def content(self) -> str:
        return self.body.get("content") or ""

    @property
    def buttons(self) -> list[dict]:
        return buttons_in(self.body.get("components", []))


@dataclass
class DiscordJourney:
    fake: FakeDiscord
    bot: Any
    core: Any
    runner: asyncio.Task | None = None
    config: tuple[dict, dict] = ({}, {})  # the raw config and environment, for a restart
    interactions: dict[str, list[str]] = field(default_factory=dict)

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database, clock and fake Discord."""
        clock = self.core.clock
        await disconnect(self)
        again = await connect(self.fake, *self.config, clock=clock)
        self.bot, self.core, self.runner = again.bot, again.core, again.runner

    def member(self, name: str, *roles: str) -> str:
        user_id = self.fake.new_id()
        self.fake.add_member(user_id, name, roles)
        return user_id

    async def _send(self, user_id: str, payload: dict) -> str:
        await self.fake.send_interaction(payload)
        await self.fake.callback_done(payload["id"])
        await self.bot.adapter.wait_idle()
        self.interactions.setdefault(user_id, []).append(payload["id"])
        return payload["id"]

    async def slash(self, user_id: str, subcommand: str, args: str | None = None, **typed) -> str:
        options = [{"name": "args", "type": 3, "value": args}] if args else []
        resolved: dict = {}
        for name, (kind, value) in typed.items():
            options.append({"name": name, "type": kind, "value": value})
            if kind == 8:
                resolved.setdefault("roles", {})[value] = self.fake.roles[value]
            if kind == 7:
                channel = self.fake._channel(value, "join-the-peer-network")
                resolved.setdefault("channels", {})[value] = {**channel, "permissions": "0"}
        return await self._send(user_id, self.fake.slash(user_id, subcommand, options, resolved or None))

    def seen(self, user_id: str) -> list[Sent]:
        """What the member saw in answer to their interactions, in order, then their DMs."""
        out: list[Sent] = []
        for interaction_id in self.interactions.get(user_id, []):
            for body in self.fake.callbacks_for(interaction_id):
                kind = {4: "message", 9: "modal"}.get(body["type"], "defer")
                out.append(Sent(kind, body.get("data") or {}, interaction_id, f"cb-{interaction_id}"))
            for body in self.fake.followups_for(interaction_id):
                out.append(Sent("message", body or {}, interaction_id, f"fu-{interaction_id}"))
        return out

    def dms(self, user_id: str) -> list[Sent]:
        return [Sent("dm", call.body or {}) for call in self.fake.dms_to(user_id)]

    def last(self, user_id: str) -> Sent:
        return self.seen(user_id)[-1]

    def replies(self, interaction_id: str) -> list[Sent]:
        user = next(u for u, ids in self.interactions.items() if interaction_id in ids)
        return [s for s in self.seen(user) if s.interaction_id == interaction_id]

    async def press(self, user_id: str, label: str, in_dm: bool = False, on_dm: bool | None = None) -> str:
        """Press the newest button with this label the member was shown: on a DM the bot sent
        (`on_dm`, by default when pressing in the DM channel) or on a reply to them."""
        shown = self.dms(user_id) if (in_dm if on_dm is None else on_dm) else self.seen(user_id)
        for sent in reversed(shown):
            for button in sent.buttons:
                if button.get("label") == label:
                    payload = self.fake.press(user_id, button["custom_id"], self.fake.new_id(), in_dm=in_dm)
                    return await self._send(user_id, payload)
        raise AssertionError(f"no button {label!r} was shown; saw {[s.content[:60] for s in shown]}")

    def open_modal(self, user_id: str) -> dict:
        for sent in reversed(self.seen(user_id)):
            if sent.kind == "modal":
                return sent.body
        raise AssertionError("no modal was opened")

    async def submit_modal(
        self, user_id: str, values: dict[str, str | list[str]], in_dm: bool = False
    ) -> str:
        """Fill the newest modal shown to the member with those of `values` it asks for."""
        modal = self.open_modal(user_id)
        asked = [label["component"]["custom_id"] for label in modal["components"] if "component" in label]
        payload = self.fake.modal_submit(
            user_id, modal["custom_id"], {k: values[k] for k in asked if k in values}, in_dm=in_dm
        )
        return await self._send(user_id, payload)

    async def fill_form(self, user_id: str, values: dict[str, str | list[str]], in_dm: bool = False) -> str:
        """Submit every page of the open form, pressing Continue between pages."""
        while True:
            interaction_id = await self.submit_modal(user_id, values, in_dm)
            replies = self.replies(interaction_id)
            if not any(b.get("label") == "Continue" for r in replies for b in r.buttons):
                return interaction_id
            await self.press(user_id, "Continue", in_dm=in_dm, on_dm=False)


async def connect(fake: FakeDiscord, raw: dict, env: dict, clock=None) -> DiscordJourney:
    """A prepared core and a PeerBot connected to the (started) fake through its gateway."""
    config = parse_config(copy.deepcopy(raw), dict(env), "tests")
    core = build_core(config, clock=clock or FakeClock())
    await prepare(core)
    bot = build_bot(core)
    fake.expect_identify()
    runner = asyncio.create_task(bot.start("fake-token"))
    await fake.identified()
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    return DiscordJourney(fake, bot, core, runner, (raw, env))


async def disconnect(journey: DiscordJourney) -> None:
    """Stop the bot (its in-memory forms and buttons go with it) and close the core's database."""
    await journey.bot.close()
    journey.runner.cancel()
    await asyncio.gather(journey.runner, return_exceptions=True)
    await journey.core.close()


@asynccontextmanager
async def running_discord(database_url: str, tmp_path, raw: dict | None = None, env: dict | None = None):
    """The fake Discord and a bot connected to it with this config; both stopped afterwards."""
    fake = FakeDiscord()
    api_url = await fake.start()
    raw = copy.deepcopy(raw or {})
    raw.setdefault("bot", {})["data_dir"] = str(tmp_path)
    raw.setdefault("discord", {})["api_url"] = api_url
    env = {"PEERBOT_DATABASE_URL": database_url, "DISCORD_BOT_TOKEN": "fake", **(env or {})}
    journey = None
    try:
        journey = await connect(fake, raw, env)
        yield journey
    finally:
        if journey is not None:
            await disconnect(journey)
        await fake.stop()
