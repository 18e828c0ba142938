"""/peer checkin and /peer checkins, and the buttons and forms of follow-ups."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import messages as texts
from bot.checkins.models import Checkin
from bot.checkins.service import (
    CADENCE_DAYS,
    CONTINUE,
    MET_CHOICES,
    all_rated_highly,
    cancel_checkin_jobs,
    enqueue_checkin_jobs,
    member_checkins,
    notify_members,
    record_answer,
    schedule_next,
)
from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.errors import UserError
from bot.kernel.forms import parse_form
from bot.kernel.groups import GroupView, load_group
from bot.kernel.invocation import Invocation
from bot.kernel.jobs import enqueue
from bot.kernel.messages import Message
from bot.kernel.quiet_hours import local_to_utc
from bot.kernel.storage.groups import GroupMember
from bot.kernel.storage.models import Profile

USAGE = (
    "Use `/peer checkin` to see your next check-in, or `/peer checkin reschedule YYYY-MM-DD HH:MM`, "
    "`/peer checkin skip`, `/peer checkin ics`, `/peer checkin cadence weekly|fortnightly|monthly`."
)
FURTHEST_RESCHEDULE = timedelta(days=90)
STALE_BUTTON = "That button belongs to a check-in that isn't yours or no longer exists."


async def _profile_in(session: AsyncSession, core: Core, inv: Invocation) -> Profile:
    found = await core.people.require(inv.actor)
    return await session.get(Profile, found.id)


async def _next_checkin(core: Core, session: AsyncSession, profile: Profile) -> tuple[Checkin, GroupView]:
    now = core.clock.now()
    for checkin in await member_checkins(session, profile.id, ("scheduled",)):
        if checkin.scheduled_at > now:
            return checkin, await load_group(session, checkin.group_id)
    raise UserError("You have no check-in coming up. You'll get one after your next introduction.")


async def _own_checkin(session: AsyncSession, profile: Profile, raw_id: str) -> tuple[Checkin, GroupView]:
    """A check-in named by a button, after checking the person is in its group."""
    if not raw_id.isdigit():
        raise UserError(STALE_BUTTON)
    checkin = await session.get(Checkin, int(raw_id), with_for_update=True)
    view = await load_group(session, checkin.group_id) if checkin else None
    if view is None or profile.id not in {m.id for m in view.members}:
        raise UserError(STALE_BUTTON)
    return checkin, view


def _args(inv: Invocation, count: int) -> tuple[str, ...]:
    if len(inv.args) != count:
        raise UserError(STALE_BUTTON)
    return inv.args


async def checkin(core: Core, inv: Invocation) -> None:
    """Show the next check-in, or change it (reschedule, skip, cadence), or send its calendar file."""
    sub = inv.args[0].casefold() if inv.args else ""
    rest = inv.args[1:]
    if sub == "":
        async with core.db.session() as session:
            profile = await _profile_in(session, core, inv)
            found, view = await _next_checkin(core, session, profile)
        await core.outbox.reply(inv, texts.describe_next(found, view, profile))
    elif sub == "reschedule":
        await _reschedule(core, inv, rest)
    elif sub == "skip" and not rest:
        await _skip(core, inv, None)
    elif sub == "ics" and not rest:
        await _send_ics(core, inv, None)
    elif sub == "cadence":
        await _cadence(core, inv, rest)
    else:
        raise UserError(USAGE)


def _parse_moment(words: tuple[str, ...]) -> tuple[date, time]:
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


async def _reschedule(core: Core, inv: Invocation, words: tuple[str, ...]) -> None:
    day, at = _parse_moment(words)
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        profile = await _profile_in(session, core, inv)
        when = local_to_utc(day, at, profile.timezone)
        if when <= now:
            raise UserError(
                f"{texts.format_local(when, profile.timezone)} has already passed; choose a later time."
            )
        if when > now + FURTHEST_RESCHEDULE:
            raise UserError("Choose a time within the next 90 days.")
        found, view = await _next_checkin(core, session, profile)
        found = await session.get(Checkin, found.id, with_for_update=True)
        await cancel_checkin_jobs(session, found, view)
        found.scheduled_at, found.version, found.updated_at = when, found.version + 1, now
        await session.flush()
        await enqueue_checkin_jobs(core, session, found, view)
        await notify_members(core, session, found, view.others(profile.id), "rescheduled", by=profile.id)
    await core.outbox.reply(
        inv,
        Message(
            f"Moved: your check-in with {texts.names(view.others(profile.id))} is now on "
            f"*{texts.format_local(when, profile.timezone)}*. They'll be told.",
            attachments=(texts.checkin_ics(core.config, found, view, profile, now),),
        ),
    )


async def _skip(core: Core, inv: Invocation, raw_id: str | None) -> None:
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        profile = await _profile_in(session, core, inv)
        if raw_id is None:
            found, view = await _next_checkin(core, session, profile)
            found = await session.get(Checkin, found.id, with_for_update=True)
        else:
            found, view = await _own_checkin(session, profile, raw_id)
        if found.status != "scheduled" or found.scheduled_at <= now:
            raise UserError("That check-in can no longer be skipped.")
        await cancel_checkin_jobs(session, found, view)
        found.status, found.updated_at = "skipped", now
        await session.flush()
        following = await schedule_next(core, session, found, view)
        if following is not None:
            await notify_members(core, session, following, view.others(profile.id), "skipped", by=profile.id)
    if following is None:
        text = "Skipped. There are no more check-ins for this group; you'll be matched again next round."
    else:
        when = texts.format_local(following.scheduled_at, profile.timezone)
        text = f"Skipped. Your next check-in is on *{when}*."
    await core.outbox.reply(inv, Message(text))


async def _send_ics(core: Core, inv: Invocation, raw_id: str | None) -> None:
    async with core.db.session() as session:
        profile = await _profile_in(session, core, inv)
        if raw_id is None:
            found, view = await _next_checkin(core, session, profile)
        else:
            found, view = await _own_checkin(session, profile, raw_id)
    await core.outbox.reply(
        inv,
        Message(
            f"Your check-in on {texts.format_local(found.scheduled_at, profile.timezone)}: open the "
            "attached file to add it to your calendar.",
            attachments=(texts.checkin_ics(core.config, found, view, profile, core.clock.now()),),
        ),
    )


async def _cadence(core: Core, inv: Invocation, words: tuple[str, ...]) -> None:
    wanted = words[0].casefold() if len(words) == 1 else ""
    if wanted not in CADENCE_DAYS:
        raise UserError("Choose one of: `/peer checkin cadence weekly`, `fortnightly` or `monthly`.")
    async with core.db.session() as session, session.begin():
        profile = await _profile_in(session, core, inv)
        found, view = await _next_checkin(core, session, profile)
        found = await session.get(Checkin, found.id, with_for_update=True)
        if found.cadence == wanted:
            raise UserError(f"You already meet {wanted}.")
        found.cadence, found.updated_at = wanted, core.clock.now()
        await notify_members(
            core, session, found, view.others(profile.id), f"cadence-{wanted}", by=profile.id
        )
    await core.outbox.reply(
        inv,
        Message(
            f"From now on your group meets {wanted}: the check-in after "
            f"{texts.format_local(found.scheduled_at, profile.timezone)} follows that. They'll be told."
        ),
    )


async def checkins(core: Core, inv: Invocation) -> None:
    """List the person's upcoming check-ins."""
    if inv.args:
        raise UserError("Use `/peer checkins` (no options) to list your upcoming check-ins.")
    now = core.clock.now()
    async with core.db.session() as session:
        profile = await _profile_in(session, core, inv)
        lines = []
        for found in await member_checkins(session, profile.id, ("scheduled",)):
            if found.scheduled_at > now:
                view = await load_group(session, found.group_id)
                lines.append(
                    f"• {texts.format_local(found.scheduled_at, profile.timezone)} with "
                    f"{texts.names(view.others(profile.id))} ({found.cadence})"
                )
    if not lines:
        await core.outbox.reply(inv, Message("No check-ins coming up."))
        return
    await core.outbox.reply(inv, Message("Your upcoming check-ins:\n" + "\n".join(lines)))


