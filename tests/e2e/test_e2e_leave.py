"""`/peer leave` in the middle of a cycle, with `peerbot run` as a real process on the real
clock: after the introduction and before the reminder, one member of a pair erases their data."""

from __future__ import annotations

import pytest
from e2e_people import FOUR, import_people
from e2e_slack import TEAM, posts, received, slack_people

from bot.kernel.storage.models import Profile

pytestmark = pytest.mark.e2e
SLOWER = {"checkins": {"first_checkin_after": "8s", "reminder_before": "4s"}}  # room to leave first


async def test_leave_after_the_introduction_and_before_the_reminder(
    bots, fake_slack, http_session, shared_db
):
    await import_people(bots, FOUR, "slack", TEAM)
    people = await slack_people(bots, fake_slack, "http", http_session, SLOWER)
    await people.say("UADMIN", "admin round seed 11")
    await bots.wait_for(
        lambda: all(received(fake_slack).get(u, {}).get("introduction") for u in ("U1", "U2", "U3", "U4")),
        15,
        "introductions",
    )
    assert not any(p.kind == "reminder" for p in posts(fake_slack)), "too slow: reminders already went"

    await people.say("U1", "leave")
    await bots.wait_for(lambda: people.button("U1", "Erase my data"), 10, "the leave confirmation")
    await people.press("U1", "Erase my data")
    await bots.wait_for(
        lambda: people.sees("U1", "everything stored about you has been erased"), 10, "erasure"
    )
    erased_at = max(c.at for c in fake_slack.calls)
    assert await shared_db.count(Profile, Profile.user_id == "U1") == 0

    await bots.wait_for(
        lambda: all(received(fake_slack).get(u, {}).get("followup") for u in ("U3", "U4")),
        25,
        "the other pair's follow-ups (the cycle went on past U1's reminder and follow-up times)",
    )
    after = [(p.user, p.kind) for p in posts(fake_slack) if p.at > erased_at]
    assert not [p for p in after if p[0] == "U1"], "the leaver received nothing afterwards"
    assert not [p for p in after if p[0] == "U2"], (
        "the partner is not reminded of, or asked about, a check-in with someone who left",
        after,
    )
    assert sorted(after) == [("U3", "followup"), ("U3", "reminder"), ("U4", "followup"), ("U4", "reminder")]
    assert await shared_db.groups() == [{"U2"}, {"U3", "U4"}], "U1 left their group; U2 stays in it"
    statuses = {
        (kind, payload.get("profile_id"), status) for kind, status, _, _, payload in await shared_db.jobs()
    }
    assert {("checkin.reminder", 2, "cancelled"), ("checkin.followup", 2, "cancelled")} <= statuses
