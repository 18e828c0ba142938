"""/peer checkin and /peer checkins: show, reschedule, skip, cadence, calendar file; quiet hours,
pausing the silent, the clock changes, and erasure."""

from datetime import UTC, datetime

import pytest_asyncio
from checkin_helpers import (
    advance,
    advance_to,
    checkins_of,
    introduce,
    job_statuses,
    kinds_received,
)
from sqlalchemy import select

from bot.checkins.models import CheckinResponse
from bot.kernel.storage.job_models import Job
from harness import Harness


async def pair(h, tz_b="Europe/London", **join):
    await h.join("ann", **join)
    await h.join("ben", timezone=tz_b, **join)
    [group_id] = await introduce(h.core, [["ann", "ben"]])
    return group_id


async def test_reschedule_moves_the_reminders_and_tells_the_others(harness):
    h = harness
    group_id = await pair(h)
    moved = await h.say("ann", "checkin reschedule 2026-01-14 15:30")
    assert "Wednesday 14 January 2026, 15:30 (Europe/London)" in moved.text
    assert b"DTSTART:20260114T153000Z" in moved.attachments[0].data
    [checkin] = await checkins_of(h.core, group_id)
    assert checkin.version == 2 and checkin.scheduled_at == datetime(2026, 1, 14, 15, 30, tzinfo=UTC)
    await advance(h, minutes=1)
    assert "Ann moved your check-in" in h.platform.last("ben").text
    await advance_to(h, datetime(2026, 1, 16, tzinfo=UTC))
    for user in ("ann", "ben"):
        kinds = kinds_received(h.platform, user)
        assert kinds.count("reminder") == 1 and kinds.count("followup") == 1
    assert "14 January" in [m for m in h.platform.to("ben") if m.text.startswith("Reminder:")][0].text
    statuses = await job_statuses(h.core)
    assert statuses[("checkin.reminder", "cancelled")] == 2


async def test_reschedule_and_cadence_refuse_bad_input_clearly(harness):
    h = harness
    await pair(h)
    for text, expected in (
        ("checkin reschedule 2026-13-01 10:00", "is not a date"),
        ("checkin reschedule 2026-01-20 25:00", "is not a time"),
        ("checkin reschedule 2026-01-20", "Give a date and a time"),
        ("checkin reschedule 2026-01-01 10:00", "has already passed"),
        ("checkin reschedule 2027-01-01 10:00", "within the next 90 days"),
        ("checkin cadence daily", "Choose one of"),
        ("checkin cadence fortnightly", "already meet fortnightly"),
        ("checkin frobnicate", "Use `/peer checkin`"),
        ("checkins soon", "no options"),
    ):
        assert expected in (await h.say("ann", text)).text, text
    assert "haven't joined" in (await h.say("zed", "checkin")).text
    await h.join("cat")
    assert "no check-in coming up" in (await h.say("cat", "checkin")).text


async def test_buttons_for_someone_elses_check_in_are_refused(harness):
    h = harness
    group_id = await pair(h)
    await h.join("cat")
    [checkin] = await checkins_of(h.core, group_id)
    from bot.kernel.invocation import Invocation

    for command, args in (
        ("checkin.answer", (str(checkin.id), "met")),
        ("checkin.rate", (str(checkin.id), "5")),
        ("checkin.skip", (str(checkin.id),)),
        ("checkin.answer", ("x", "met")),
        ("checkin.continue", (str(group_id), "yes")),
    ):
        await h.core.handle(Invocation(h.actor("cat"), command, args))
        assert "isn't yours" in h.platform.last("cat").text
    async with h.core.db.session() as session:
        assert (await session.execute(select(CheckinResponse))).first() is None


async def test_skip_schedules_the_following_check_in_and_cadence_applies_after_the_next(harness):
    h = harness
    group_id = await pair(h)
    assert "meets weekly" in (await h.say("ben", "checkin cadence weekly")).text
    skipped = await h.say("ann", "checkin skip")
    assert "Monday 19 January 2026, 10:00" in skipped.text  # a week after the 12th: weekly now
    first, second = await checkins_of(h.core, group_id)
    assert (first.status, second.status) == ("skipped", "scheduled")
    await advance(h, minutes=1)
    assert "Ann skipped a check-in" in h.platform.last("ben").text
    listed = await h.say("ben", "checkins")
    assert "Monday 19 January 2026, 10:00 (Europe/London) with Ann (weekly)" in listed.text
    calendar = await h.say("ben", "checkin ics")
    assert calendar.attachments[0].filename == f"checkin-{second.id}.ics"
    await advance_to(h, datetime(2026, 1, 20, tzinfo=UTC))
    assert kinds_received(h.platform, "ann").count("reminder") == 1  # none for the skipped one


async def test_reminders_wait_for_the_persons_own_morning(harness):
    h = harness
    group_id = await pair(h, tz_b="Asia/Tokyo")
    [checkin] = await checkins_of(h.core, group_id)
    # The reminder is due Sunday 11 January 10:00 UTC: 19:00 in Tokyo, inside quiet hours.
    await advance_to(h, datetime(2026, 1, 11, 10, 0, tzinfo=UTC))
    assert kinds_received(h.platform, "ann").count("reminder") == 1
    assert "reminder" not in kinds_received(h.platform, "ben")
    await advance_to(h, datetime(2026, 1, 11, 22, 59, tzinfo=UTC))
    assert "reminder" not in kinds_received(h.platform, "ben")
    await advance_to(h, datetime(2026, 1, 11, 23, 0, tzinfo=UTC))  # 08:00 Monday in Tokyo
    reminder = h.platform.last("ben")
    assert (
        reminder.text.startswith("Reminder:")
        and "Monday 12 January 2026, 19:00 (Asia/Tokyo)" in reminder.text
    )
    assert checkin.scheduled_at == datetime(2026, 1, 12, 10, 0, tzinfo=UTC)


