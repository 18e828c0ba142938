"""Rounds on a schedule: cron fire times become "round" jobs in the database.

The scheduler only says when; each fire is enqueued with a key naming the scope and the
local date, so two bot processes (or a restart that catches up) add it once, and one
process runs it. Fortnightly and other every-Nth-week schedules count whole weeks since
a fixed Monday rather than ISO week numbers, which would break the rhythm in years with
a week 53.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.kernel.config import RoundsSection
from bot.kernel.errors import UserError
from bot.kernel.jobs import Cancelled, ClaimedJob, enqueue
from bot.rounds.service import RecentRound

if TYPE_CHECKING:
    from bot.kernel.core import Core

log = logging.getLogger(__name__)

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


async def round_scopes(core: Core) -> list[str]:
    """Scopes that get scheduled rounds: every community or federation with members, as the
    rounds service names them ("slack:T0123", "federation:north")."""
    return await core.services["rounds"].scopes()


def scope_fires(
    rounds: RoundsSection, scope: str, since: datetime, until: datetime
) -> list[tuple[datetime, str]]:
    """(due time, job key) of each round the scope's schedule fires in (since, until]."""
    cron = rounds.schedules.get(scope, rounds.cron)
    fires = []
    for moment in fire_times(cron, rounds.timezone, since, until):
        local_day = moment.astimezone(ZoneInfo(rounds.timezone)).date()
        if is_matching_week(local_day, rounds.every_weeks):
            fires.append((moment, f"round:{scope}:{local_day.isoformat()}"))
    return fires


async def enqueue_due_rounds(core: Core, since: datetime, until: datetime) -> int:
    """Add a "round" job for every scheduled fire in (since, until]; returns how many fires."""
    if not core.config.rounds.enabled:
        return 0
    now = core.clock.now()
    count = 0
    scopes = await round_scopes(core)
    async with core.db.session() as session, session.begin():
        for scope in scopes:
            for due, key in scope_fires(core.config.rounds, scope, since, until):
                await enqueue(session, ROUND, key, due, {"scope": scope}, now)
                count += 1
    return count


def install(core: Core) -> None:
    """Run scheduled rounds: the scheduler asks for fires due, the job queue commits them."""
    core.jobs.register(ROUND, run_round)
    core.hooks.due_work.append(partial(enqueue_due_rounds, core))


async def run_round(core: Core, job: ClaimedJob) -> None:
    """Commit a scheduled round through the rounds service (which enqueues the introductions)."""
    try:
        await core.services["rounds"].commit(job.payload["scope"], started_by="schedule")
    except UserError:
        log.info("a scheduled round was not started: the rounds service declined")
        raise Cancelled() from None
    except RecentRound:
        log.info("a scheduled round was not started: an admin started one shortly before")
        raise Cancelled() from None
