"""The whole cycle with a fake clock: a scheduled round, introductions, reminders, follow-ups,
ratings, notes, continuing together, and the next round respecting it."""

from datetime import UTC, datetime

import pytest_asyncio
from checkin_helpers import (
    advance,
    advance_to,
    checkins_of,
    group,
    kinds_received,
    members,
    record_rounds,
)
from sqlalchemy import select

from bot.kernel.storage.groups import GroupMember, MatchGroup
from harness import Harness


@pytest_asyncio.fixture
async def weekly_rounds(empty_database, tmp_path):
    """A harness with rounds every other Monday 09:00 London, starting Monday 5 January 2026 08:00 UTC."""
    h = Harness.create(
        empty_database,
        tmp_path,
        {"rounds": {"enabled": True, "cron": "0 9 * * mon", "every_weeks": 2, "timezone": "Europe/London"}},
    )
    await h.start()
    h.clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    yield h
    await h.stop()


async def newest_group_of(h, user) -> list[str]:
    async with h.core.db.session() as session:
        from bot.kernel.storage.models import Profile

        pid = (await session.execute(select(Profile.id).where(Profile.user_id == user))).scalar_one()
        newest = (
            await session.execute(
                select(MatchGroup.id)
                .join(GroupMember, GroupMember.group_id == MatchGroup.id)
                .where(GroupMember.profile_id == pid)
                .order_by(MatchGroup.id.desc())
                .limit(1)
            )
        ).scalar_one()
        rows = await session.execute(
            select(Profile.user_id)
            .join(GroupMember, GroupMember.profile_id == Profile.id)
            .where(GroupMember.group_id == newest)
        )
        return sorted(rows.scalars())


async def test_round_introduction_reminder_followup_rating_and_next_round(weekly_rounds):
    h = weekly_rounds
    await h.join("alice", organisation="Leeds City Council")
    await h.join("bob", organisation="Leeds Teaching Hospitals", org_type="nhs_trust")
    commits = record_rounds(h.app.rounds)

    await advance(h, hours=2)  # the 09:00 London round fires
    assert commits == ["schedule"]
    assert kinds_received(h.platform, "alice")[-1] == "introduction"
    [first_group] = {g.group_id for g in await _groups(h)}
    [checkin] = await checkins_of(h.core, first_group)
    assert checkin.scheduled_at == datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # a week later, 10:00 GMT
    assert checkin.cadence == "fortnightly" and checkin.timezone == "Europe/London"

    shown = await h.say("alice", "checkin")
    assert "Monday 12 January 2026, 10:00 (Europe/London)" in shown.text and "Bob" in shown.text

    await advance_to(h, datetime(2026, 1, 11, 10, 0, tzinfo=UTC))  # 24 h before
    reminder = h.platform.last("bob")
    assert reminder.text.startswith("Reminder:") and "Alice" in reminder.text
    [ics] = reminder.attachments
    assert ics.content_type == "text/calendar" and b"DTSTART:20260112T100000Z" in ics.data

    await advance_to(h, datetime(2026, 1, 12, 12, 0, tzinfo=UTC))  # 2 h after
    assert kinds_received(h.platform, "alice")[-1] == "followup"
    assert kinds_received(h.platform, "bob")[-1] == "followup"

    rating = await h.press("alice", "Met")
    assert "How useful" in rating.text
    offer_note = await h.press("alice", "5")
    assert offer_note.form is not None and offer_note.form.submit_command == "checkin.note"
    saved = await h.submit(
        "alice", "checkin.note", {"note": "Ask about the discharge hub"}, offer_note.form.args
    )
    assert "Only you can see" in saved.text
    await h.press("bob", "Met")
    await h.press("bob", "4")
    assert (await group(h.core, first_group)).outcome == "met"

    await advance(h, minutes=1)
    assert kinds_received(h.platform, "alice")[-1] == "continue"
    assert kinds_received(h.platform, "bob")[-1] == "continue"
    await h.press("alice", "Yes, continue")
    await h.press("bob", "Yes, continue")
    assert set((await members(h.core, first_group)).values()) == {True}

    mydata = await h.say("alice", "mydata")
    assert "Ask about the discharge hub" in mydata.text
    assert "Ask about the discharge hub" not in (await h.say("bob", "mydata")).text

    await advance_to(h, datetime(2026, 1, 19, 9, 30, tzinfo=UTC))  # the next round, a fortnight on
    assert commits == ["schedule", "schedule"]
    assert await newest_group_of(h, "alice") == ["alice", "bob"]
    assert kinds_received(h.platform, "alice").count("introduction") == 2
    upcoming = await h.say("alice", "checkins")
    assert upcoming.text.count("• ") == 1 and "Monday 26 January 2026, 10:00" in upcoming.text
    # Exactly one reminder and one follow-up each for the first check-in.
    for user in ("alice", "bob"):
        assert kinds_received(h.platform, user).count("reminder") == 1
        assert kinds_received(h.platform, user).count("followup") == 1


async def _groups(h):
    async with h.core.db.session() as session:
        return list((await session.execute(select(GroupMember))).scalars())


async def test_a_round_not_met_is_marked_so_by_the_end_of_the_follow_up(harness):
    from checkin_helpers import introduce

    h = harness
    for user in ("ann", "ben"):
        await h.join(user)
    [group_id] = await introduce(h.core, [["ann", "ben"]])
    [checkin] = await checkins_of(h.core, group_id)
    await advance_to(h, checkin.scheduled_at.replace(hour=12))
    note_offer = await h.press("ann", "Couldn't")
    assert note_offer.form is not None
    await h.press("ben", "Not yet")
    assert (await group(h.core, group_id)).outcome is None
    await advance(h, hours=72)
    assert (await group(h.core, group_id)).outcome == "not_met"
    later = await checkins_of(h.core, group_id)
    assert [c.status for c in later] == ["done", "scheduled"]
    assert (later[1].scheduled_at - later[0].scheduled_at).days == 14


async def test_no_continue_offer_unless_everyone_rates_four_or_five(harness):
    from checkin_helpers import introduce

    h = harness
    for user in ("ann", "ben"):
        await h.join(user)
    [group_id] = await introduce(h.core, [["ann", "ben"]])
    [checkin] = await checkins_of(h.core, group_id)
    await advance_to(h, checkin.scheduled_at.replace(hour=12))
    for user, stars in (("ann", "5"), ("ben", "3")):
        await h.press(user, "Met")
        await h.press(user, stars)
    await advance(h, hours=1)
    assert "continue" not in kinds_received(h.platform, "ann")
    assert set((await members(h.core, group_id)).values()) == {None}
