"""De-duplication, admin checks and safe failure in the dispatcher."""

import logging

from bot.kernel.config import parse_config
from bot.kernel.dispatch import Route
from bot.kernel.invocation import Actor, Invocation
from bot.kernel.messages import FAILED_REPLY, Mention, Message


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


def test_admins_are_listed_per_community_or_platform_admins(harness):
    slack = harness.core.config
    core = harness.core
    core.config = parse_config({"admins": {"slack": {"T1": ["U1"]}}}, {}, "t")
    try:
        assert core.is_admin(Actor("slack", "T1", "U1"))
        assert not core.is_admin(Actor("slack", "T1", "U2"))
        assert not core.is_admin(Actor("slack", "T2", "U1")), "admin of one workspace only"
        assert core.is_admin(Actor("slack", "T2", "U9", is_platform_admin=True))
    finally:
        core.config = slack


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


async def test_typed_text_cannot_carry_a_mention(harness):
    """A mention pasted as its marker characters reaches no handler, so nobody can make a
    feature name someone (in an anonymous question, say)."""
    seen: list[Invocation] = []

    async def record(core, inv: Invocation) -> None:
        seen.append(inv)

    harness.core.dispatcher.add({"echo": Route(record)})
    planted = f"ask {Mention('U0VICTIM')} now"
    await harness.core.handle(
        Invocation(harness.actor("alice"), "echo", (planted,), {"question": planted, "areas": [planted]})
    )
    [got] = seen
    assert got.args == ("ask user:U0VICTIM now",)
    assert got.form == {"question": "ask user:U0VICTIM now", "areas": ["ask user:U0VICTIM now"]}


async def test_a_failure_outside_any_handler_still_gets_the_one_reply(harness):
    """Whatever fails before a handler runs (here a feature's admin grant), every adapter's
    person gets the kernel's one "something went wrong" reply, and nothing is raised at them."""

    async def broken_grant(actor: Actor) -> bool:
        raise RuntimeError("the database went away")

    harness.core.hooks.admin_grants.append(broken_grant)
    await harness.core.handle(Invocation(harness.actor("alice"), "help"))
    [reply] = harness.platform.to("alice")
    assert reply.text == FAILED_REPLY
