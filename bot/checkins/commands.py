"""/peer checkin and /peer checkins, and the buttons and forms of follow-ups.

Each handler parses the invocation, makes one call to the check-in service and renders the
result; the service owns the transaction and the rules.
"""

from __future__ import annotations

from datetime import date, time

from bot.checkins import messages as texts
from bot.checkins.rules import MET_CHOICES, chosen_cadence
from bot.checkins.service import STALE_BUTTON, CheckinService
from bot.checkins.wording import format_local, names
from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.errors import UserError
from bot.kernel.forms import parse_form
from bot.kernel.invocation import Invocation
from bot.kernel.messages import Message

USAGE = (
    "Use `/peer checkin` to see your next check-in, or `/peer checkin reschedule YYYY-MM-DD HH:MM`, "
    "`/peer checkin skip`, `/peer checkin ics`, `/peer checkin cadence weekly|fortnightly|monthly`."
)
RATINGS = {"1", "2", "3", "4", "5"}


def parse_moment(words: tuple[str, ...]) -> tuple[date, time]:
    """A local date and time typed as `YYYY-MM-DD HH:MM`, with a clear refusal for anything else."""
    if len(words) != 2:
        raise UserError("Give a date and a time: `/peer checkin reschedule 2027-01-31 14:30`.")
    try:
        day = date.fromisoformat(words[0])
    except ValueError:
        raise UserError(f"“{words[0][:20]}” is not a date; use YYYY-MM-DD, e.g. 2027-01-31.") from None
    try:
        at = time.fromisoformat(words[1])
    except ValueError:
        raise UserError(f"“{words[1][:20]}” is not a time; use 24-hour HH:MM, e.g. 14:30.") from None
    return day, at.replace(second=0, microsecond=0, tzinfo=None)


def button_args(inv: Invocation, count: int) -> tuple[str, ...]:
    """A button's arguments; the wrong number means a stale or forged button."""
    if len(inv.args) != count:
        raise UserError(STALE_BUTTON)
    return inv.args


