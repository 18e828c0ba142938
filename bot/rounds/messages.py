"""What the rounds feature says to admins and members, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.kernel.durations import describe_roughly
from bot.kernel.messages import Button, Message
from bot.kernel.wording import plural
from bot.rounds.plans import Participation, PlannedRound, RecentRound
from bot.rounds.report import render_plan
from bot.rounds.rules import AGAIN
from matching.rules import RULE_HELP, MatchRules, rules_to_mapping


def recent_round_question(recent: RecentRound, now: datetime) -> str:
    """Why a second round needs a yes, in the admin's words: when, and where introductions stand."""
    going = (
        "introductions are going out" if recent.introductions_pending else "its introductions have gone out"
    )
    return (
        f"Round {recent.round_id} was committed {describe_roughly(now - recent.committed_at)} ago; "
        f"{going}. Another round now would give everyone a second partner at once. "
        "Start another anyway?"
    )


def preview_message(planned: PlannedRound) -> Message:
    """The plan, with a button that commits this very plan (same seed)."""
    return Message(
        render_plan(planned),
        buttons=(Button("Send this round", "admin.round", ("seed", str(planned.plan.seed)), "primary"),),
    )


def confirm_repeat_message(recent: RecentRound, now: datetime, args: Sequence[str]) -> Message:
    """The question before a second round, with a button that repeats the command plus `again`."""
    return Message(
        recent_round_question(recent, now),
        buttons=(Button("Start another round", "admin.round", (*args, AGAIN), "danger"),),
    )


def committed_message(planned: PlannedRound) -> Message:
    """A committed round in one line: what happens next for the matched and the unmatched."""
    text = (
        f"Round {planned.round_id} committed: {plural(len(planned.plan.groups), 'group')}; "
        "introductions are on their way."
    )
    unmatched = len(planned.plan.unmatched)
    if unmatched:
        text += f" {plural(unmatched, 'person', 'people')} will be told why they weren't matched."
    return Message(text)


def rules_message(rules: MatchRules, version: int) -> Message:
    """Every matching rule with its value and what it does."""
    lines = [f"*Matching rules* (version {version}); change one with `/peer admin set NAME VALUE`:"]
    for key, value in rules_to_mapping(rules).items():
        lines.append(
            f"• `{key}` = {str(value).lower() if isinstance(value, bool) else value}: {RULE_HELP[key]}"
        )
    return Message("\n".join(lines))


SET_USAGE = (
    "Use `/peer admin set NAME VALUE`, e.g. `/peer admin set group_size 3`. "
    "`/peer admin rules` lists the names."
)


def rule_set_message(key: str, value: str, version: int) -> Message:
    """A rule changed, and how to see what it does to the next round."""
    return Message(
        f"Set `{key}` to {value} (rules version {version}). `/peer admin preview` shows the effect."
    )


def participation_message(figures: Participation) -> Message:
    """Participation counts (never content)."""
    return Message(
        f"*Participation* in this community: {figures.active} active, "
        f"{figures.paused} paused, {figures.pending} yet to consent; "
        f"{plural(figures.rounds, 'round')} so far in {figures.scope}."
    )


def avoid_list_message(names: Sequence[str]) -> Message:
    """A person's own don't-pair list, and how to change it."""
    listing = ", ".join(names) if names else "nobody"
    return Message(
        f"You won't be paired with: {listing}. Only you can see this list. "
        "Add with `/peer avoid NAME`, remove with `/peer avoid remove NAME`."
    )


def avoid_changed_message(name: str, removed: bool) -> Message:
    """Confirmation of a change to the don't-pair list."""
    verb = "may be paired with" if removed else "won't be paired with"
    return Message(f"Done: you {verb} {name}. Only you can see this.")


def unmatched_message(reason: str) -> Message:
    """Why someone was not matched this round, so nobody is silently left out."""
    return Message(f"You weren't matched this round: {reason}. You'll be included again next round.")