async def test_three_silent_introductions_pause_a_person_who_can_resume(harness):
    h = harness
    await h.join("ann")
    await h.join("ben")
    for _ in range(3):
        [group_id] = await introduce(h.core, [["ann", "ben"]])
        [checkin] = await checkins_of(h.core, group_id)
        await advance_to(h, checkin.scheduled_at.replace(hour=12))
        await h.press("ann", "Met")  # Ann answers every time; Ben never does
        await advance(h, hours=80)
    assert "paused" in kinds_received(h.platform, "ben")
    assert "`/peer resume`" in h.platform.last("ben").text
    assert "paused" not in kinds_received(h.platform, "ann")
    profile = (await h.say("ben", "profile")).text
    assert "Status: paused" in profile
    # While paused: no scheduled messages.
    before = len(h.platform.to("ben"))
    [group_id] = await introduce(h.core, [["ann", "ben"]])
    await advance(h, days=10)
    assert len(h.platform.to("ben")) == before
    assert "reminder" in kinds_received(h.platform, "ann")[-3:]
    assert "Welcome back" in (await h.say("ben", "resume")).text


@pytest_asyncio.fixture
async def no_quiet_hours(empty_database, tmp_path):
    """Quiet hours off and reminders an hour ahead, to look at the small hours of a clock change."""
    h = Harness.create(
        empty_database,
        tmp_path,
        {"checkins": {"quiet_start": "00:00", "quiet_end": "00:00", "reminder_hours_before": 1}},
    )
    await h.start()
    yield h
    await h.stop()


async def test_a_check_in_set_in_the_skipped_hour_of_march(no_quiet_hours):
    h = no_quiet_hours
    h.clock.set(datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
    group_id = await pair(h, cadence="weekly")
    moved = await h.say("ann", "checkin reschedule 2026-03-29 01:30")  # does not exist in London
    assert "Sunday 29 March 2026, 02:30 (Europe/London)" in moved.text
    [checkin] = await checkins_of(h.core, group_id)
    assert checkin.scheduled_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    await advance_to(h, datetime(2026, 3, 29, 0, 29, tzinfo=UTC))
    assert "reminder" not in kinds_received(h.platform, "ann")
    await advance_to(h, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 00:30 GMT, an hour before
    assert kinds_received(h.platform, "ann")[-1] == "reminder"
    # The weekly cadence keeps 02:30 local: 5 April 02:30 BST = 01:30 UTC.
    await advance(h, days=4)
    assert (await checkins_of(h.core, group_id))[1].scheduled_at == datetime(2026, 4, 5, 1, 30, tzinfo=UTC)


async def test_weekly_check_ins_across_the_october_change(harness):
    h = harness
    h.clock.set(datetime(2026, 10, 12, 9, 0, tzinfo=UTC))
    group_id = await pair(h, cadence="weekly")
    [first] = await checkins_of(h.core, group_id)
    assert first.scheduled_at == datetime(2026, 10, 19, 9, 0, tzinfo=UTC)  # 10:00 BST
    await advance_to(h, datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    second = (await checkins_of(h.core, group_id))[1]
    assert second.scheduled_at == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)  # 10:00 GMT
    # Its reminder is due Sunday 25 October 10:00 UTC = 10:00 GMT, the day the clocks go back.
    await advance_to(h, datetime(2026, 10, 25, 9, 59, tzinfo=UTC))
    assert kinds_received(h.platform, "ben").count("reminder") == 1
    await advance_to(h, datetime(2026, 10, 25, 10, 0, tzinfo=UTC))
    assert kinds_received(h.platform, "ben").count("reminder") == 2
    assert "Monday 26 October 2026, 10:00 (Europe/London)" in h.platform.last("ben").text


async def test_leave_erases_answers_and_notes_and_cancels_pending_messages(harness):
    h = harness
    group_id = await pair(h)
    [checkin] = await checkins_of(h.core, group_id)
    await advance_to(h, checkin.scheduled_at.replace(hour=12))
    await h.press("ann", "Met")
    note_offer = await h.press("ann", "2")
    await h.submit("ann", "checkin.note", {"note": "private words"}, note_offer.form.args)
    assert "private words" in (await h.say("ann", "mydata")).text
    await h.say("ann", "leave")
    await h.press("ann", "Erase my data")
    async with h.core.db.session() as session:
        assert (await session.execute(select(CheckinResponse))).first() is None
        pending = (await session.execute(select(Job.key).where(Job.status == "pending"))).scalars().all()
    assert not [key for key in pending if key.startswith("p1:")]
    before = len(h.platform.to("ann"))
    await advance(h, days=30)
    assert len(h.platform.to("ann")) == before


async def test_cadence_before_the_first_check_in_is_kept_for_it(harness):
    h = harness
    await h.join("ann", cadence="fortnightly")
    await h.join("ben", cadence="fortnightly")
    said = (await h.say("ann", "checkin cadence monthly")).text
    assert "your check-ins will be monthly once your group is introduced" in said.casefold()
    assert "no check-in coming up" not in said
    said = (await h.say("ben", "checkin cadence monthly")).text
    assert "monthly once your group is introduced" in said
    [group_id] = await introduce(h.core, [["ann", "ben"]])
    [checkin] = await checkins_of(h.core, group_id)
    assert checkin.cadence == "monthly"
