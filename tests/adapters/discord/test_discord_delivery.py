"""Outbound delivery through the real discord.py client: DMs, one DM each for a group, DMs
that a member has closed (error 50007), rate limits (429), and no message text in any log."""

from __future__ import annotations

from log_capture import every_logger_at_debug

from adapters.discord.sender import ALLOW_DMS_HELP
from bot.kernel.jobs import enqueue
from bot.kernel.messages import Button, Message, Sensitivity
from bot.kernel.outbox import ChannelPost, DirectMessage, GroupMessage, Outbound
from bot.kernel.retry_policy import settle_delivery


def _dm(j, user_id: str, text: str, buttons=()) -> Outbound:
    return Outbound(
        DirectMessage("discord", j.fake.guild_id, user_id),
        Message(text, buttons=buttons),
        Sensitivity.PERSONAL,
        kind="test.dm",
    )


async def test_a_direct_message_and_a_group_message_reach_one_dm_each(discord_journey):
    j = discord_journey
    alice, bob, cara = j.member("alice"), j.member("bob"), j.member("cara")

    delivery = await j.core.outbox.send(_dm(j, alice, "Hello Alice", (Button("See my profile", "profile"),)))
    assert delivery.sent
    (dm,) = j.dms(alice)
    assert dm.content == "Hello Alice"
    create_dm = [c.body for c in j.fake.calls if c.path == "/users/@me/channels"]
    assert {"recipient_id": alice} in [{"recipient_id": str(b["recipient_id"])} for b in create_dm]

    group = Outbound(
        GroupMessage("discord", j.fake.guild_id, (bob, cara)),
        Message("You two have been introduced."),
        Sensitivity.PERSONAL,
        kind="test.group",
    )
    assert (await j.core.outbox.send(group)).sent
    assert [d.content for d in j.dms(bob)] == ["You two have been introduced."]
    assert [d.content for d in j.dms(cara)] == ["You two have been introduced."]

    # A button pressed in the DM (no server in the interaction) still acts in the right server.
    await j.press(alice, "See my profile", in_dm=True)
    assert "You haven't joined yet" in j.last(alice).content
    assert j.last(alice).body.get("flags") == 64


async def test_a_group_message_with_a_closed_dm_says_who_did_get_it(discord_journey):
    j = discord_journey
    bob, cara = j.member("bob"), j.member("cara")
    j.fake.refuse_dms.add(cara)
    group = Outbound(
        GroupMessage("discord", j.fake.guild_id, (bob, cara)),
        Message("Introduction"),
        Sensitivity.PERSONAL,
        kind="test.group",
    )
    first = await j.core.outbox.send(group)
    assert (first.status, first.reason, first.delivered_to) == ("failed", "dms_closed", (bob,))
    assert len(j.dms(bob)) == 1
    assert [c.body["content"] for c in j.fake.dms_to(cara)] == ["Introduction"]  # answered 403


async def test_a_member_without_dms_open_is_told_how_to_allow_them(discord_journey):
    j = discord_journey
    bob = j.member("bob")
    j.fake.refuse_dms.add(bob)

    delivery = await j.core.outbox.send(_dm(j, bob, "Your check-in is tomorrow"))
    assert (delivery.status, delivery.reason) == ("failed", "dms_closed")

    interaction = await j.slash(bob, "help")
    replies = j.replies(interaction)
    assert "Peer bot" in replies[0].content
    assert replies[-1].content == ALLOW_DMS_HELP and replies[-1].body.get("flags") == 64

    again = await j.slash(bob, "help")
    assert len(j.replies(again)) == 1, "told once per failed delivery"

    j.fake.refuse_dms.discard(bob)
    assert (await j.core.outbox.send(_dm(j, bob, "Your check-in is tomorrow"))).sent


async def test_rate_limits_lose_nothing(discord_journey):
    j = discord_journey
    alice = j.member("alice")
    j.fake.rate_limit_next = 2
    delivery = await j.core.outbox.send(_dm(j, alice, "Sent despite 429s"))
    assert delivery.sent
    attempts = j.fake.dms_to(alice)
    assert [c.body["content"] for c in attempts] == ["Sent despite 429s"] * 3
    assert j.fake.rate_limit_next == 0


async def test_a_personal_message_is_never_posted_in_a_channel(discord_journey):
    j = discord_journey
    out = Outbound(
        ChannelPost("discord", j.fake.guild_id, j.fake.channel_id),
        Message("about one person"),
        Sensitivity.PERSONAL,
        kind="test.post",
    )
    assert (await j.core.outbox.send(out)).status == "refused"
    assert j.fake.channel_messages(j.fake.channel_id) == []


async def test_a_marker_sent_through_the_adapter_appears_in_no_log_record(discord_journey):
    j = discord_journey
    alice = j.member("alice")
    with every_logger_at_debug() as capture:
        await j.core.outbox.send(_dm(j, alice, "MARKER-c41d relay text"))
        await j.slash(alice, "pause", "MARKER-c41d")
    assert capture.texts, "DEBUG logging was on"
    assert not any("MARKER-c41d" in text for text in capture.texts)


async def test_a_send_repeated_after_a_crash_carries_the_same_nonce_and_posts_once(discord_journey):
    """The process died after sending but before recording it: the job runs again, and Discord
    returns the first message for the repeated nonce instead of posting a second one."""
    j = discord_journey
    alice = j.member("alice")
    runs = []

    async def handler(core, job):
        delivery = await core.outbox.send(_dm(j, alice, "Your introduction"))
        settle_delivery(core, job, delivery)
        runs.append(job.sending_since)
        if len(runs) == 1:
            raise RuntimeError("the process died before recording the send")

    j.core.jobs.register("test", handler)
    async with j.core.db.session() as session, session.begin():
        now = j.core.clock.now()
        await enqueue(session, "test", "intro-for-alice", now, {}, now)
    assert await j.core.jobs.run_due(j.core) == {"retry": 1}
    j.core.clock.advance(minutes=1)
    assert await j.core.jobs.run_due(j.core) == {"done": 1}

    assert runs[1] is not None, "the second run knows a send may already have happened"
    sends = [c for c in j.fake.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len(sends) == 2 and sends[0].body["nonce"] == sends[1].body["nonce"]
    assert sends[0].body["enforce_nonce"] is True
    assert [d.content for d in j.dms(alice)] == ["Your introduction"]
