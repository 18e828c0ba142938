"""The [privacy] guard holds on every Slack path out, including the ones where the conversation
id is known only after Slack opens it: a reply to a form that took too long (it falls back to
the person's DM) and every DM or group DM, whatever it carries. Refusals are counted."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from fake_slack import TEAM
from sqlalchemy import select

from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DirectMessage, GroupMessage, Outbound
from bot.kernel.storage.models import Profile, Refusal

KEY = Fernet.generate_key().decode()
EMAIL = "alice.ashdown@leeds-example.gov.uk"
QUESTION = f"How did you get the acute trust to share discharge data? Write to me at {EMAIL} please."
RELAY = {"env": {"PEERBOT_ENCRYPTION_KEYS": KEY}}
BLOCKED_DM = {**RELAY, "privacy": {"blocked_channels": ["DU1"]}}
BLOCKED_CONVERSATIONS = {"privacy": {"blocked_channels": ["DU7", "GU1-U2"]}}
SLOWER_THAN_THE_ACK_BUDGET = "3"  # seconds of Retry-After; the adapter's budget is 2.5


async def refusals(world) -> list[tuple[str, str]]:
    async with world.core.db.session() as session:
        return [(r.kind, r.reason) for r in (await session.execute(select(Refusal))).scalars()]


async def add_joined(world, user: str) -> None:
    """A member who has joined (joining through the modals is covered by test_slack_journeys.py)."""
    now = world.core.clock.now()
    profile = Profile(
        platform="slack",
        community=TEAM,
        user_id=user,
        display_name="Alice Ashdown",
        organisation="Leeds City Council",
        org_type="council",
        region="yorkshire_humber",
        role="Discharge lead",
        areas=["health", "social_care"],
        challenge="Sharing hospital discharge data with the acute trust.",
        stage="implementing",
        timezone="Europe/London",
        cadence="fortnightly",
        accepts_questions=True,
        status="active",
        dont_pair_with=[],
        consented_at=now,
        privacy_notice_version=1,
        created_at=now,
        updated_at=now,
    )
    async with world.core.db.session() as session, session.begin():
        session.add(profile)


async def ask_through_a_slow_form(world) -> dict:
    """U1 opens the question form from a channel and submits a question quoting an email
    address, while users.info is rate-limited for longer than the ack budget."""
    await add_joined(world, "U1")
    await world.say("U1", "ask", channel="CWORK")
    world.adapter._people.clear()  # the cached users.info answer has expired
    world.fake.fail("users.info", 429, headers={"Retry-After": SLOWER_THAN_THE_ACK_BUDGET})
    ack = await world.submit("U1", {"question": QUESTION, "share_org_type": "no", "share_region": "no"})
    assert [c.status for c in world.fake.calls if c.method == "users.info"][-2:] == [429, 200]
    assert ack == {}, "the modal was closed within Slack's 3 seconds, so the reply goes late"
    return ack


def posts_quoting_the_email(world) -> list:
    return [c for c in world.fake.called("chat.postMessage") if EMAIL in repr(c.params)]


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
@pytest.mark.parametrize("slack_world", [RELAY], indirect=True)
async def test_a_late_form_reply_reaches_an_ordinary_dm(slack_world):
    """The control: the slow path really ends in the person's DM."""
    await ask_through_a_slow_form(slack_world)
    [post] = posts_quoting_the_email(slack_world)
    assert post.params["channel"] == "DU1" and "Before it goes" in post.params["text"]
    assert await refusals(slack_world) == []


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
@pytest.mark.parametrize("slack_world", [BLOCKED_DM], indirect=True)
async def test_a_late_form_reply_is_refused_for_a_blocked_dm_and_counted(slack_world):
    await ask_through_a_slow_form(slack_world)
    assert slack_world.fake.called("chat.postMessage") == [], "not even the notice that replaces it"
    assert ("relay.check", "blocked_channel") in await refusals(slack_world)
    assert {reason for _, reason in await refusals(slack_world)} == {"blocked_channel"}


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
@pytest.mark.parametrize("slack_world", [RELAY], indirect=True)
async def test_a_late_form_reply_is_refused_for_an_externally_shared_dm_and_counted(slack_world):
    slack_world.fake.conversations["DU1"] = {"id": "DU1", "is_im": True, "user": "U1", "is_ext_shared": True}
    await ask_through_a_slow_form(slack_world)
    assert posts_quoting_the_email(slack_world) == []
    assert not [
        c for c in slack_world.fake.called("chat.postMessage") if "Before it goes" in c.params["text"]
    ]
    assert [c.params["channel"] for c in slack_world.fake.called("conversations.info")] == ["DU1"]
    assert await refusals(slack_world) == [("relay.check", "relay_shared_conversation")]


async def send(world, destination, kind: str) -> str:
    out = Outbound(destination, Message(f"An ordinary {kind}"), Sensitivity.PERSONAL, kind)
    return (await world.core.outbox.send(out)).status


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
@pytest.mark.parametrize("slack_world", [BLOCKED_CONVERSATIONS], indirect=True)
@pytest.mark.parametrize(
    "blocked, opened, kind",
    [
        (DirectMessage("slack", TEAM, "U7"), "U7", "checkin.reminder"),
        (GroupMessage("slack", TEAM, ("U1", "U2")), "U1,U2", "introduction"),
    ],
    ids=["dm", "group-dm"],
)
async def test_every_message_to_a_blocked_dm_or_group_dm_is_refused_and_counted(
    slack_world, blocked, opened, kind
):
    fake = slack_world.fake
    assert await send(slack_world, blocked, kind) == "refused"
    assert fake.called("chat.postMessage") == [], "nothing was posted to a blocked conversation"
    assert [c.params["users"] for c in fake.called("conversations.open")] == [opened]
    assert await refusals(slack_world) == [(kind, "blocked_channel")]

    assert await send(slack_world, DirectMessage("slack", TEAM, "U8"), "notice") == "sent"
    assert await send(slack_world, GroupMessage("slack", TEAM, ("U1", "U3")), "introduction") == "sent"
    assert [c.params["channel"] for c in fake.called("chat.postMessage")] == ["DU8", "GU1-U3"]
    assert len(await refusals(slack_world)) == 1
