"""The outbox guard for relay content: regulator spaces are unreachable for every message, and
relay content reaches only the DMs of the thread's people, never a shared conversation."""

from __future__ import annotations

from memory_platform import MemoryPlatform
from relay_helpers import (
    MARKER_Q,
    QUESTION,
    RELAY_CONFIG,
    ask,
    deliver,
    join_community,
    make_harness,
    receivers_of_question,
)
from sqlalchemy import select

from bot.kernel.invocation import Actor, Invocation, Place
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import ChannelPost, DirectMessage, GroupMessage, Outbound, ReplyTo
from bot.kernel.storage.job_models import Job
from bot.kernel.storage.models import Refusal

REGULATOR = {
    **RELAY_CONFIG,
    "privacy": {
        "blocked_workspaces": ["TREGULATOR"],
        "blocked_guilds": ["999"],
        "blocked_channels": ["CREG", "D-bob"],
    },
}


async def _refusals(h) -> list[tuple[str, str]]:
    async with h.core.db.session() as session:
        return [(r.kind, r.reason) for r in (await session.execute(select(Refusal))).scalars()]


async def test_regulator_spaces_refuse_every_message_even_when_code_asks_directly(empty_database, tmp_path):
    h = make_harness(empty_database, tmp_path, REGULATOR)
    slack, discord = MemoryPlatform(name="slack"), MemoryPlatform(name="discord")
    await h.start()
    h.core.outbox.register(slack)
    h.core.outbox.register(discord)
    try:
        send = h.core.outbox.send
        everyone = frozenset({"U1", "5"})
        attempts = [
            Outbound(
                DirectMessage("slack", "TREGULATOR", "U1"),
                Message(QUESTION),
                Sensitivity.RELAY,
                "relay.question",
                everyone,
            ),
            Outbound(
                DirectMessage("discord", "999", "5"),
                Message(QUESTION),
                Sensitivity.RELAY,
                "relay.question",
                everyone,
            ),
            Outbound(ChannelPost("slack", "T1", "CREG"), Message("Join us"), Sensitivity.PUBLIC, "join_post"),
            Outbound(
                ChannelPost("slack", "TREGULATOR", "C1"), Message("Join us"), Sensitivity.PUBLIC, "join_post"
            ),
            Outbound(
                DirectMessage("slack", "TREGULATOR", "U1"),
                Message("Reminder"),
                Sensitivity.PERSONAL,
                "reminder",
            ),
            Outbound(
                ReplyTo(Invocation(Actor("slack", "T1", "U1"), "help", place=Place("channel", "CREG"))),
                Message("help"),
                Sensitivity.PERSONAL,
                "reply",
            ),
        ]
        for out in attempts:
            assert (await send(out)).status == "refused"
        assert slack.delivered == [] and discord.delivered == []
        assert {reason for _, reason in await _refusals(h)} == {"blocked_community", "blocked_channel"}
        control = await send(
            Outbound(DirectMessage("slack", "T1", "U1"), Message("hi"), Sensitivity.PERSONAL, "reply")
        )
        assert control.sent, "control: an ordinary DM still goes"
    finally:
        await h.stop()


async def test_a_peer_whose_dm_is_a_blocked_channel_never_receives_the_question(empty_database, tmp_path):
    h = make_harness(empty_database, tmp_path, REGULATOR)
    await h.start()
    try:
        await join_community(h, ("alice", "bob"))
        await ask(h, "alice")
        await deliver(h)
        assert all(MARKER_Q not in m.text for m in h.platform.to("bob"))
        assert ("relay.question", "blocked_channel") in await _refusals(h)
        async with h.core.db.session() as session:
            job = (await session.execute(select(Job).where(Job.kind == "relay.question"))).scalar_one()
        assert job.status == "cancelled", "a refusal is final, never retried"
    finally:
        await h.stop()


async def test_shared_conversations_are_refused_for_relay_content(rh):
    rh.platform.shared_conversations.add("bob")
    await ask(rh, "alice")
    await deliver(rh)
    assert "bob" not in receivers_of_question(rh)
    assert len(receivers_of_question(rh)) == 2, "the others still get it"
    assert ("relay.question", "relay_shared_conversation") in await _refusals(rh)


async def test_relay_content_goes_nowhere_but_the_recipients_dms(rh):
    send = rh.core.outbox.send
    allowed = frozenset({"alice", "bob"})
    relay = Message(QUESTION)
    private_form = Invocation(rh.actor("alice"), "ask.submit", place=Place("form"))
    in_channel = Invocation(rh.actor("alice"), "threads", place=Place("channel", "C1"))
    shared_dm = Invocation(rh.actor("alice"), "threads", place=Place("dm", "D1", is_shared=True))
    cases = {
        "relay_not_direct": [
            Outbound(
                ChannelPost("console", "local", "C1"), relay, Sensitivity.RELAY, "relay.question", allowed
            ),
            Outbound(
                GroupMessage("console", "local", ("alice", "bob")),
                relay,
                Sensitivity.RELAY,
                "relay.question",
                allowed,
            ),
            Outbound(ReplyTo(in_channel), relay, Sensitivity.RELAY, "relay.reply", allowed),
            Outbound(ReplyTo(shared_dm), relay, Sensitivity.RELAY, "relay.reply", allowed),
        ],
        "relay_not_recipient": [
            Outbound(
                DirectMessage("console", "local", "carol"),
                relay,
                Sensitivity.RELAY,
                "relay.question",
                allowed,
            ),
        ],
    }
    for reason, outs in cases.items():
        for out in outs:
            assert (await send(out)).reason in (reason, "private_to_channel"), out
    assert all(MARKER_Q not in d.message.text for d in rh.platform.delivered)
    assert (
        await send(Outbound(ReplyTo(private_form), relay, Sensitivity.RELAY, "relay.check", allowed))
    ).sent
    assert (
        await send(
            Outbound(
                DirectMessage("console", "local", "bob"), relay, Sensitivity.RELAY, "relay.question", allowed
            )
        )
    ).sent


async def test_asking_from_a_channel_shows_nothing_there(rh):
    place = Place("channel", "C1")
    await rh.say("alice", "ask")
    await ask(rh, "alice")
    rh.platform.clear()
    listed = await rh.say("alice", "threads", place)
    assert MARKER_Q not in listed.text and "only shown in a direct message" in listed.text


async def test_organisers_see_refusal_counts_without_content(empty_database, tmp_path):
    h = make_harness(empty_database, tmp_path, REGULATOR)
    await h.start()
    try:
        await join_community(h, ("alice", "bob"))
        await ask(h, "alice")
        await deliver(h)
        counts = await h.say("organiser", "admin refusals")
        assert "blocked_channel (relay): 1" in counts.text
        assert MARKER_Q not in counts.text
        refused = await h.say("bob", "admin refusals") if not h.core.is_admin(h.actor("bob")) else None
        assert refused is None or "Only this community's admins" in refused.text
    finally:
        await h.stop()
