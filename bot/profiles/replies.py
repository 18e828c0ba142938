"""What the profile commands say: every reply's words and buttons, built from service results."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from bot.kernel.config import Config
from bot.kernel.messages import Attachment, Button, Message
from bot.kernel.storage.models import Profile
from bot.profiles.form import profile_form
from bot.profiles.privacy_notice import privacy_notice
from bot.profiles.suggestions import SuggestedAreas
from bot.profiles.views import area_labels, describe_profile, profile_as_dict

# The argument a reopened join form carries: the person has reviewed a suggestion already.
REVIEWED = "reviewed"

CANCELLED = Message("Cancelled. Nothing about you has been kept.")
RESUMED = Message("Welcome back: you'll be included in the next round.")
NOTHING_ERASED = Message("Nothing was erased.")
NOTHING_STORED = Message("Nothing is stored about you.")
MYDATA_ONLY_IN_DM = Message(
    "For your privacy, `/peer mydata` only answers in a direct message with me. "
    "Open a direct message with the bot and try again there."
)
LEAVE_QUESTION = Message(
    "This erases your profile, matches, check-ins, notes and anonymous question threads. "
    "It cannot be undone. Are you sure?",
    buttons=(
        Button("Erase my data", "leave.confirm", style="danger"),
        Button("Keep my data", "leave.cancel"),
    ),
)


def join_form(waiting: Profile | None) -> Message:
    """The join form, filled in with a waiting form's values when there is one."""
    return Message(
        "Tell us about your work so we can match you with a peer from another organisation.",
        form=profile_form("join.submit", profile_as_dict(waiting) if waiting else None),
    )


def form_errors(submit: str, values: dict[str, Any], errors: dict[str, str]) -> Message:
    """The form again, keeping the good values, with what to fix in each bad field."""
    return Message(
        "Please fix the highlighted fields.",
        form=profile_form(submit, {k: v for k, v in values.items() if k not in errors}),
        field_errors=errors,
    )


def suggestion_offer(suggestion: SuggestedAreas, chosen: list[str]) -> Message:
    """Suggested areas beside the person's own, to use, keep theirs or edit."""
    return Message(
        f"Suggested areas: {area_labels(suggestion.areas)}; summary: {suggestion.summary}\n"
        f"You chose: {area_labels(chosen)}. Which areas should peers see?",
        buttons=(
            Button("Use suggested areas", "join.areas", suggestion.areas, style="primary"),
            Button("Keep mine", "join.areas"),
            Button("Edit", "join.edit", suggestion.areas),
        ),
    )


def reopened_join_form(waiting: Profile, areas: tuple[str, ...]) -> Message:
    """The join form with the suggested areas filled in, marked as reviewed."""
    values = profile_as_dict(waiting)
    form = profile_form("join.submit", {**values, "areas": list(areas) or values["areas"]})
    return Message(form=replace(form, args=(REVIEWED,)))


def consent_request(config: Config) -> Message:
    """The privacy notice, and the two answers to it."""
    return Message(
        privacy_notice(config) + "\n\nDo you agree?",
        buttons=(
            Button("I agree, join", "join.consent", style="primary"),
            Button("Cancel", "join.cancel"),
        ),
    )


def welcome(profile: Profile) -> Message:
    """Said once consent is recorded."""
    return Message(
        f"Welcome, {profile.display_name}! You're in. You'll be introduced to a peer at the "
        "next matching round. `/peer profile` shows what peers will see; `/peer help` lists "
        "everything else."
    )


def profile_shown(profile: Profile) -> Message:
    """The person's profile as peers see it, with a way to edit it."""
    return Message(describe_profile(profile_as_dict(profile)), buttons=(Button("Edit", "profile.edit"),))


def profile_edit_form(profile: Profile) -> Message:
    """The profile form, filled in with what is stored."""
    return Message(form=profile_form("profile.submit", profile_as_dict(profile)))


def profile_saved(profile: Profile) -> Message:
    """The edited profile as it is now stored."""
    return Message("Saved. This is your profile now:\n" + describe_profile(profile_as_dict(profile)))


def paused(until: date | None) -> Message:
    """Until when the person is left out."""
    when = f" until {until.isoformat()}" if until else " until you use `/peer resume`"
    return Message(f"Paused{when}. You won't be matched or sent scheduled messages meanwhile.")


def erased(done: bool) -> Message:
    """Whether anything was there to erase."""
    return Message(
        "Done: everything stored about you has been erased. You're welcome back any time with `/peer join`."
        if done
        else "There was nothing stored about you."
    )


def mydata(data: dict[str, Any]) -> Message:
    """Everything stored about the person, as JSON text and as an attached file."""
    document = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return Message(
        "Everything stored about you:\n```\n" + document + "\n```",
        attachments=(Attachment("mydata.json", "application/json", document.encode()),),
    )
