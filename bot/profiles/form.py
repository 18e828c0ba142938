"""The join / edit-profile form: the fields a practitioner fills in, and their rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.kernel.messages import Field, Form
from matching.vocabulary import CADENCES, INTEGRATION_AREAS, ORG_TYPES, REGIONS, STAGES

CHALLENGE_MIN, CHALLENGE_MAX = 20, 2000

PROFILE_FIELDS: tuple[Field, ...] = (
    Field("display_name", "Display name", max_length=80, hint="How peers will see you."),
    Field(
        "organisation",
        "Organisation",
        max_length=120,
        hint="e.g. Leeds City Council. You are never matched with your own organisation.",
    ),
    Field("org_type", "Organisation type", kind="choice", choices=ORG_TYPES),
    Field("region", "Region", kind="choice", choices=REGIONS),
    Field("role", "Role", max_length=120, hint="e.g. Integrated discharge lead"),
    Field(
        "areas",
        "Integration areas",
        kind="multi_choice",
        choices=INTEGRATION_AREAS,
        hint="Choose all that apply.",
    ),
    Field(
        "challenge",
        "Current integration challenge",
        kind="long_text",
        min_length=CHALLENGE_MIN,
        max_length=CHALLENGE_MAX,
        hint="What are you trying to join up, and what is getting in the way? Peers are "
        "matched on this. Don't name individuals.",
    ),
    Field("stage", "Stage", kind="choice", choices=STAGES),
    Field(
        "timezone",
        "Time zone",
        kind="timezone",
        initial="Europe/London",
        hint="An IANA name such as Europe/London.",
    ),
    Field("cadence", "Preferred check-in cadence", kind="choice", choices=CADENCES, initial="fortnightly"),
    Field(
        "accepts_questions", "Willing to answer anonymous questions from peers?", kind="yes_no", initial="yes"
    ),
)

PROFILE_FIELD_NAMES = tuple(f.name for f in PROFILE_FIELDS)


def _initial_text(field: Field, value: Any) -> str | tuple[str, ...]:
    if field.kind == "multi_choice":
        return tuple(value or ())
    if field.kind == "yes_no":
        return "yes" if value else "no"
    return "" if value is None else str(value)


def profile_form(submit_command: str, current: Mapping[str, Any] | None = None) -> Form:
    """The profile form, pre-filled with `current` values when editing."""
    fields = PROFILE_FIELDS
    if current:
        fields = tuple(
            replace(f, initial=_initial_text(f, current[f.name])) if f.name in current else f for f in fields
        )
    title = "Join the peer network" if submit_command == "join.submit" else "Edit your profile"
    return Form(
        title=title,
        fields=fields,
        submit_command=submit_command,
        submit_label="Next" if submit_command == "join.submit" else "Save",
    )
