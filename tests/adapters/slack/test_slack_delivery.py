"""Generic delivery through the Slack adapter: group DMs, DMs, the relay's conversation check,
rate limits, de-duplication of retried deliveries and acknowledgement before slow work."""

from __future__ import annotations

import asyncio

import pytest
from fake_slack import TEAM, command_body, home_opened_event, submission_payload

import adapters.slack.adapter as slack_adapter
from bot.kernel.dispatch import Route
from bot.kernel.invocation import Invocation
from bot.kernel.jobs import enqueue
from bot.kernel.messages import Button, Message, Sensitivity
from bot.kernel.outbox import DirectMessage, GroupMessage, Outbound
from bot.kernel.retry_policy import settle_delivery


async def send(world, destination, message: Message, sensitivity=Sensitivity.PERSONAL, recipients=()):
    out = Outbound(destination, message, sensitivity, "test", frozenset(recipients))
    return await world.core.outbox.send(out)


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_group_message_opens_a_group_dm_with_the_members_never_a_channel(slack_world):
    fake = slack_world.fake
    message = Message("Meet each other!", buttons=(Button("We met", "checkin.met", ("42",)),))
    delivery = await send(slack_world, GroupMessage("slack", TEAM, ("U1", "U2", "U3")), message)
    assert delivery.sent
    [opened] = fake.called("conversations.open")
    assert opened.params["users"] == "U1,U2,U3"
    [post] = fake.called("chat.postMessage")
    assert post.params["channel"] == "GU1-U2-U3"
    [actions] = [b for b in post.params["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["value"] == '{"c":"checkin.met","a":["42"]}'


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_direct_message_goes_to_the_persons_dm_channel(slack_world):
    """The first DM is posted to the user id (Slack puts it in the app's DM: no conversations.open,
    which is rate-limited to about 50 a minute); the DM channel it answers with is remembered."""
    fake = slack_world.fake
    assert (await send(slack_world, DirectMessage("slack", TEAM, "U7"), Message("Hello & <welcome>"))).sent
    assert (await send(slack_world, DirectMessage("slack", TEAM, "U7"), Message("Again"))).sent
    assert fake.called("conversations.open") == []
    first, second = fake.called("chat.postMessage")
    assert first.params["channel_as_sent"] == "U7" and "channel_as_sent" not in second.params
    assert first.params["channel"] == second.params["channel"] == "DU7"
    assert first.params["blocks"][0]["text"]["text"] == "Hello &amp; &lt;welcome&gt;"


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_relay_content_is_refused_in_a_shared_conversation(slack_world):
    fake = slack_world.fake
    fake.conversations["DU1"] = {"id": "DU1", "is_im": True, "is_ext_shared": True}
    fake.conversations["DU2"] = {"id": "DU2", "is_im": True, "connected_team_ids": [TEAM, "TOTHER"]}
    fake.conversations["DU3"] = {"id": "DU3", "is_im": True, "connected_team_ids": [TEAM]}
    question = Message("RELAY-MARKER a question")
    for user, expected in (("U1", "refused"), ("U2", "refused"), ("U3", "sent")):
        delivery = await send(
            slack_world, DirectMessage("slack", TEAM, user), question, Sensitivity.RELAY, {user}
        )
        assert delivery.status == expected, user
    assert [c.params["channel"] for c in fake.called("conversations.info")] == ["DU1", "DU2", "DU3"]
    assert [c.params["channel"] for c in fake.called("chat.postMessage")] == ["DU3"]


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_relay_content_is_refused_when_slack_cannot_describe_the_conversation(slack_world):
    slack_world.fake.fail("conversations.info", 200, body={"ok": False, "error": "internal_error"})
    delivery = await send(
        slack_world, DirectMessage("slack", TEAM, "U1"), Message("secret"), Sensitivity.RELAY, {"U1"}
    )
    assert delivery.status == "refused"
    assert not slack_world.fake.called("chat.postMessage")


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_rate_limited_messages_wait_retry_after_and_are_not_dropped(slack_world):
    fake = slack_world.fake
    fake.fail("chat.postMessage", 429, headers={"Retry-After": "1"})
    fake.fail("chat.postMessage", 429, headers={"Retry-After": "0"})
    assert (await send(slack_world, DirectMessage("slack", TEAM, "U1"), Message("hi"))).sent
    attempts = [c for c in fake.calls if c.method == "chat.postMessage"]
    assert [c.status for c in attempts] == [429, 429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # waited Retry-After
    assert slack_world.adapter.platform.rate_limit_retries == 2


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_a_rate_limited_ephemeral_reply_is_retried(slack_world):
    slack_world.fake.fail("response_url", 429)
    await slack_world.say("U1", "help")
    statuses = [c.status for c in slack_world.fake.calls if c.method == "response_url"]
    assert statuses == [429, 200]
    assert slack_world.adapter.platform.rate_limit_retries == 1


async def test_a_retried_command_is_handled_once(slack_world):
    body = command_body(slack_world.fake, "U1", "help")
    await slack_world.driver.command(body)
    await slack_world.driver.command(body, retry=1)
    await slack_world.adapter.drain()
    assert len(slack_world.fake.called("response_url")) == 1


async def test_a_retried_event_is_handled_once(slack_world):
    event = home_opened_event("U1")
    await slack_world.driver.event(event)
    await slack_world.driver.event(event, retry=1)
    await slack_world.adapter.drain()
    assert len(slack_world.fake.called("views.publish")) == 1


async def test_commands_are_acknowledged_before_slow_work_finishes(slack_world):
    release = asyncio.Event()

    async def slow(core, inv: Invocation) -> None:
        await release.wait()
        await core.outbox.reply(inv, Message("finished"))

    slack_world.core.dispatcher.add({"slow": Route(slow, "slow", "test")})
    ack = await asyncio.wait_for(slack_world.driver.command(command_body(slack_world.fake, "U1", "slow")), 3)
    assert ack == {}
    assert not slack_world.fake.called("response_url")
    release.set()
    await slack_world.adapter.drain()
    assert slack_world.fake.called("response_url")[0].params["text"] == "finished"


async def test_a_slow_form_is_closed_in_time_and_answered_by_dm(slack_world, monkeypatch):
    monkeypatch.setattr(slack_adapter, "ACK_BUDGET_SECONDS", 0.2)
    release = asyncio.Event()

    async def slow_submit(core, inv: Invocation) -> None:
        await release.wait()
        await core.outbox.reply(inv, Message("saved late"))

    slack_world.core.dispatcher.add({"slow.submit": Route(slow_submit, hidden=True)})
    view = {
        "id": "V1",
        "type": "modal",
        "callback_id": "peer_form",
        "private_metadata": '{"c":"slow.submit","a":[]}',
        "blocks": [],
    }
    payload = submission_payload("U1", view, {})
    ack = await asyncio.wait_for(slack_world.driver.interaction(payload), 2)
    assert ack == {}  # closes the modal within Slack's 3 seconds
    assert not slack_world.fake.called("chat.postMessage")
    release.set()
    await slack_world.adapter.drain()
    [post] = slack_world.fake.called("chat.postMessage")
    assert post.params["channel"] == "DU1" and post.params["text"] == "saved late"


async def _dm_job(world, user: str, key: str = "greet") -> None:
    async def handler(core, job):
        delivery = await send(world, DirectMessage("slack", TEAM, job.payload["user"]), Message("Hello"))
        settle_delivery(core, job, delivery)

    world.core.jobs.register("test", handler)
    async with world.core.db.session() as session, session.begin():
        now = world.core.clock.now()
        await enqueue(session, "test", key, now, {"user": user}, now)


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_a_post_that_failed_after_slack_took_it_is_found_not_posted_again(slack_world):
    """Slack answered 500 after posting: the retry looks for the job's key in the DM's history."""
    fake, core = slack_world.fake, slack_world.core
    await _dm_job(slack_world, "U7")
    fake.chaos.posted_then_failed = 1.0
    assert await core.jobs.run_due(core) == {"retry": 1}
    fake.chaos.posted_then_failed = 0.0
    core.clock.advance(minutes=1)

    assert await core.jobs.run_due(core) == {"done": 1}

    assert len(fake.called("chat.postMessage")) == 1, "the message must not be posted twice"
    [looked] = fake.called("conversations.history")
    assert looked.params["channel"] == "DU7" and looked.params["include_all_metadata"] in (True, "true", "1")
    assert fake.history["DU7"][0]["metadata"]["event_type"] == "peerbot_delivery"


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_a_post_that_failed_before_slack_took_it_is_posted_on_retry(slack_world):
    fake, core = slack_world.fake, slack_world.core
    await _dm_job(slack_world, "U7")
    fake.fail("chat.postMessage", status=500, body={"ok": False, "error": "internal_error"})
    assert await core.jobs.run_due(core) == {"retry": 1}
    core.clock.advance(minutes=1)
    assert await core.jobs.run_due(core) == {"done": 1}
    assert len(fake.called("chat.postMessage")) == 1 and len(fake.history["DU7"]) == 1


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_a_deactivated_account_is_not_retried_and_is_recorded(slack_world):
    fake, core = slack_world.fake, slack_world.core
    await _dm_job(slack_world, "U7")
    fake.fail("chat.postMessage", status=200, body={"ok": False, "error": "account_inactive"})
    assert await core.jobs.run_due(core) == {"failed": 1}
    core.clock.advance(hours=2)
    assert await core.jobs.run_due(core) == {}
