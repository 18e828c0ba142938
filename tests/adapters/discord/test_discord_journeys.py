"""Full journeys through the real discord.py client and a fake Discord: organiser setup,
joining through modals, consent, profile and leave."""

from __future__ import annotations

from fake_discord import MANAGE_GUILD
from sqlalchemy import select

from bot.community.models import DiscordGuildSettings
from bot.kernel.storage.models import Profile

ROLE, CHANNEL, TEXT = 8, 7, 3
JOIN_VALUES = {
    "display_name": "Alice Smith",
    "organisation": "Leeds City Council",
    "org_type": ["council"],
    "region": ["yorkshire_humber"],
    "role": "Discharge lead",
    "areas": ["social_care", "health"],
    "challenge": "Joining up hospital discharge between the council and the trust.",
    "stage": ["implementing"],
    "timezone": "Europe/London",
    "cadence": ["fortnightly"],
    "accepts_questions": ["yes"],
}


async def _settings(core) -> DiscordGuildSettings | None:
    async with core.db.session() as session:
        return (await session.execute(select(DiscordGuildSettings))).scalar_one_or_none()


async def test_commands_are_synced_as_one_peer_group_mirroring_the_routes(discord_journey):
    j = discord_journey
    (peer,) = j.fake.commands
    names = {option["name"] for option in peer["options"]}
    assert {"help", "join", "profile", "pause", "resume", "leave", "mydata", "setup"} <= names
    assert not any("." in name or "submit" in name for name in names)
    setup = next(o for o in peer["options"] if o["name"] == "setup")
    assert [o["name"] for o in setup["options"]][:2] == ["who_may_join", "optin_channel"]
    assert peer.get("contexts") == [0] or peer.get("dm_permission") is False


async def test_organiser_sets_up_the_server_and_a_member_may_not(discord_journey):
    j = discord_journey
    fake = j.fake
    organiser_role = fake.add_role("Organisers", MANAGE_GUILD)
    participants = fake.add_role("Practitioners")
    helpers = fake.add_role("Peer admins")
    organiser = j.member("olivia", organiser_role)
    member = j.member("mo")
    practitioner = j.member("pat", participants)
    helper = j.member("hal", helpers)

    await j.slash(member, "setup", who_may_join=(ROLE, participants))
    assert "Only this community's admins" in j.last(member).content
    assert await _settings(j.core) is None

    await j.slash(organiser, "setup", round_schedule=(TEXT, "every monday at nine"))
    assert "Nothing was saved" in j.last(organiser).content
    assert "Round schedule" in j.last(organiser).content
    assert await _settings(j.core) is None

    await j.slash(
        organiser,
        "setup",
        who_may_join=(ROLE, participants),
        optin_channel=(CHANNEL, fake.optin_channel_id),
        admin_role=(ROLE, helpers),
        round_schedule=(TEXT, "0 9 * * mon"),
    )
    reply = j.last(organiser).content
    assert "Saved." in reply and "Posted the join button" in reply
    saved = await _settings(j.core)
    assert (saved.participant_role_id, saved.optin_channel_id, saved.admin_role_id, saved.round_cron) == (
        participants,
        fake.optin_channel_id,
        helpers,
        "0 9 * * mon",
    )
    (post,) = fake.channel_messages(fake.optin_channel_id)
    assert saved.join_message_id
    button = post.body["components"][0]["components"][0]
    assert button["label"] == "Join the peer network"

    await j.slash(organiser, "setup", round_schedule=(TEXT, "30 8 * * tue"))
    assert len(fake.channel_messages(fake.optin_channel_id)) == 1, "the join button is posted only once"

    await j.slash(helper, "setup", "show")
    shown = j.last(helper).content
    assert f"<@&{participants}>" in shown and "30 8 * * tue" in shown

    payload = fake.press(member, button["custom_id"], fake.new_id())
    await j._send(member, payload)
    assert "limited the peer network" in j.last(member).content

    payload = fake.press(practitioner, button["custom_id"], fake.new_id())
    await j._send(practitioner, payload)
    assert j.last(practitioner).kind == "modal"


async def test_everyone_role_means_anyone_may_join(discord_journey):
    j = discord_journey
    organiser = j.member("olivia", j.fake.add_role("Organisers", MANAGE_GUILD))
    await j.slash(organiser, "setup", who_may_join=(ROLE, j.fake.guild_id))
    assert "Who may join: everyone" in j.last(organiser).content
    newcomer = j.member("nia")
    await j.slash(newcomer, "join")
    assert j.last(newcomer).kind == "modal"


async def test_join_through_modals_with_a_field_error_then_consent_profile_and_leave(discord_journey):
    j = discord_journey
    alice = j.member("alice")

    await j.slash(alice, "join")
    modal = j.open_modal(alice)
    assert len(modal["components"]) == 5 and modal["title"].endswith("(1/3)")
    final = await j.fill_form(alice, {**JOIN_VALUES, "challenge": "Too short"})
    modals = [s.body for s in j.seen(alice) if s.kind == "modal"]
    assert len(modals) == 3 and all(len(m["components"]) <= 5 for m in modals)
    error = j.replies(final)[-1]
    assert "Current integration challenge" in error.content and "Too short" in error.content
    async with j.core.db.session() as session:
        assert (await session.execute(select(Profile))).first() is None

    await j.press(alice, "Fix the form")
    reopened = j.open_modal(alice)
    assert reopened["title"].endswith("(2/3)")
    await j.fill_form(alice, {"challenge": JOIN_VALUES["challenge"]})
    assert "Do you agree?" in j.last(alice).content

    await j.press(alice, "I agree, join")
    assert "Welcome, Alice Smith!" in j.last(alice).content

    await j.slash(alice, "profile")
    profile = j.last(alice)
    assert "Leeds City Council" in profile.content and "social care, health" in profile.content
    assert [b["label"] for b in profile.buttons] == ["Edit"]

    await j.slash(alice, "leave")
    assert "Are you sure?" in j.last(alice).content
    await j.press(alice, "Erase my data")
    assert "everything stored about you has been erased" in j.last(alice).content
    async with j.core.db.session() as session:
        assert (await session.execute(select(Profile))).first() is None


async def test_pause_takes_its_words_from_the_args_option(discord_journey):
    j = discord_journey
    alice = j.member("alice")
    await j.slash(alice, "join")
    await j.fill_form(alice, JOIN_VALUES)
    await j.press(alice, "I agree, join")
    await j.slash(alice, "pause", "until 2027-01-31")
    assert "Paused until 2027-01-31" in j.last(alice).content
    await j.slash(alice, "pause", "until someday")
    assert "is not a date" in j.last(alice).content
