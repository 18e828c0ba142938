"""The check-in rules, as pure functions: no database and no clock (callers pass `now`).

Which cadence and zone a group gets, when it first meets and meets next, what may be moved,
skipped or answered, what a follow-up's answers mean for the round, when someone silent is
paused, and when a group is offered to continue together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.checkins.wording import format_local
from bot.kernel.errors import UserError
from bot.kernel.quiet_hours import add_local_days, local_to_utc, parse_clock_time

# Monthly means every four weeks, so a check-in keeps its weekday.
CADENCE_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 28}
MET_CHOICES = {"met": "Met", "not_yet": "Not yet", "couldnt": "Couldn't"}
FURTHEST_RESCHEDULE = timedelta(days=90)
HIGH_RATING = 4


class _HasGroup(Protocol):
    group_id: int


CheckinLike = TypeVar("CheckinLike", bound=_HasGroup)


def agreed_cadence(preferences: Sequence[str]) -> str:
    """The cadence most members asked for; on a tie, the less frequent one (asks less of people)."""
    counts = Counter(p for p in preferences if p in CADENCE_DAYS)
    if not counts:
        return "fortnightly"
    return max(counts, key=lambda cadence: (counts[cadence], CADENCE_DAYS[cadence]))


def group_timezone(zones: Sequence[str]) -> str:
    """The zone most members live in (the first member's on a tie): check-in times are set there."""
    counts = Counter(zones)
    return max(zones, key=lambda zone: counts[zone]) if zones else "Europe/London"


def first_checkin_moment(introduced_at: datetime, settings, timezone: str) -> datetime:
    """When a newly introduced group first meets.

    Whole days land on `checkin_time` in the group's zone, as people plan their weeks; a
    shorter delay (an organiser rehearsing a cycle in minutes) lands exactly that long after.
    """
    after = settings.first_checkin_after
    if after % timedelta(days=1):
        return introduced_at + after
    local_day = introduced_at.astimezone(ZoneInfo(timezone)).date()
    return local_to_utc(local_day + after, parse_clock_time(settings.checkin_time), timezone)


def next_checkin_moment(previous: datetime, cadence: str, timezone: str, now: datetime) -> datetime:
    """The first cadence step after `previous` that is still ahead of `now`, at the same wall-clock
    time in the group's zone (so a weekly 10:00 stays 10:00 across clock changes)."""
    when = add_local_days(previous, CADENCE_DAYS[cadence], timezone)
    while when <= now:
        when = add_local_days(when, CADENCE_DAYS[cadence], timezone)
    return when


def group_goes_on(member_count: int, in_newer_group: bool) -> bool:
    """A group keeps meeting while two or more remain and none of them was introduced again
    (the next round took over)."""
    return member_count >= 2 and not in_newer_group


@dataclass(frozen=True)
class CheckinTimeline:
    """When each piece of a check-in's scheduled work falls due."""

    remind_at: datetime | None  # None once the check-in has begun: nothing to remind of
    followup_at: datetime
    close_at: datetime


def checkin_timeline(scheduled_at: datetime, settings, now: datetime) -> CheckinTimeline:
    """Reminder (at once if it is already late), follow-up after the meeting, then its close."""
    followup_at = scheduled_at + settings.followup_after
    remind_at = max(now, scheduled_at - settings.reminder_before) if scheduled_at > now else None
    return CheckinTimeline(remind_at, followup_at, followup_at + settings.followup_window)


def reschedule_moment(day: date, at: time, timezone: str, now: datetime) -> datetime:
    """The moment a person asked to move their check-in to, read in their own zone.

    It must lie ahead, and within 90 days, so nobody parks a group's check-ins far away.
    """
    when = local_to_utc(day, at, timezone)
    if when <= now:
        raise UserError(f"{format_local(when, timezone)} has already passed; choose a later time.")
    if when > now + FURTHEST_RESCHEDULE:
        raise UserError("Choose a time within the next 90 days.")
    return when


def may_skip(status: str, scheduled_at: datetime, now: datetime) -> bool:
    """Only a check-in still to come can be skipped."""
    return status == "scheduled" and scheduled_at > now


def may_answer(status: str) -> bool:
    """A skipped check-in has no follow-up to answer."""
    return status != "skipped"


def chosen_cadence(word: str) -> str:
    """The cadence a person asked for, refusing anything unknown."""
    wanted = word.casefold()
    if wanted not in CADENCE_DAYS:
        raise UserError("Choose one of: `/peer checkin cadence weekly`, `fortnightly` or `monthly`.")
    return wanted


def refuse_unchanged_cadence(wanted: str, current: str) -> None:
    """Asking for the cadence the group already has is a mistake worth saying."""
    if wanted == current:
        raise UserError(f"You already meet {wanted}.")


def outcome_after_answer(current: str | None, choice: str) -> str | None:
    """One "met" makes the group's round count as met at once."""
    return "met" if choice == "met" else current


def outcome_after_followup(current: str | None, answers: Sequence[str]) -> str | None:
    """When a follow-up closes with answers but no "met", the round counts as not met."""
    if current is None and answers and "met" not in answers:
        return "not_met"
    return current


def silent_run(group_ids_newest_first: Iterable[int], answered: set[int]) -> int:
    """How many of the latest groups in a row the person never answered a follow-up of."""
    silent = 0
    for group_id in group_ids_newest_first:
        if group_id in answered:
            break
        silent += 1
    return silent


def pauses_now(silent: int, limit: int) -> bool:
    """Every `limit`-th silent introduction in a row pauses, so someone who resumes and stays
    silent is paused after another `limit`, not at once."""
    return bool(silent) and silent % limit == 0


def everyone_rated_highly(ratings: Iterable[int | None], member_count: int) -> bool:
    """Continuing together is offered only when every member rated the check-in 4 or 5."""
    return sum(1 for rating in ratings if rating is not None and rating >= HIGH_RATING) == member_count


def continue_offer_recipients(member_ids: Sequence[int], ratings: Iterable[int | None]) -> list[int]:
    """Who is asked whether to continue together: every member once all rated highly, else
    nobody. Each answers for themselves; the next round keeps together those who said yes."""
    return list(member_ids) if everyone_rated_highly(ratings, len(member_ids)) else []


def latest_checkin_of_group(checkins: Sequence[CheckinLike], group_id: int) -> CheckinLike | None:
    """The group's most recent check-in in a soonest-first list: a continue choice is recorded there."""
    mine = [checkin for checkin in checkins if checkin.group_id == group_id]
    return mine[-1] if mine else None
