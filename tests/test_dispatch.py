"""De-duplication, admin checks and safe failure in the dispatcher."""

import logging

from bot.dispatch import Route
from bot.invocation import Invocation
from bot.messages import Message


async def test_a_retried_delivery_is_handled_once(harness):
    calls = []

    async def count(core, inv):
        calls.append(inv.dedup_id)
        await core.outbox.reply(inv, Message("counted"))

    harness.core.dispatcher.add({"count": Route(count, "count", "count calls")})
    inv = Invocation(harness.actor("alice"), "count", dedup_id="slack-retry-1")
    await harness.core.handle(inv)
    await harness.core.handle(inv)
    assert calls == ["slack-retry-1"]


async def test_admin_commands_refuse_non_admins(harness):
    async def secret(core, inv):
        await core.outbox.reply(inv, Message("admin only"))

    harness.core.dispatcher.add({"admin.secret": Route(secret, admin=True)})
    slack_user = harness.actor("mallory")
    object.__setattr__(slack_user, "platform", "slack")
    harness.platform.name = "slack"
    harness.core.outbox.register(harness.platform)
    await harness.core.handle(Invocation(slack_user, "admin.secret", dedup_id="x1"))
    assert "Only this community's admins" in harness.platform.last("mallory").text


async def test_a_crashing_handler_gives_a_clear_reply_and_logs_no_content(harness, caplog):
    secret = "-".join(["SECRET", "CONTENT", "123"])

    async def boom(core, inv):
        raise RuntimeError(secret)

    harness.core.dispatcher.add({"boom": Route(boom, "boom", "crash")})
    with caplog.at_level(logging.DEBUG):
        reply = await harness.say("alice", "boom")
    assert "something went wrong" in reply.text
    assert secret not in caplog.text
    assert "RuntimeError" in caplog.text


def test_typed_text_becomes_dotted_routes(harness):
    d = harness.core.dispatcher
    assert d.from_text(harness.actor("a"), "/peer profile edit").command == "profile"
    assert d.from_text(harness.actor("a"), "pause until 2027-01-01").args == ("until", "2027-01-01")
    assert d.from_text(harness.actor("a"), "").command == "help"
    assert d.from_text(harness.actor("a"), 'join "unbalanced').command == "join"