async def skip_button(core: Core, inv: Invocation) -> None:
    await _skip(core, inv, _args(inv, 1)[0])


async def ics_button(core: Core, inv: Invocation) -> None:
    await _send_ics(core, inv, _args(inv, 1)[0])


async def answer(core: Core, inv: Invocation) -> None:
    """Met / Not yet / Couldn't; "met" makes the group's round count as met at once."""
    raw_id, choice = _args(inv, 2)
    if choice not in MET_CHOICES:
        raise UserError(STALE_BUTTON)
    async with core.db.session() as session, session.begin():
        profile = await _profile_in(session, core, inv)
        found, view = await _own_checkin(session, profile, raw_id)
        if found.status == "skipped":
            raise UserError("That check-in was skipped, so there is nothing to answer.")
        await record_answer(session, found, profile.id, core.clock.now(), met=choice)
        if choice == "met":
            view.group.outcome = "met"
    if choice == "met":
        await core.outbox.reply(inv, texts.rating_message(found))
        return
    text = (
        "Thanks for letting us know. You can still meet: " + texts.RESCHEDULE_HINT + " sets a new time."
        if choice == "not_yet"
        else "Thanks for letting us know; that happens. Your next check-in stays as planned."
    )
    await core.outbox.reply(inv, texts.note_message(found, text))


