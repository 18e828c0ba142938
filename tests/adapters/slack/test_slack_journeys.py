"""Whole journeys through the real slack-bolt app and the real core, in HTTP and Socket Mode."""

from __future__ import annotations

from sqlalchemy import select

from bot.kernel.storage.models import Profile

JOIN = {
    "display_name": "Alice Smith",
    "organisation": "Leeds City Council",
    "org_type": "council",
    "region": "yorkshire_humber",
    "role": "Discharge lead",
    "areas": ["social_care", "health"],
    "challenge": "Joining up hospital discharge between the council and the trust.",
    "stage": "implementing",
    "timezone": "Europe/London",
    "cadence": "fortnightly",
    "accepts_questions": "yes",
}


async def _profiles(world) -> list[Profile]:
    async with world.core.db.session() as session:
        return list((await session.execute(select(Profile))).scalars())


async def join(world, user: str, name: str = "Alice Smith") -> None:
    await world.say(user, "join")
    await world.submit(user, {**JOIN, "display_name": name})
    await world.press(user, "I agree, join")


async def test_join_through_the_modal_with_a_field_error_then_fixed(slack_world):
    ack = await slack_world.say("U1", "join")
    assert ack == {}  # acknowledged at once; the modal opens with the trigger_id
    opened = slack_world.fake.called("views.open")
    assert len(opened) == 1 and opened[0].params["trigger_id"]
    modal = slack_world.modal("U1")
    kinds = {b["block_id"]: b["element"]["type"] for b in modal["blocks"] if b["type"] == "input"}
    assert kinds["areas"] == "multi_static_select"
    assert kinds["org_type"] == "static_select"
    assert kinds["accepts_questions"] == "radio_buttons"
    assert kinds["challenge"] == "plain_text_input"

    ack = await slack_world.submit("U1", {**JOIN, "challenge": "too short"})
    assert ack["response_action"] == "errors"
    assert "at least" in ack["errors"]["challenge"]
    assert set(ack["errors"]) == {"challenge"}
    assert await _profiles(slack_world) == []

    ack = await slack_world.submit("U1", JOIN)
    assert ack["response_action"] == "update"
    assert "Do you agree?" in slack_world.last_text("U1")

    await slack_world.press("U1", "I agree, join")
    assert "Welcome, Alice Smith" in slack_world.last_text("U1")
    [profile] = await _profiles(slack_world)
    assert (profile.platform, profile.community, profile.user_id) == ("slack", "T0001", "U1")
    assert profile.status == "active"


async def test_profile_is_an_ephemeral_reply_with_an_edit_button(slack_world):
    await join(slack_world, "U1")
    await slack_world.say("U1", "profile")
    [reply] = [c for c in slack_world.fake.called("response_url") if "Integration areas" in str(c.params)]
    assert reply.params["response_type"] == "ephemeral"
    assert "Leeds City Council" in slack_world.last_text("U1")
    await slack_world.press("U1", "Edit")
    assert slack_world.modal("U1")["title"]["text"] == "Edit your profile"
    ack = await slack_world.submit("U1", {"role": "Head of integration"})
    assert ack["response_action"] == "update"
    [profile] = await _profiles(slack_world)
    assert profile.role == "Head of integration"


async def test_leave_asks_first_and_erases_on_confirmation(slack_world):
    await join(slack_world, "U1")
    await slack_world.say("U1", "leave")
    assert "cannot be undone" in slack_world.last_text("U1")
    await slack_world.press("U1", "Keep my data")
    assert len(await _profiles(slack_world)) == 1
    await slack_world.say("U1", "leave")
    await slack_world.press("U1", "Erase my data")
    assert "erased" in slack_world.last_text("U1")
    assert await _profiles(slack_world) == []
    # the button's reply replaced the confirmation it was on, so it cannot be pressed twice
    assert slack_world.fake.called("response_url")[-1].params["replace_original"] is True


async def test_app_home_shows_only_the_persons_own_profile(slack_world):
    home = await slack_world.open_home("U1")
    assert home["type"] == "home"
    assert any(
        e["text"]["text"] == "Join" for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    await join(slack_world, "U1", "Alice Smith")
    await join(slack_world, "U2", "Bob Jones")
    home = await slack_world.open_home("U1")
    text = str(home["blocks"])
    assert "Alice Smith" in text and "Integration areas" in text and "Status: active" in text
    assert "Bob Jones" not in text
    [publish] = slack_world.fake.called("views.publish")[-1:]
    assert publish.params["user_id"] == "U1"


async def test_help_from_a_channel_is_ephemeral_and_admin_status_comes_from_users_info(slack_world):
    slack_world.fake.users["UADMIN"] = {"is_admin": True}
    await slack_world.say("UADMIN", "help", channel="C0001")
    admin_help = slack_world.last_text("UADMIN")
    await slack_world.say("U1", "help", channel="C0001")
    member_help = slack_world.last_text("U1")
    assert slack_world.fake.called("response_url")[-1].params["response_type"] == "ephemeral"
    assert not slack_world.fake.called("chat.postMessage")
    assert len(admin_help) >= len(member_help)
    infos = [c.params["user"] for c in slack_world.fake.called("users.info")]
    await slack_world.say("UADMIN", "help")
    assert [c.params["user"] for c in slack_world.fake.called("users.info")] == infos  # cached
