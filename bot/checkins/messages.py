"""What check-in messages say and offer: times in each reader's own zone, buttons, calendar files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.checkins.ics import calendar_event
from bot.checkins.models import Checkin
from bot.checkins.rules import MET_CHOICES
from bot.checkins.wording import format_local, names
from bot.kernel.config import Config
from bot.kernel.groups import GroupView
from bot.kernel.messages import Attachment, Button, Field, Form, Message
from bot.kernel.storage.models import Profile

NOTE_FIELD = Field(
    "note",
    "Private note (only you can see it)",
    kind="long_text",
    required=False,
    max_length=2000,
    hint="What you took away, or what to ask next time. Leave empty to skip.",
)
RESCHEDULE_HINT = "`/peer checkin reschedule YYYY-MM-DD HH:MM` (your time zone)"


def checkin_ics(
    config: Config, checkin: Checkin, view: GroupView, viewer: Profile, now: datetime
) -> Attachment:
    """The check-in as a calendar event; the same UID with a higher SEQUENCE updates it."""
    data = calendar_event(
        uid=f"peerbot-checkin-{checkin.id}@peerbot",
        start=checkin.scheduled_at,
        duration=config.checkins.checkin_length,
        summary=f"Peer check-in with {names(view.others(viewer.id))}",
        description=f"Arranged by {config.bot.name}. Change or skip it with /peer checkin.",
        stamp=now,
        sequence=checkin.version,
    )
    return Attachment(f"checkin-{checkin.id}.ics", "text/calendar", data)


def checkin_buttons(checkin: Checkin) -> tuple[Button, ...]:
    return (
        Button("Add to calendar", "checkin.ics", (str(checkin.id),)),
        Button("Skip this one", "checkin.skip", (str(checkin.id),)),
    )


def describe_next(checkin: Checkin, view: GroupView, viewer: Profile) -> Message:
    """The reply to /peer checkin."""
    text = (
        f"Your next check-in with {names(view.others(viewer.id))}: "
        f"*{format_local(checkin.scheduled_at, viewer.timezone)}*. You meet {checkin.cadence}.\n"
        f"• Move it: {RESCHEDULE_HINT}\n"
        "• Skip it: `/peer checkin skip`\n"
        "• Change how often: `/peer checkin cadence weekly|fortnightly|monthly`\n"
        "• Calendar file: `/peer checkin ics`"
    )
    return Message(text, buttons=checkin_buttons(checkin))


def reminder_message(
    config: Config, checkin: Checkin, view: GroupView, viewer: Profile, now: datetime
) -> Message:
    """Sent before each check-in, with the calendar file."""
    text = (
        f"Reminder: your check-in with {names(view.others(viewer.id))} is on "
        f"*{format_local(checkin.scheduled_at, viewer.timezone)}*. "
        f"Can't make it? Move it with {RESCHEDULE_HINT} or skip it."
    )
    return Message(
        text,
        buttons=checkin_buttons(checkin),
        attachments=(checkin_ics(config, checkin, view, viewer, now),),
    )


def followup_message(checkin: Checkin, view: GroupView, viewer: Profile) -> Message:
    """Sent after each check-in: did it happen?"""
    return Message(
        f"Did you meet {names(view.others(viewer.id))} for your check-in on "
        f"{format_local(checkin.scheduled_at, viewer.timezone)}?",
        buttons=tuple(
            Button(label, "checkin.answer", (str(checkin.id), value)) for value, label in MET_CHOICES.items()
        ),
    )


def rating_message(checkin: Checkin) -> Message:
    return Message(
        "Glad you met. How useful was it, from 1 (not at all) to 5 (very)?",
        buttons=tuple(Button(str(n), "checkin.rate", (str(checkin.id), str(n))) for n in range(1, 6)),
    )


def note_form(checkin_id: int | str) -> Form:
    """The optional private note about one check-in."""
    return Form(
        "Private note",
        (NOTE_FIELD,),
        "checkin.note",
        args=(str(checkin_id),),
        intro="Only you can see this note; it is in `/peer mydata` and erased by `/peer leave`.",
        submit_label="Save",
    )


def note_message(checkin: Checkin, text: str) -> Message:
    """A reply that offers the private note."""
    return Message(text, form=note_form(checkin.id))


def continue_message(group_id: int, others: Sequence[Profile]) -> Message:
    return Message(
        f"You and {names(others)} both found your check-in useful. Would you like to continue "
        "together next round instead of meeting someone new?",
        buttons=(
            Button("Yes, continue", "checkin.continue", (str(group_id), "yes"), style="primary"),
            Button("No, someone new", "checkin.continue", (str(group_id), "no")),
        ),
    )


def paused_message(silent: int) -> Message:
    return Message(
        f"You haven't answered your last {silent} introductions, so we've paused your matching "
        "and check-in messages for now. Nothing else has changed. When you'd like to take part "
        "again, type `/peer resume`."
    )
