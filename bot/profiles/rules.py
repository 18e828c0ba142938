"""The rules of joining, consenting, editing, pausing and resuming, as pure functions.

Each takes the facts it needs (a profile's status, today's date, what was typed) and either
answers or raises a UserError with the words the person sees; none reads the database or
the clock, so each is tested without either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.kernel.errors import UserError
from bot.kernel.forms import FieldError, parse_field
from bot.kernel.messages import Field
from matching.vocabulary import INTEGRATION_AREAS

UNTIL_FIELD = Field("until", "Pause until", kind="date", required=False)
NO_JOIN_FORM = "There is no join form waiting. Start again with `/peer join`."


def check_may_open_join_form(status: str | None) -> None:
    """Anyone may open the join form again until they have agreed; members edit instead."""
    if status is not None and status != "pending":
        raise UserError("You're already a member. Use `/peer profile` to see or edit your profile.")


def check_may_keep_join_form(status: str | None) -> None:
    """A filled-in join form is kept only for someone who has not joined yet."""
    if status is not None and status != "pending":
        raise UserError("You're already a member. Use `/peer profile edit` to change your profile.")


def check_join_form_waiting(status: str | None) -> None:
    """Choosing areas or editing the suggestion needs a join form that is still waiting."""
    if status != "pending":
        raise UserError(NO_JOIN_FORM)


def check_may_consent(status: str | None) -> None:
    """Consent is given once, to a waiting join form."""
    if status is None:
        raise UserError(NO_JOIN_FORM)
    if status != "pending":
        raise UserError("You have already joined.")


def check_areas(areas: Sequence[str]) -> None:
    """Area buttons carry vocabulary keys; anything else was forged or is stale."""
    if any(a not in INTEGRATION_AREAS for a in areas):
        raise UserError("Those are not integration areas. Start again with `/peer join`.")


def suggestion_differs(suggested: Sequence[str], chosen: Sequence[str]) -> bool:
    """Suggested areas are worth offering only when they are not the ones already chosen."""
    return set(suggested) != set(chosen)


def wants_profile_edit(args: Sequence[str]) -> bool:
    """`/peer profile` shows the profile, `/peer profile edit` opens the form; nothing else."""
    if args and args[0].casefold() == "edit":
        return True
    if args:
        raise UserError("Use `/peer profile` to see your profile or `/peer profile edit` to change it.")
    return False


def needs_new_vector(old_challenge: str, new_challenge: str, has_vector: bool) -> bool:
    """Embedding costs time (and maybe a server call): redo it only when the text changed."""
    return new_challenge != old_challenge or not has_vector


def parse_pause_until(args: Sequence[str]) -> date | None:
    """The date in `/peer pause [until] YYYY-MM-DD`, or None for a pause without an end."""
    words = list(args)
    if words and words[0].casefold() == "until":
        words = words[1:]
    if len(words) > 1 or (args and not words):
        raise UserError("Use `/peer pause` or `/peer pause until YYYY-MM-DD`.")
    try:
        return parse_field(UNTIL_FIELD, words[0] if words else "")
    except FieldError as problem:
        raise UserError(f"{problem} Use `/peer pause until YYYY-MM-DD`.") from None


def check_pause_end(until: date | None, today: date) -> None:
    """A pause must end in the future, or it would end before it began."""
    if until is not None and until <= today:
        raise UserError(f"{until.isoformat()} is not in the future; give a later date.")


def check_may_resume(status: str) -> None:
    """Only a paused member can resume."""
    if status != "paused":
        raise UserError("You're not paused, so there is nothing to resume.")
