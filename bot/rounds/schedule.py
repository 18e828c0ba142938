"""When scheduled rounds fire: cron fire times in the rounds' time zone, on matching weeks only.

Pure rules (no database, no clock: callers pass the window). Each fire is named by a job key
holding the scope and the local date, so two bot processes (or a restart that catches up)
add it once, and one process runs it. Fortnightly and other every-Nth-week schedules count
whole weeks since a fixed Monday rather than ISO week numbers, which would break the rhythm
in years with a week 53.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.kernel.config import RoundsSection

ROUND = "round"
WEEK_ZERO = date(1970, 1, 5)  # a Monday


def is_matching_week(day: date, every_weeks: int) -> bool:
    """Whether `day` falls in a week when rounds run (every Nth week, counted from WEEK_ZERO)."""
    return ((day - WEEK_ZERO).days // 7) % every_weeks == 0


def fire_times(cron: str, tz: str, since: datetime, until: datetime) -> Iterator[datetime]:
    """Cron fire times in (since, until], as UTC."""
    trigger = CronTrigger.from_crontab(cron, timezone=tz)
    moment = trigger.get_next_fire_time(None, since + timedelta(seconds=1))
    while moment is not None and moment <= until:
        yield moment.astimezone(UTC)
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))


def scope_fires(
    rounds: RoundsSection, scope: str, since: datetime, until: datetime
) -> list[tuple[datetime, str]]:
    """(due time, job key) of each round the scope's schedule fires in (since, until]."""
    cron = rounds.schedules.get(scope, rounds.cron)
    fires = []
    for moment in fire_times(cron, rounds.timezone, since, until):
        local_day = moment.astimezone(ZoneInfo(rounds.timezone)).date()
        if is_matching_week(local_day, rounds.every_weeks):
            fires.append((moment, f"{ROUND}:{scope}:{local_day.isoformat()}"))
    return fires
