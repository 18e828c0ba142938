"""Check-ins through the real discord.py client: the reminder DM with its calendar file uploaded,
the follow-up's Met button and a rating pressed in the DM, and the private-note modal."""

from __future__ import annotations

from datetime import timedelta

from discord_people import add_joined
from fake_discord import MANAGE_GUILD
from sqlalchemy import select

from bot.checkins.models import Checkin, CheckinResponse
from bot.kernel.scheduler import advance_clock
from bot.kernel.storage.groups import MatchGroup

NOTE = "Ask about the discharge hub NOTE-5be1"


async def _checkin(core) -> Checkin:
    async with core.db.session() as session:
        return (await session.execute(select(Checkin).order_by(Checkin.id))).scalars().first()


async def _advance_to(j, moment) -> None:
    await advance_clock(j.core, j.core.clock, moment - j.core.clock.now())


async def test_reminder_with_ics_then_met_rating_and_private_note_from_the_dm(discord_journey):
    j = discord_journey
    people = await add_joined(j, ["ann", "ben"])
    ann, ben = people["ann"], people["ben"]
    organiser = j.member("olivia", j.fake.add_role("Organisers", MANAGE_GUILD))
    await j.slash(organiser, "admin", "round")
    await j.core.jobs.run_due(j.core)
    checkin = await _checkin(j.core)
    assert checkin is not None and checkin.status == "scheduled"

    await _advance_to(j, checkin.scheduled_at - timedelta(hours=23))
    reminders = [c for c in j.fake.dms_to(ann) if c.body["content"].startswith("Reminder:")]
    assert len(reminders) == 1
    [(filename, data)] = reminders[0].files
    assert filename == f"checkin-{checkin.id}.ics" and b"BEGIN:VCALENDAR" in data
    assert reminders[0].body["attachments"][0]["filename"] == filename
    assert {b["label"] for b in j.dms(ann)[-1].buttons} == {"Add to calendar", "Skip this one"}

    await _advance_to(j, checkin.scheduled_at + timedelta(hours=2, minutes=1))
    followup = j.dms(ann)[-1]
    assert followup.content.startswith("Did you meet Ben")
    assert [b["label"] for b in followup.buttons] == ["Met", "Not yet", "Couldn't"]

    await j.press(ann, "Met", in_dm=True)
    rating = j.last(ann)
    assert "How useful" in rating.content and rating.body.get("flags") == 64
    await j.press(ann, "5", in_dm=True, on_dm=False)
    note = j.open_modal(ann)
    assert note["title"] == "Private note"
    said = note["components"][0]
    assert said["type"] == 10 and said["content"].startswith("Thanks: you rated it 5 of 5.")
    assert "Only you can see this note" in said["content"], "the reply's text and the form's intro"
    await j.submit_modal(ann, {"note": NOTE}, in_dm=True)
    assert "Only you can see this note" in j.last(ann).content

    async with j.core.db.session() as session:
        assert (await session.get(MatchGroup, checkin.group_id)).outcome == "met"
        answers = (await session.execute(select(CheckinResponse))).scalars().all()
    [mine] = answers
    assert (mine.met, mine.rating, mine.private_note) == ("met", 5, NOTE)
    assert NOTE not in str([c.body for c in j.fake.calls if c.body]), "the note is never sent anywhere"
    assert j.dms(ben)[-1].content.startswith("Did you meet Ann")