async def rate(core: Core, inv: Invocation) -> None:
    """A 1–5 usefulness rating; when every member rates 4–5, each is offered to continue."""
    raw_id, raw_rating = _args(inv, 2)
    if raw_rating not in {"1", "2", "3", "4", "5"}:
        raise UserError("Rate from 1 to 5.")
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        profile = await _profile_in(session, core, inv)
        found, view = await _own_checkin(session, profile, raw_id)
        await record_answer(session, found, profile.id, now, rating=int(raw_rating))
        if await all_rated_highly(session, found, view):
            for member in view.members:
                key = f"p{member.id}:continue:{view.group.id}"
                await enqueue(
                    session, CONTINUE, key, now, {"group_id": view.group.id, "profile_id": member.id}, now
                )
    await core.outbox.reply(inv, texts.note_message(found, f"Thanks: you rated it {raw_rating} of 5."))


async def note(core: Core, inv: Invocation) -> None:
    """Save (or clear) the person's private note on a check-in."""
    (raw_id,) = _args(inv, 1)
    form = texts.note_form(raw_id)
    values, errors = parse_form(form, inv.form or {})
    if errors:
        await core.outbox.reply(inv, Message("Please fix the note.", form=form, field_errors=errors))
        return
    text = values["note"] or None
    async with core.db.session() as session, session.begin():
        profile = await _profile_in(session, core, inv)
        found, _ = await _own_checkin(session, profile, raw_id)
        await record_answer(session, found, profile.id, core.clock.now(), private_note=text)
    await core.outbox.reply(
        inv,
        Message("Saved. Only you can see this note (`/peer mydata`)." if text else "No note saved."),
    )


async def continue_choice(core: Core, inv: Invocation) -> None:
    """Record whether the person wants to stay with their group next round."""
    raw_group, choice = _args(inv, 2)
    if choice not in ("yes", "no") or not raw_group.isdigit():
        raise UserError(STALE_BUTTON)
    wants = choice == "yes"
    async with core.db.session() as session, session.begin():
        profile = await _profile_in(session, core, inv)
        member = await session.get(GroupMember, (int(raw_group), profile.id))
        if member is None:
            raise UserError(STALE_BUTTON)
        member.wants_continue = wants
        view = await load_group(session, member.group_id)
        mine = await member_checkins(session, profile.id, ("done", "scheduled"))
        latest = [c for c in mine if c.group_id == member.group_id]
        if latest:
            await record_answer(session, latest[-1], profile.id, core.clock.now(), wants_continue=wants)
    others = texts.names(view.others(profile.id))
    await core.outbox.reply(
        inv,
        Message(
            f"Noted. If {others} say yes too, you'll stay together next round."
            if wants
            else "Noted: you'll meet someone new next round."
        ),
    )


ROUTES: dict[str, Route] = {
    "checkin": Route(
        checkin,
        "checkin [reschedule YYYY-MM-DD HH:MM | skip | ics | cadence weekly|fortnightly|monthly]",
        "see, move or skip your next check-in, or get it as a calendar file",
    ),
    "checkins": Route(checkins, "checkins", "list your upcoming check-ins"),
    "checkin.skip": Route(skip_button, hidden=True),
    "checkin.ics": Route(ics_button, hidden=True),
    "checkin.answer": Route(answer, hidden=True),
    "checkin.rate": Route(rate, hidden=True),
    "checkin.note": Route(note, hidden=True),
    "checkin.continue": Route(continue_choice, hidden=True),
}
