"""The outbox's conversation gate, for a platform that learns a conversation's id only by
opening it (as Slack and Discord do): the gate applies the [privacy] rules to that id before
anything is posted, costs nothing when nothing is blocked, and refuses a platform that
delivers outside the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import (
    ConversationFacts,
    ConversationRefused,
    DirectMessage,
    Outbound,
    conversation_gate,
)
from bot.kernel.storage.models import Refusal
from harness import Harness


@dataclass
class OpeningPlatform:
    """Opens each person's DM (conversation "D-<user>") and asks the gate before posting."""

    name: str = "opening"
    shared: set[str] = field(default_factory=set)
    wanted_ids: list[bool] = field(default_factory=list)
    described: list[str] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)

    async def deliver(self, destination, message) -> None:
        gate = conversation_gate()
        self.wanted_ids.append(gate.wants_conversation_id)
        channel = f"D-{destination.user_id}"

        async def describe() -> ConversationFacts:
            self.described.append(channel)
            return ConversationFacts(
                is_direct_message=True, is_shared=channel in self.shared, channel_id=channel
            )

        await gate.admit(channel, describe)
        self.posted.append(channel)

    async def conversation_facts(self, destination) -> ConversationFacts:
        return ConversationFacts(is_direct_message=True)  # the id is not known before opening


async def started(empty_database, tmp_path, raw: dict) -> tuple[Harness, OpeningPlatform]:
    h = Harness.create(empty_database, tmp_path, raw)
    await h.start()
    platform = OpeningPlatform()
    h.core.outbox.register(platform)
    return h, platform


async def send(h, user: str, sensitivity=Sensitivity.PERSONAL) -> str:
    destination = DirectMessage("opening", "local", user)
    out = Outbound(destination, Message("hello"), sensitivity, "test", frozenset({user}))
    return (await h.core.outbox.send(out)).status


async def refusals(h) -> list[str]:
    async with h.core.db.session() as session:
        return [r.reason for r in (await session.execute(select(Refusal))).scalars()]


async def test_the_gate_refuses_what_the_platform_opened_and_counts_it(empty_database, tmp_path):
    h, platform = await started(empty_database, tmp_path, {"privacy": {"blocked_channels": ["D-bob"]}})
    try:
        platform.shared.add("D-cara")
        assert await send(h, "bob") == "refused"
        assert await send(h, "bob", Sensitivity.RELAY) == "refused"
        assert await send(h, "cara", Sensitivity.RELAY) == "refused"
        assert await send(h, "cara") == "sent", "a shared DM still takes ordinary messages"
        assert platform.posted == ["D-cara"]
        assert await refusals(h) == ["blocked_channel", "blocked_channel", "relay_shared_conversation"]
    finally:
        await h.stop()


async def test_the_gate_costs_nothing_when_nothing_is_blocked(empty_database, tmp_path):
    h, platform = await started(empty_database, tmp_path, {})
    try:
        assert await send(h, "bob") == "sent"
        assert await send(h, "bob", Sensitivity.RELAY) == "sent"
        assert platform.wanted_ids == [False, True], "only relay content needs the conversation id"
        assert platform.described == ["D-bob"], "and only relay content has it described"
    finally:
        await h.stop()


async def test_a_platform_delivering_outside_the_outbox_is_refused():
    platform = OpeningPlatform()
    with pytest.raises(ConversationRefused) as refused:
        await platform.deliver(DirectMessage("opening", "local", "bob"), Message("hello"))
    assert refused.value.reason == "outside_outbox" and platform.posted == []