class CheckinCommands:
    """The check-in commands, buttons and forms, bound to the service they call."""

    def __init__(self, service: CheckinService):
        self._service = service

    def routes(self) -> dict[str, Route]:
        """The routes to register with the dispatcher."""
        return {
            "checkin": Route(
                self.checkin,
                "checkin [reschedule YYYY-MM-DD HH:MM | skip | ics | cadence weekly|fortnightly|monthly]",
                "see, move or skip your next check-in, or get it as a calendar file",
            ),
            "checkins": Route(self.checkins, "checkins", "list your upcoming check-ins"),
            "checkin.skip": Route(self.skip_button, hidden=True),
            "checkin.ics": Route(self.ics_button, hidden=True),
            "checkin.answer": Route(self.answer, hidden=True),
            "checkin.rate": Route(self.rate, hidden=True),
            "checkin.note": Route(self.note, hidden=True),
            "checkin.continue": Route(self.continue_choice, hidden=True),
        }

    async def checkin(self, core: Core, inv: Invocation) -> None:
        """Show the next check-in, or change it (reschedule, skip, cadence), or send its calendar file."""
        sub = inv.args[0].casefold() if inv.args else ""
        rest = inv.args[1:]
        if sub == "":
            seen = await self._service.next_checkin(inv.actor)
            await core.outbox.reply(inv, texts.describe_next(seen.checkin, seen.group, seen.viewer))
        elif sub == "reschedule":
            await self._reschedule(core, inv, rest)
        elif sub == "skip" and not rest:
            await self._skip(core, inv, None)
        elif sub == "ics" and not rest:
            await self._send_ics(core, inv, None)
        elif sub == "cadence":
            await self._cadence(core, inv, rest)
        else:
            raise UserError(USAGE)

    async def _reschedule(self, core: Core, inv: Invocation, words: tuple[str, ...]) -> None:
        day, at = parse_moment(words)
        moved = await self._service.reschedule(inv.actor, day, at)
        when = format_local(moved.checkin.scheduled_at, moved.viewer.timezone)
        await core.outbox.reply(
            inv,
            Message(
                f"Moved: your check-in with {names(moved.others)} is now on *{when}*. They'll be told.",
                attachments=(
                    texts.checkin_ics(core.config, moved.checkin, moved.group, moved.viewer, moved.now),
                ),
            ),
        )

    async def _skip(self, core: Core, inv: Invocation, raw_id: str | None) -> None:
        skipped = await self._service.skip(inv.actor, raw_id)
        if skipped.following is None:
            text = "Skipped. There are no more check-ins for this group; you'll be matched again next round."
        else:
            when = format_local(skipped.following.scheduled_at, skipped.viewer.timezone)
            text = f"Skipped. Your next check-in is on *{when}*."
        await core.outbox.reply(inv, Message(text))

    async def _send_ics(self, core: Core, inv: Invocation, raw_id: str | None) -> None:
        seen = await self._service.calendar(inv.actor, raw_id)
        await core.outbox.reply(
            inv,
            Message(
                f"Your check-in on {format_local(seen.checkin.scheduled_at, seen.viewer.timezone)}: open the "
                "attached file to add it to your calendar.",
                attachments=(
                    texts.checkin_ics(core.config, seen.checkin, seen.group, seen.viewer, seen.now),
                ),
            ),
        )

    async def _cadence(self, core: Core, inv: Invocation, words: tuple[str, ...]) -> None:
        wanted = chosen_cadence(words[0] if len(words) == 1 else "")
        changed = await self._service.change_cadence(inv.actor, wanted)
        if changed is None:
            text = f"Your check-ins will be {wanted} once your group is introduced."
            await core.outbox.reply(inv, Message(text))
            return
        after = format_local(changed.checkin.scheduled_at, changed.viewer.timezone)
        await core.outbox.reply(
            inv,
            Message(
                f"From now on your group meets {wanted}: the check-in after {after} follows that. "
                "They'll be told."
            ),
        )

    async def checkins(self, core: Core, inv: Invocation) -> None:
        """List the person's upcoming check-ins."""
        if inv.args:
            raise UserError("Use `/peer checkins` (no options) to list your upcoming check-ins.")
        upcoming = await self._service.upcoming(inv.actor)
        viewer = upcoming.viewer
        lines = [
            f"• {format_local(checkin.scheduled_at, viewer.timezone)} with "
            f"{names(view.others(viewer.id))} ({checkin.cadence})"
            for checkin, view in upcoming.checkins
        ]
        if not lines:
            await core.outbox.reply(inv, Message("No check-ins coming up."))
            return
        await core.outbox.reply(inv, Message("Your upcoming check-ins:\n" + "\n".join(lines)))

    async def skip_button(self, core: Core, inv: Invocation) -> None:
        """The "Skip this one" button of a reminder or a change notice."""
        await self._skip(core, inv, button_args(inv, 1)[0])

    async def ics_button(self, core: Core, inv: Invocation) -> None:
        """The "Add to calendar" button of a reminder or a change notice."""
        await self._send_ics(core, inv, button_args(inv, 1)[0])

    async def answer(self, core: Core, inv: Invocation) -> None:
        """Met / Not yet / Couldn't; "met" asks for a rating, the others offer a private note."""
        raw_id, choice = button_args(inv, 2)
        if choice not in MET_CHOICES:
            raise UserError(STALE_BUTTON)
        checkin = await self._service.answer(inv.actor, raw_id, choice)
        if choice == "met":
            await core.outbox.reply(inv, texts.rating_message(checkin))
            return
        text = (
            "Thanks for letting us know. You can still meet: " + texts.RESCHEDULE_HINT + " sets a new time."
            if choice == "not_yet"
            else "Thanks for letting us know; that happens. Your next check-in stays as planned."
        )
        await core.outbox.reply(inv, texts.note_message(checkin, text))

    async def rate(self, core: Core, inv: Invocation) -> None:
        """A 1–5 usefulness rating, then the offer of a private note."""
        raw_id, raw_rating = button_args(inv, 2)
        if raw_rating not in RATINGS:
            raise UserError("Rate from 1 to 5.")
        checkin = await self._service.rate(inv.actor, raw_id, int(raw_rating))
        await core.outbox.reply(inv, texts.note_message(checkin, f"Thanks: you rated it {raw_rating} of 5."))

    async def note(self, core: Core, inv: Invocation) -> None:
        """Save (or clear) the person's private note on a check-in."""
        (raw_id,) = button_args(inv, 1)
        form = texts.note_form(raw_id)
        values, errors = parse_form(form, inv.form or {})
        if errors:
            await core.outbox.reply(inv, Message("Please fix the note.", form=form, field_errors=errors))
            return
        text = values["note"] or None
        await self._service.save_note(inv.actor, raw_id, text)
        await core.outbox.reply(
            inv,
            Message("Saved. Only you can see this note (`/peer mydata`)." if text else "No note saved."),
        )

    async def continue_choice(self, core: Core, inv: Invocation) -> None:
        """Record whether the person wants to stay with their group next round."""
        raw_group, choice = button_args(inv, 2)
        if choice not in ("yes", "no") or not raw_group.isdigit():
            raise UserError(STALE_BUTTON)
        wants = choice == "yes"
        others = await self._service.choose_continue(inv.actor, int(raw_group), wants)
        await core.outbox.reply(
            inv,
            Message(
                f"Noted. If {names(others)} say yes too, you'll stay together next round."
                if wants
                else "Noted: you'll meet someone new next round."
            ),
        )
