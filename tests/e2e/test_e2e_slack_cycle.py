"""A whole check-in cycle through Slack with `peerbot run` as a real process on the real clock,
in HTTP and Socket Mode: import, round, introductions, reminder with its calendar file,
"did you meet?", an answer and a rating, and both choosing to continue together.

Also the regression test for introductions held forever on a moving clock (fixed in 5d8fbb0):
with quiet hours off they must arrive within seconds of the round being committed.
"""

from __future__ import annotations

import time

import pytest
from e2e_people import FOUR, import_people
from e2e_slack import TEAM, posts, received, slack_people

pytestmark = pytest.mark.e2e
USERS = [p.user_id for p in FOUR]


def everyone_got(fake, kind: str, users=USERS) -> bool:
    counts = received(fake)
    return all(counts.get(user, {}).get(kind, 0) >= 1 for user in users)


async def commit_round(bots, people) -> float:
    """An admin commits a round with the slash command; returns when the bot said it was done."""
    await people.say("UADMIN", "admin round seed 11")
    await bots.wait_for(lambda: people.sees("UADMIN", "Round 1 committed"), 15, "the round to be committed")
    return time.monotonic()


async def test_import_round_reminder_followup_rating_and_continue(
    bots, fake_slack, slack_mode, http_session, shared_db
):
    await import_people(bots, FOUR, "slack", TEAM)
    people = await slack_people(bots, fake_slack, slack_mode, http_session)
    await commit_round(bots, people)

    await bots.wait_for(lambda: everyone_got(fake_slack, "introduction"), 10, "introductions to all four")
    groups = await shared_db.groups()
    assert sorted(map(sorted, groups)) == [["U1", "U2"], ["U3", "U4"]]
    await bots.wait_for(shared_db.checkins, 5, "the first check-ins to be scheduled")

    await bots.wait_for(lambda: everyone_got(fake_slack, "reminder"), 15, "reminders to all four")
    reminders = [p for p in posts(fake_slack) if p.kind == "reminder"]
    assert all("BEGIN:VCALENDAR" in p.text and ".ics" in p.text for p in reminders), reminders[0].text
    assert "Ben Barker" in next(p.text for p in reminders if p.user == "U1")

    await bots.wait_for(lambda: everyone_got(fake_slack, "followup"), 15, "follow-ups to all four")
    for user in ("U1", "U2"):
        await people.press(user, "Met")
        await bots.wait_for(lambda u=user: people.button(u, "5"), 10, f"the rating buttons for {user}")
        await people.press(user, "5")
        await bots.wait_for(lambda u=user: people.modal(u, "Private note"), 10, f"the note offer to {user}")

    await bots.wait_for(lambda: everyone_got(fake_slack, "continue", ["U1", "U2"]), 10, "continue offers")
    for user in ("U1", "U2"):
        await people.press(user, "Yes, continue")

    async def both_continue() -> bool:
        return [await shared_db.wants_continue(u) for u in ("U1", "U2")] == [[True], [True]]

    await bots.wait_for(both_continue, 10, "both choices to continue in group_members")
    for user in ("U1", "U2"):
        [(met, rating, wants)] = await shared_db.responses(user)
        assert (met, rating, wants) == ("met", 5, True)
    assert await shared_db.wants_continue("U3") == [None], "nobody chose for the other pair"

    counts = received(fake_slack)
    for user in USERS:
        once = {kind: counts[user][kind] for kind in ("introduction", "reminder", "followup")}
        assert once == {"introduction": 1, "reminder": 1, "followup": 1}, (user, counts[user])
    assert all(p.user in USERS for p in posts(fake_slack)), "the admin received no DMs"


@pytest.mark.parametrize("slack_mode", ["http"])
async def test_introductions_arrive_within_seconds_of_the_round_on_the_real_clock(
    bots, fake_slack, slack_mode, http_session
):
    """Before 5d8fbb0 an introduction compared a clock reading with a later one, called every
    moment quiet hours and was held forever: with quiet hours off it never arrived."""
    await import_people(bots, FOUR, "slack", TEAM)
    people = await slack_people(bots, fake_slack, slack_mode, http_session)
    committed = await commit_round(bots, people)
    await bots.wait_for(lambda: everyone_got(fake_slack, "introduction"), 5, "introductions within 5 s")
    arrived = max(p.at for p in posts(fake_slack) if p.kind == "introduction")
    assert arrived - committed < 5
