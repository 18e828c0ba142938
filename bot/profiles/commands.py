"""Commands for a person's own profile: help, join with consent, profile, pause, resume,
leave and mydata."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.errors import UserError
from bot.kernel.forms import FieldError, parse_field, parse_form
from bot.kernel.help_text import help_text
from bot.kernel.invocation import Invocation
from bot.kernel.messages import Attachment, Button, Field, Message, Sensitivity
from bot.profiles.form import profile_form
from bot.profiles.privacy_notice import privacy_notice
from bot.profiles.service import profile_as_dict
from matching.vocabulary import CADENCES, INTEGRATION_AREAS, ORG_TYPES, REGIONS, STAGES

UNTIL_FIELD = Field("until", "Pause until", kind="date", required=False)


def describe_profile(values: dict) -> str:
    """A profile in plain words, as the person and their matched peers see it."""
    areas = ", ".join(INTEGRATION_AREAS[a] for a in values["areas"])
    status = values.get("status", "active")
    if status == "paused":
        until = values.get("paused_until")
        status = f"paused until {until}" if until else "paused"
    return "\n".join(
        [
            f"*{values['display_name']}*: {values['role']}, {values['organisation']} "
            f"({ORG_TYPES[values['org_type']]}, {REGIONS[values['region']]})",
            f"• Integration areas: {areas}",
            f"• Stage: {STAGES[values['stage']]}",
            f"• Challenge: {values['challenge']}",
            f"• Check-ins: {CADENCES[values['cadence']]}, time zone {values['timezone']}",
            f"• Answers anonymous questions: {'yes' if values['accepts_questions'] else 'no'}",
            f"• Status: {status}",
        ]
    )


async def show_help(core: Core, inv: Invocation) -> None:
    await core.outbox.reply(inv, Message(help_text(core.dispatcher.routes, core.is_admin(inv.actor))))


async def ensure_may_join(core: Core, inv: Invocation) -> None:
    """Communities may limit who joins (e.g. a Discord participant role); ask each gate."""
    refusal = await core.hooks.join_refusal(inv.actor)
    if refusal:
        raise UserError(refusal)


async def join(core: Core, inv: Invocation) -> None:
    await ensure_may_join(core, inv)
    existing = await core.profiles.find(inv.actor)
    if existing is not None and existing.status != "pending":
        raise UserError("You're already a member. Use `/peer profile` to see or edit your profile.")
    current = profile_as_dict(existing) if existing else None
    await core.outbox.reply(
        inv,
        Message(
            "Tell us about your work so we can match you with a peer from another organisation.",
            form=profile_form("join.submit", current),
        ),
    )


async def _checked_profile_values(core: Core, inv: Invocation, submit: str) -> dict | None:
    """Validate a submitted profile form; on errors, reply with them and return None."""
    form = profile_form(submit)
    values, errors = parse_form(form, inv.form or {})
    if errors:
        await core.outbox.reply(
            inv,
            Message(
                "Please fix the highlighted fields.",
                form=profile_form(submit, {k: v for k, v in values.items() if k not in errors}),
                field_errors=errors,
            ),
        )
        return None
    return values


async def join_submit(core: Core, inv: Invocation) -> None:
    await ensure_may_join(core, inv)
    values = await _checked_profile_values(core, inv, "join.submit")
    if values is None:
        return
    await core.profiles.save_pending(inv.actor, values)
    if REVIEWED not in inv.args and await _offer_suggestion(core, inv, values):
        return
    await _ask_consent(core, inv)


REVIEWED = "reviewed"


async def _offer_suggestion(core: Core, inv: Invocation, values: dict) -> bool:
    """Offer LLM-suggested areas when they differ from the person's; False when there are none.

    The person's own name and organisation are removed from the challenge before it is sent.
    """
    suggestion = await core.services["assist"].suggest_tags(
        values["challenge"], name=values["display_name"], organisation=values["organisation"]
    )
    if suggestion is None or set(suggestion.areas) == set(values["areas"]):
        return False
    labels = ", ".join(INTEGRATION_AREAS[a] for a in suggestion.areas)
    mine = ", ".join(INTEGRATION_AREAS[a] for a in values["areas"])
    await core.outbox.reply(
        inv,
        Message(
            f"Suggested areas: {labels}; summary: {suggestion.summary}\n"
            f"You chose: {mine}. Which areas should peers see?",
            buttons=(
                Button("Use suggested areas", "join.areas", suggestion.areas, style="primary"),
                Button("Keep mine", "join.areas"),
                Button("Edit", "join.edit", suggestion.areas),
            ),
        ),
    )
    return True


async def join_areas(core: Core, inv: Invocation) -> None:
    """Apply the chosen areas (none given: keep the person's own) to the waiting join form."""
    if any(a not in INTEGRATION_AREAS for a in inv.args):
        raise UserError("Those are not integration areas. Start again with `/peer join`.")
    pending = await _pending_values(core, inv)
    if inv.args:
        await core.profiles.save_pending(inv.actor, {**pending, "areas": list(dict.fromkeys(inv.args))})
    await _ask_consent(core, inv)


async def join_edit(core: Core, inv: Invocation) -> None:
    """Reopen the join form with the suggested areas filled in, for the person to change."""
    if any(a not in INTEGRATION_AREAS for a in inv.args):
        raise UserError("Those are not integration areas. Start again with `/peer join`.")
    pending = await _pending_values(core, inv)
    form = profile_form("join.submit", {**pending, "areas": list(inv.args) or pending["areas"]})
    await core.outbox.reply(inv, Message(form=replace(form, args=(REVIEWED,))))


async def _pending_values(core: Core, inv: Invocation) -> dict:
    existing = await core.profiles.find(inv.actor)
    if existing is None or existing.status != "pending":
        raise UserError("There is no join form waiting. Start again with `/peer join`.")
    return profile_as_dict(existing)


async def _ask_consent(core: Core, inv: Invocation) -> None:
    await core.outbox.reply(
        inv,
        Message(
            privacy_notice(core.config) + "\n\nDo you agree?",
            buttons=(
                Button("I agree, join", "join.consent", style="primary"),
                Button("Cancel", "join.cancel"),
            ),
        ),
    )


async def join_consent(core: Core, inv: Invocation) -> None:
    await ensure_may_join(core, inv)
    profile = await core.profiles.consent(inv.actor)
    await core.outbox.reply(
        inv,
        Message(
            f"Welcome, {profile.display_name}! You're in. You'll be introduced to a peer at the "
            "next matching round. `/peer profile` shows what peers will see; `/peer help` lists "
            "everything else."
        ),
    )


async def join_cancel(core: Core, inv: Invocation) -> None:
    await core.profiles.cancel_pending(inv.actor)
    await core.outbox.reply(inv, Message("Cancelled. Nothing about you has been kept."))


async def profile(core: Core, inv: Invocation) -> None:
    if inv.args and inv.args[0].casefold() == "edit":
        await profile_edit(core, inv)
        return
    if inv.args:
        raise UserError("Use `/peer profile` to see your profile or `/peer profile edit` to change it.")
    found = await core.profiles.require(inv.actor)
    await core.outbox.reply(
        inv,
        Message(
            describe_profile(profile_as_dict(found)),
            buttons=(Button("Edit", "profile.edit"),),
        ),
    )


async def profile_edit(core: Core, inv: Invocation) -> None:
    found = await core.profiles.require(inv.actor)
    await core.outbox.reply(inv, Message(form=profile_form("profile.submit", profile_as_dict(found))))


async def profile_submit(core: Core, inv: Invocation) -> None:
    values = await _checked_profile_values(core, inv, "profile.submit")
    if values is None:
        return
    saved = await core.profiles.update(inv.actor, values)
    await core.outbox.reply(
        inv, Message("Saved. This is your profile now:\n" + describe_profile(profile_as_dict(saved)))
    )


async def pause(core: Core, inv: Invocation) -> None:
    args = list(inv.args)
    if args and args[0].casefold() == "until":
        args = args[1:]
    if len(args) > 1 or (inv.args and not args):
        raise UserError("Use `/peer pause` or `/peer pause until YYYY-MM-DD`.")
    try:
        until = parse_field(UNTIL_FIELD, args[0] if args else "")
    except FieldError as problem:
        raise UserError(f"{problem} Use `/peer pause until YYYY-MM-DD`.") from None
    await core.profiles.pause(inv.actor, until)
    when = f" until {until.isoformat()}" if until else " until you use `/peer resume`"
    await core.outbox.reply(
        inv, Message(f"Paused{when}. You won't be matched or sent scheduled messages meanwhile.")
    )


async def resume(core: Core, inv: Invocation) -> None:
    await core.profiles.resume(inv.actor)
    await core.outbox.reply(inv, Message("Welcome back: you'll be included in the next round."))


async def leave(core: Core, inv: Invocation) -> None:
    await core.profiles.require(inv.actor)
    await core.outbox.reply(
        inv,
        Message(
            "This erases your profile, matches, check-ins, notes and anonymous question threads. "
            "It cannot be undone. Are you sure?",
            buttons=(
                Button("Erase my data", "leave.confirm", style="danger"),
                Button("Keep my data", "leave.cancel"),
            ),
        ),
    )


async def leave_confirm(core: Core, inv: Invocation) -> None:
    erased = await core.profiles.erase(inv.actor)
    await core.outbox.reply(
        inv,
        Message(
            "Done: everything stored about you has been erased. You're welcome back any time "
            "with `/peer join`."
            if erased
            else "There was nothing stored about you."
        ),
    )


async def leave_cancel(core: Core, inv: Invocation) -> None:
    await core.outbox.reply(inv, Message("Nothing was erased."))


async def mydata(core: Core, inv: Invocation) -> None:
    data = await core.profiles.subject_access(inv.actor)
    if data is None:
        await core.outbox.reply(inv, Message("Nothing is stored about you."))
        return
    document = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    # It may hold the person's own anonymous questions: relay rules (their private view only).
    delivery = await core.outbox.reply(
        inv,
        Message(
            "Everything stored about you:\n```\n" + document + "\n```",
            attachments=(Attachment("mydata.json", "application/json", document.encode()),),
        ),
        Sensitivity.RELAY,
        "mydata",
    )
    if delivery.status == "refused":
        await core.outbox.reply(
            inv,
            Message(
                "For your privacy, `/peer mydata` only answers in a direct message with me. "
                "Open a direct message with the bot and try again there."
            ),
        )


ROUTES: dict[str, Route] = {
    "help": Route(show_help, "help", "show this list"),
    "join": Route(join, "join", "join the peer network (a short form, then a privacy notice)"),
    "join.submit": Route(join_submit, hidden=True),
    "join.areas": Route(join_areas, hidden=True),
    "join.edit": Route(join_edit, hidden=True),
    "join.consent": Route(join_consent, hidden=True),
    "join.cancel": Route(join_cancel, hidden=True),
    "profile": Route(profile, "profile [edit]", "show your profile, or edit it"),
    "profile.edit": Route(profile_edit, hidden=True),
    "profile.submit": Route(profile_submit, hidden=True),
    "pause": Route(pause, "pause [until YYYY-MM-DD]", "take a break from matching and check-ins"),
    "resume": Route(resume, "resume", "take part again after a pause"),
    "leave": Route(leave, "leave", "erase everything stored about you (asks first)"),
    "leave.confirm": Route(leave_confirm, hidden=True),
    "leave.cancel": Route(leave_cancel, hidden=True),
    "mydata": Route(mydata, "mydata", "see everything stored about you, as JSON"),
}
