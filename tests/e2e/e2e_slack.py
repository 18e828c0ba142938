"""People using a bot process through the fake Slack, and what each of them received.

The bot runs in another process, so nothing can be drained: every reply is found in the
fake's recorded calls, attributed to the person whose request it answers (by response_url,
trigger_id or view id) or, for messages, to the members of the DM or group DM it went to.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from e2e_harness import merged
from fake_slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    HttpDriver,
    SocketDriver,
    action_payload,
    command_body,
    submission_payload,
)

SLACK_SECRETS = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "SLACK_APP_TOKEN": APP_TOKEN,
}
ADMINS = {"admins": {"slack": {TEAM: ["UADMIN"]}}}
KINDS = (  # (kind, a phrase only that kind of message has), checked in order
    ("introduction", "Why you were matched"),
    ("reminder", "Reminder: your check-in"),
    ("followup", "Did you meet"),
    ("continue", "continue together next round"),
    ("relay.question", "An anonymous question"),
    ("relay.answer", "answered your question"),
)


def message_kind(text: str) -> str:
    """What a bot message is, read from its words as a person would."""
    return next((kind for kind, phrase in KINDS if phrase in text), "other")


def members_of(fake: FakeSlack, channel: str) -> list[str]:
    """Who reads a conversation: the user of a DM, everyone in a group DM (as tests/adapters/slack does)."""
    conversation = fake.conversations.get(channel, {})
    if conversation.get("is_im"):
        return [conversation["user"]]
    if conversation.get("is_mpim"):
        return channel[1:].split("-")
    return []


@dataclass(frozen=True)
class Post:
    """One chat.postMessage Slack accepted, as one person received it."""

    user: str
    kind: str
    text: str
    blocks: list
    at: float


def posts(fake: FakeSlack) -> list[Post]:
    """Every message delivered, once per person who can read it, oldest first."""
    out = []
    for call in fake.called("chat.postMessage"):
        blocks = call.params.get("blocks") or []
        text = f"{call.params.get('text', '')}\n{blocks}"
        for user in members_of(fake, call.params["channel"]):
            out.append(Post(user, message_kind(text), text, blocks, call.at))
    return out


def received(fake: FakeSlack) -> dict[str, Counter]:
    """Per person, how many messages of each kind they got (introduction, reminder, …)."""
    counts: dict[str, Counter] = {}
    for post in posts(fake):
        counts.setdefault(post.user, Counter())[post.kind] += 1
    return counts


def _blocks(surface: dict) -> list[dict]:
    return surface["view"].get("blocks", []) if "view" in surface else surface.get("blocks", [])


def buttons(surface: dict) -> list[dict]:
    return [e for b in _blocks(surface) if b["type"] == "actions" for e in b["elements"]]


def texts(surface: dict) -> str:
    return "\n".join(b["text"]["text"] for b in _blocks(surface) if b["type"] == "section")


@dataclass
class SlackPeople:
    """Drives people's requests (HTTP-signed or Socket Mode, through tests/adapters/slack's drivers)
    and reads back every surface each person saw: messages, ephemeral replies, modals."""

    fake: FakeSlack
    driver: Any
    owners: dict[str, str] = field(default_factory=dict)  # response url / trigger / view id → user
    acks: list[tuple[float, str, dict]] = field(default_factory=list)

    def _own(self, user: str, request: dict) -> None:
        for key in ("response_url", "trigger_id"):
            if request.get(key):
                self.owners[str(request[key]).rsplit("/", 1)[-1]] = user

    def _owner(self, call) -> list[str]:
        params = call.params
        if call.method == "response_url":
            return [self.owners.get(params.get("url_id", ""), "")]
        if call.method in ("views.open", "views.push"):
            user = self.owners.get(params.get("trigger_id", ""), "")
            self.owners[params["view"]["id"]] = user
            return [user]
        if call.method == "views.update":
            return [self.owners.get(params.get("view_id", ""), "")]
        if call.method == "views.publish":
            return [params["user_id"]]
        if call.method == "chat.postMessage":
            return members_of(self.fake, params["channel"])
        return []

    def surfaces(self, user: str) -> list[dict]:
        """What `user` saw, oldest first: {"blocks": …} for messages, {"view": …} for modals."""
        seen = []
        for call in self.fake.calls:
            if call.status != 200 or user not in self._owner(call):
                continue
            if "view" in call.params:
                seen.append((call.at, {"view": call.params["view"]}))
            else:
                seen.append((call.at, {"blocks": call.params.get("blocks") or []}))
        seen += [(at, surface) for at, who, surface in self.acks if who == user]
        return [surface for _, surface in sorted(seen, key=lambda pair: pair[0])]

    def sees(self, user: str, phrase: str) -> bool:
        return any(phrase in texts(s) for s in self.surfaces(user))

    def button(self, user: str, label: str) -> tuple[dict, dict] | None:
        """The newest button with this label `user` can see, and the surface it is on."""
        for surface in reversed(self.surfaces(user)):
            for found in buttons(surface):
                if found["text"]["text"] == label:
                    return found, surface
        return None

    def modal(self, user: str, title: str) -> dict | None:
        for surface in reversed(self.surfaces(user)):
            view = surface.get("view", {})
            if view.get("type") == "modal" and view.get("title", {}).get("text", "").startswith(title):
                return view
        return None

    async def say(self, user: str, text: str, **extra: Any) -> dict:
        """Type `/peer <text>`; returns Slack's acknowledgement."""
        body = command_body(self.fake, user, text, **extra)
        self._own(user, body)
        return await self.driver.command(body)

    async def press(self, user: str, label: str) -> dict:
        """Press the newest button with this label (it must already be shown: wait for it first)."""
        found = self.button(user, label)
        assert found is not None, f"{user} has no button {label!r}"
        payload = action_payload(self.fake, user, *found)
        self._own(user, payload)
        return await self.driver.interaction(payload)

    async def submit(self, user: str, view: dict, values: dict[str, Any]) -> dict:
        """Submit a modal; an answer that replaces the modal is kept as something `user` saw."""
        payload = submission_payload(user, view, values)
        self._own(user, payload)
        ack = await self.driver.interaction(payload)
        if ack.get("response_action") == "update":
            self.acks.append((time.monotonic(), user, {"view": {**ack["view"], "id": view["id"]}}))
        return ack


async def connect(bots, fake: FakeSlack, mode: str, session, extra: dict | None = None, secrets=None):
    """Start one bot in Slack `mode` against the fake and wait until it can take requests;
    returns the process and a driver that plays Slack towards it."""
    extra = merged({"slack": {"mode": mode, "api_url": fake.api_url}}, extra or {})
    if mode == "http":
        bot = bots.start(extra, http=True, secrets=secrets)
        await bots.port_open(bot)
        return bot, HttpDriver(fake, bot.port, session)
    bot = bots.start(extra, secrets=secrets)
    await bots.wait_for(fake._connected.is_set, 30, f"{bot.name} to connect over Socket Mode")
    return bot, SocketDriver(fake)


async def slack_people(bots, fake: FakeSlack, mode: str, session, extra: dict | None = None) -> SlackPeople:
    """Start a Slack bot (UADMIN is an admin) and return the people who talk to it."""
    bots.secrets.update(SLACK_SECRETS)
    bots.config.update(ADMINS)
    _, driver = await connect(bots, fake, mode, session, extra)
    return SlackPeople(fake, driver)
