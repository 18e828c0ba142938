"""Quiet hours and wall-clock arithmetic in a person's own time zone.

Scheduled messages respect the person's day: nothing before `quiet_end` or from
`quiet_start` in their zone. These are pure functions of a moment and a zone, so the
clock changes (Europe/London's last Sundays of March and October) can be tested exactly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


def parse_clock_time(text: str) -> time:
    """ "08:00" → time(8, 0); the config has already checked the format."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def local_to_utc(day: date, at: time, tz: str) -> datetime:
    """The UTC moment when the wall clock in `tz` shows `day` `at`.

    A time that does not exist (the hour skipped when clocks go forward) lands the same
    distance after the jump, e.g. 01:30 on the March change in London becomes 02:30 BST;
    a time that happens twice (clocks going back) means its first occurrence. That is
    PEP 495's fold=0 rule, which is what people mean by "half past one that night".
    """
    return datetime.combine(day, at).replace(tzinfo=ZoneInfo(tz), fold=0).astimezone(UTC)


def is_allowed(local: time, quiet_start: time, quiet_end: time) -> bool:
    """Whether a local wall-clock time is outside the quiet hours."""
    if quiet_start == quiet_end:
        return True
    if quiet_start > quiet_end:  # the usual case: quiet over midnight, e.g. 18:00 → 08:00
        return quiet_end <= local < quiet_start
    return not (quiet_start <= local < quiet_end)


def next_allowed(moment: datetime, tz: str, quiet_start: time, quiet_end: time) -> datetime:
    """`moment` if a message may go out then, else the next time quiet hours end (UTC)."""
    local = moment.astimezone(ZoneInfo(tz))
    if is_allowed(local.time(), quiet_start, quiet_end):
        return moment
    day = local.date()
    candidate = local_to_utc(day, quiet_end, tz)
    while candidate <= moment:
        day += timedelta(days=1)
        candidate = local_to_utc(day, quiet_end, tz)
    return candidate


def add_local_days(moment: datetime, days: int, tz: str) -> datetime:
    """The same wall-clock time `days` later in `tz`, so a weekly 10:00 stays 10:00 across DST."""
    local = moment.astimezone(ZoneInfo(tz))
    return local_to_utc(local.date() + timedelta(days=days), local.time().replace(tzinfo=None), tz)


class QuietHoursSettings(Protocol):
    """The two settings quiet hours need ("HH:MM"), e.g. the `[checkins]` section."""

    quiet_start: str
    quiet_end: str


def hold_for_quiet_hours(settings: QuietHoursSettings, timezone: str, when: datetime) -> datetime | None:
    """None if a scheduled message may reach someone in `timezone` at `when`; else when it may.

    Handlers of scheduled messages (introductions, check-ins, relay deliveries) raise
    RetryLater with the answer.
    """
    start, end = parse_clock_time(settings.quiet_start), parse_clock_time(settings.quiet_end)
    allowed = next_allowed(when, timezone, start, end)
    return None if allowed == when else allowed
