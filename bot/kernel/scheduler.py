"""The clock that drives scheduled work. It holds no state: the database says what is due.

APScheduler (3.x, AsyncIOScheduler) wakes the process every [checkins] poll_interval to
run due jobs, and at each round schedule's cron time to enqueue that round. Any number of
bot processes can do this at once; job keys and row claims keep the work exactly-once.
With a fake clock (tests, `peerbot console --fake-clock`) time moves only when told, and
`advance_clock` steps through every due moment in order, as real time would.

APScheduler only wakes us: the work of each wake-up runs in a task of our own. Its
`shutdown()` cancels the coroutine jobs it started, which used to cancel a tick in the
middle of a database call; it logged the CancelledError with a traceback and could leave a
half-opened SQLite connection whose (non-daemon) thread kept the process alive at exit.
Now `stop` lets the running work finish within a grace period, and only then cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import and_, func, or_, select

from bot.kernel.clock import FakeClock
from bot.kernel.storage.job_models import Job

if TYPE_CHECKING:
    from bot.kernel.core import Core

log = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=12)
SHUTDOWN_GRACE_SECONDS = 5.0  # how long deliveries under way may take to finish at shutdown
STEP_LIMIT = 100_000
_DELTA = re.compile(r"^\+(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Scheduler:
    """Starts and stops the APScheduler jobs for one core."""

    def __init__(self, core: Core, cron_rounds: bool = True):
        self.core = core
        self.cron_rounds = cron_rounds
        self._aps: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task] = set()
        self._due_run: asyncio.Task | None = None

    async def start(self) -> None:
        """Catch up on rounds missed while stopped, then wake on the poll interval and cron times."""
        core = self.core
        now = core.clock.now()
        if self.cron_rounds:
            await core.hooks.enqueue_due(now - CATCH_UP, now)
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._aps.add_job(
            self.tick,
            IntervalTrigger(seconds=core.config.checkins.poll_interval.total_seconds()),
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # a late tick is still worth running; no "missed" warnings
        )
        rounds = core.config.rounds
        if self.cron_rounds and rounds.enabled:
            for cron in {rounds.cron, *rounds.schedules.values()}:
                self._aps.add_job(
                    self.fire_rounds,
                    CronTrigger.from_crontab(cron, timezone=rounds.timezone),
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=3600,
                )
        self._aps.start()

    async def tick(self) -> None:
        """Start running whatever is due, unless a run is still going (it takes up new work itself).

        The tick returns at once, so under load APScheduler never finds the previous tick still
        running (it would log "skipped: maximum number of running instances" every poll).
        """
        if self._due_run is None or self._due_run.done():
            self._due_run = self._track(self._run_due())

    async def fire_rounds(self) -> None:
        """A round schedule fired: enqueue its rounds (idempotently) and run them."""
        await self._own(self._enqueue_rounds())
        await self.tick()

    async def _own(self, work: Awaitable[None]) -> None:
        """Run `work` in a task of ours, so APScheduler's shutdown cannot cancel it half-way.

        APScheduler cancels this wrapper at shutdown; the wrapper then simply returns (APScheduler
        would log a cancellation as a failed job), and `stop` decides what happens to the work.
        """
        task = self._track(work)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)

    def _track(self, work: Awaitable[None]) -> asyncio.Task:
        """A task `stop` waits for (and cancels after the grace period)."""
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _run_due(self) -> None:
        """A failure is logged (type only) and retried next tick; a summary, not a line per job."""
        try:
            counts = await self.core.jobs.run_due(self.core)
        except Exception as problem:
            log.error("running due jobs failed with %s", type(problem).__name__)
            return
        if counts:
            log.debug(
                "ran due jobs: %s", ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            )

    async def _enqueue_rounds(self) -> None:
        now = self.core.clock.now()
        try:
            await self.core.hooks.enqueue_due(now - timedelta(hours=1), now)
        except Exception as problem:
            log.error("enqueueing scheduled rounds failed with %s", type(problem).__name__)

    async def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Claim nothing more, let work under way finish for up to `grace` seconds, then cancel
        what is left and release the leases of jobs claimed but not started."""
        if self._aps is None:
            return
        self.core.jobs.stopping = True
        if self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None
        if self._running:
            _, late = await asyncio.wait(set(self._running), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            if late:
                log.warning("stopped %d unfinished job run(s) after %.0f s", len(late), grace)
        try:
            await self.core.jobs.release_unstarted(self.core)
        except Exception as problem:
            reason = type(problem).__name__
            log.warning("could not release unstarted jobs (%s); their leases will run out", reason)


async def next_due(core: Core) -> datetime | None:
    """When the next pending job becomes claimable: its due time, or just after a dead lease ends."""
    now = core.clock.now()
    async with core.db.session() as session:
        free = await session.execute(
            select(func.min(Job.due_at)).where(
                and_(Job.status == "pending", or_(Job.lease_until.is_(None), Job.lease_until < now))
            )
        )
        held = await session.execute(
            select(func.min(Job.lease_until)).where(and_(Job.status == "pending", Job.lease_until >= now))
        )
        first, lease_end = free.scalar_one_or_none(), held.scalar_one_or_none()
    candidates = [t for t in (first, lease_end and lease_end + timedelta(microseconds=1)) if t is not None]
    return min(candidates) if candidates else None


async def advance_clock(core: Core, clock: FakeClock, delta: timedelta) -> dict[str, int]:
    """Move a fake clock forward, stopping at each moment work falls due to run it then.

    Jumping three days at once would run a Monday reminder on Thursday; stepping keeps the
    order and the quiet hours as real time would. Returns job outcomes counted.
    """
    start = clock.now()
    target = start + delta
    await core.hooks.enqueue_due(start, target)
    counts: dict[str, int] = {}
    for _ in range(STEP_LIMIT):
        due = await next_due(core)
        if due is None or due > target:
            break
        if due > clock.now():
            clock.set(due)
        for outcome, n in (await core.jobs.run_due(core)).items():
            counts[outcome] = counts.get(outcome, 0) + n
    clock.set(target)
    for outcome, n in (await core.jobs.run_due(core)).items():
        counts[outcome] = counts.get(outcome, 0) + n
    return counts


def parse_delta(text: str) -> timedelta | None:
    """ "+2h", "+3d", "+30m", "+1w" → a timedelta; anything else → None."""
    match = _DELTA.match(text.strip())
    if not match:
        return None
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def clock_console_command(core: Core):
    """The console's /clock command: show the time, or move a fake clock and run what falls due."""

    async def clock_command(session, words: list[str]) -> None:
        now = core.clock.now()
        if not words:
            kind = "fake" if isinstance(core.clock, FakeClock) else "real"
            session.say(
                f"Clock ({kind}): {now:%A %d %B %Y %H:%M} UTC. Move a fake clock with /clock +2h or +3d."
            )
            return
        delta = parse_delta(words[0])
        if delta is None or len(words) != 1:
            session.say("Use /clock to show the time, or /clock +30m, +2h, +3d or +1w to move it.")
            return
        if not isinstance(core.clock, FakeClock):
            session.say("The clock is real. Start with `peerbot console --fake-clock` to move time.")
            return
        counts = await advance_clock(core, core.clock, delta)
        ran = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing due"
        session.say(f"Clock now {core.clock.now():%A %d %B %Y %H:%M} UTC. Jobs: {ran}.")

    return clock_command
