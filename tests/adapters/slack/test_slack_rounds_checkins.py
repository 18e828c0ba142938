"""Rounds and check-ins through Slack, in HTTP and Socket Mode: an admin previews and runs a
round, introductions go to group DMs, and the clock brings reminders and follow-ups whose
buttons and note modal work as Slack sends them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_slack import TEAM
from sqlalchemy import select
from test_slack_journeys import JOIN

from bot.checkins.models import CheckinResponse
from bot.kernel.scheduler import advance_clock
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile

ADMINS = {"admins": {"slack": {TEAM: ["UADMIN"]}}}
PEOPLE = {
    "U1": (
        "Ann Archer",
        "Leeds City Council",
        "council",
        "Hospital discharge delays: the council and the "
        "trust argue over who funds the first weeks of home care after discharge.",
    ),
    "U2": (
        "Ben Barker",
        "Leeds Teaching Hospitals",
        "nhs_trust",
        "Discharge to assess keeps stalling "
        "because home care funding after hospital discharge is disputed with the council.",
    ),
    "U3": (
        "Cat Carter",
        "Bolton Jobcentre",
        "dwp",
        "Universal credit claimants fall into rent arrears "
        "during the five week wait and housing officers never hear until eviction.",
    ),
    "U4": (
        "Dan Dyer",
        "Shelter Bolton",
        "voluntary",
        "Rent arrears from universal credit deductions push "
        "families towards eviction; we want a referral route with the jobcentre.",
    ),
}
pytestmark = pytest.mark.parametrize("slack_world", [ADMINS], indirect=True)


async def join_everyone(world) -> None:
    for user, (name, org, org_type, challenge) in PEOPLE.items():
        await world.say(user, "join")
        changes = {"display_name": name, "organisation": org, "org_type": org_type, "challenge": challenge}
        await world.submit(user, {**JOIN, **changes})
        await world.press(user, "I agree, join")


async def db_groups(world) -> list[set[str]]:
    async with world.core.db.session() as session:
        rows = await session.execute(
            select(GroupMember.group_id, Profile.user_id).join(Profile, Profile.id == GroupMember.profile_id)
        )
        groups: dict[int, set[str]] = {}
        for group_id, user in rows:
            groups.setdefault(group_id, set()).add(user)
    return sorted(groups.values(), key=sorted)


def posts_to(world, channel: str) -> list[str]:
    return [
        str(c.params.get("blocks"))
        for c in world.fake.called("chat.postMessage")
        if c.params["channel"] == channel
    ]


async def test_preview_and_round_by_admins_and_a_refusal_for_members(slack_world):
    world = slack_world
    await join_everyone(world)
    world.fake.users["UOWNER"] = {"is_owner": True}  # a workspace owner, admin through users.info
    posts_before = len(world.fake.called("chat.postMessage"))

    await world.say("U1", "admin preview")
    assert "Only this community's admins" in world.last_text("U1")
    for admin in ("UADMIN", "UOWNER"):
        ack = await world.say(admin, "admin preview seed 3", channel="C0001")
        assert ack == {}
        preview = world.last_text(admin)
        assert "Preview: nothing has been sent" in preview and "Ann Archer" in preview
        reply = world.fake.called("response_url")[-1]
        assert reply.params["response_type"] == "ephemeral"
    assert len(world.fake.called("chat.postMessage")) == posts_before, "a preview posts nothing"
    assert await db_groups(world) == []

    await world.say("U2", "admin round")
    assert "Only this community's admins" in world.last_text("U2")
    assert await db_groups(world) == []

    await world.say("UADMIN", "admin round seed 11")
    assert "Round 1 committed: 2 groups" in world.last_text("UADMIN")
    outcomes = await world.wait(world.core.jobs.run_due(world.core))
    assert outcomes == {"done": 2}

    groups = await db_groups(world)
    assert len(groups) == 2 and set().union(*groups) == set(PEOPLE)
    opened = [set(c.params["users"].split(",")) for c in world.fake.called("conversations.open")]
    assert sorted((g for g in opened if len(g) > 1), key=sorted) == groups
    for group in groups:
        channel = "G" + "-".join(sorted(group))
        assert world.fake.conversations[channel]["is_mpim"], "a group DM, never a channel"
        [intro] = posts_to(world, channel)
        assert "Why you were matched" in intro
        for user in group:
            others = [PEOPLE[u][0] for u in group if u != user]
            assert any(name in intro for name in others)
    assert all(c.params["channel"][0] in "DG" for c in world.fake.called("chat.postMessage"))


async def test_reminder_followup_met_rating_and_private_note(slack_world):
    world, core = slack_world, slack_world.core
    await join_everyone(world)
    await world.say("UADMIN", "admin round seed 11")
    await world.wait(core.jobs.run_due(core))
    [group] = [g for g in await db_groups(world) if "U1" in g]
    (partner,) = group - {"U1"}

    await world.wait(advance_clock(core, core.clock, timedelta(days=8)))
    dm = posts_to(world, "DU1")
    reminders = [p for p in dm if "Reminder:" in p]
    assert len(reminders) == 1 and PEOPLE[partner][0].split()[0] in reminders[0]
    assert ".ics" in reminders[0] and "BEGIN:VCALENDAR" in reminders[0], "the calendar file is shown"
    [reminder_call] = [
        c
        for c in world.fake.called("chat.postMessage")
        if c.params["channel"] == "DU1" and "Reminder:" in c.params["text"]
    ]
    assert ".ics" in reminder_call.params["text"], "the fallback text names the file"
    assert any("Did you meet" in p for p in dm)

    await world.press("U1", "Met")
    assert "How useful" in world.last_text("U1")
    assert world.fake.called("response_url")[-1].params["replace_original"] is True
    await world.press("U1", "5")
    note_modal = world.modal("U1")
    assert note_modal["title"]["text"] == "Private note"
    assert world.fake.called("views.open")[-1].params["view"]["callback_id"] == "peer_form"
    ack = await world.submit("U1", {"note": "Ask Ben about the discharge hub"})
    assert ack["response_action"] == "update"
    assert "Only you can see this note" in str(ack["view"]["blocks"])

    async with core.db.session() as session:
        outcome = (
            await session.execute(
                select(MatchGroup.outcome).where(
                    MatchGroup.id.in_(
                        select(GroupMember.group_id)
                        .join(Profile, Profile.id == GroupMember.profile_id)
                        .where(Profile.user_id == "U1")
                    )
                )
            )
        ).scalar_one()
        answers = list((await session.execute(select(CheckinResponse))).scalars())
    assert outcome == "met"
    [mine] = [a for a in answers if a.rating is not None]
    assert mine.met == "met" and mine.rating == 5
    assert mine.private_note == "Ask Ben about the discharge hub"
    assert all("discharge hub" not in str(c.params) for c in world.fake.called("chat.postMessage"))
