"""Scheduled work kept in the database and claimed with a lease.

The database is the single source of truth: a job is a row with a due time. A worker
claims due rows (with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several bot processes
can share the work and each row goes to exactly one), holds them for a lease, runs the
handler for the job's kind, and records the outcome at once.

Exactly once, under latency, rate limits, stalls and restarts:
- every send is fenced (bot/kernel/send_fence.py): the lease is renewed, on condition that this
  process still owns the job, right before each platform call; a process that lost the job
  stops without sending;
- a job's outcome is written as soon as its handler returns, one job at a time;
- a send that may have started before a crash leaves `sending_since` set, and the next holder
  asks the platform (Slack metadata, Discord nonce) before sending again.

Jobs run concurrently, up to `concurrency` at a time; the jobs of one person (keys starting
`p{id}:`) run one after another, in due order, so their messages arrive in order.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import traceback
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.job_outcomes import Cancelled, ClaimedJob, GaveUp, RetryLater
from bot.kernel.retry_policy import backoff
from bot.kernel.send_fence import LeaseLost, SendFence, current_fence
from bot.kernel.storage.database import Database
from bot.kernel.storage.job_models import Job


class Core(Protocol):
    """What the queue needs of the core it runs handlers with (handlers get the whole core)."""

    db: Database
    clock: Clock


log = logging.getLogger(__name__)

__all__ = [
    "Cancelled",
    "ClaimedJob",
    "GaveUp",
    "JobQueue",
    "RetryLater",
    "cancel",
    "delete_by_prefix",
    "enqueue",
]

# Handler failures (bugs, a database error) are retried this many times, then the job fails.
MAX_HANDLER_ERRORS = 8


JobHandler = Callable[[Any, ClaimedJob], Awaitable[None]]  # called with the core
# Loads, in a few queries, what the handlers of a claimed batch need: job id → context.
JobPrefetch = Callable[[Any, list[ClaimedJob]], Awaitable[Mapping[int, Any]]]


async def enqueue(
    session: AsyncSession,
    kind: str,
    key: str,
    due_at: datetime,
    payload: Mapping[str, Any],
    now: datetime,
) -> None:
    """Add a job in the caller's transaction; a job with the same key is never added twice."""
    dialect = session.bind.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Job)
        .values(
            kind=kind,
            key=key,
            due_at=due_at,
            payload=dict(payload),
            status="pending",
            attempts=0,
            failures=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    await session.execute(statement)


async def cancel(session: AsyncSession, key_prefix: str) -> int:
    """Cancel pending jobs whose key starts with the prefix (e.g. everything for one person)."""
    result = await session.execute(
        update(Job)
        .where(and_(Job.status == "pending", Job.key.startswith(key_prefix, autoescape=True)))
        .values(status="cancelled")
    )
    return result.rowcount


async def delete_by_prefix(session: AsyncSession, key_prefixes: Iterable[str]) -> int:
    """Delete jobs in any state, done ones too, whose key starts with one of the prefixes.

    For work about data that must leave no trace once deleted (a purged relay thread): unlike
    `cancel`, no row stays behind to say when it was due, ran or finished.
    """
    prefixes, deleted = list(key_prefixes), 0
    for start in range(0, len(prefixes), 200):
        matches = [Job.key.startswith(prefix, autoescape=True) for prefix in prefixes[start : start + 200]]
        deleted += (await session.execute(delete(Job).where(or_(*matches)))).rowcount
    return deleted


def lane_of(job: ClaimedJob) -> str:
    """Jobs in one lane run in order: a person's own jobs ("p12:…") share the person's lane."""
    head = job.key.split(":", 1)[0]
    return head if head[:1] == "p" and head[1:].isdigit() else f"job{job.id}"


class JobQueue:
    """Claims and runs due jobs; one per process, with a random owner id."""

    def __init__(self, lease: timedelta, concurrency: int = 1, send_margin: timedelta | None = None):
        self.owner = f"worker-{secrets.token_hex(6)}"
        self.lease = lease
        self.concurrency = max(1, concurrency)
        # A send starts only with at least this much of the lease left (a call's timeout).
        self.send_margin = send_margin if send_margin is not None else lease / 4
        self.batch = 200
        self.handlers: dict[str, JobHandler] = {}
        self.prefetchers: dict[str, JobPrefetch] = {}
        self.stopping = False  # set at shutdown: claim nothing more, start no further job

    def register(self, kind: str, handler: JobHandler, prefetch: JobPrefetch | None = None) -> None:
        """Say which function runs jobs of this kind, and optionally how to preload a batch of them.

        A prefetch turns a query or two per job into a few per batch, which is what lets
        thousands of reminders due in the same minute go out in seconds.
        """
        self.handlers[kind] = handler
        if prefetch is not None:
            self.prefetchers[kind] = prefetch

    async def claim(self, core: Core, limit: int | None = None) -> list[ClaimedJob]:
        """Take up to `limit` due jobs that nobody holds, for the length of the lease."""
        if self.stopping:
            return []
        now = core.clock.now()
        due = (
            select(Job.id)
            .where(
                and_(
                    Job.status == "pending",
                    Job.due_at <= now,
                    or_(Job.lease_until.is_(None), Job.lease_until < now),
                )
            )
            .order_by(Job.due_at, Job.id)
            .limit(limit or self.batch)
            .with_for_update(skip_locked=True)
        )
        async with core.db.session() as session, session.begin():
            ids = list((await session.execute(due)).scalars())
            if not ids:
                return []
            rows = await session.execute(
                update(Job)
                .where(Job.id.in_(ids))
                .values(lease_owner=self.owner, lease_until=now + self.lease, attempts=Job.attempts + 1)
                .returning(
                    Job.id,
                    Job.kind,
                    Job.key,
                    Job.payload,
                    Job.due_at,
                    Job.attempts,
                    Job.sending_since,
                    Job.failures,
                )
            )
            claimed = [ClaimedJob(*row) for row in rows]
        return sorted(claimed, key=lambda job: (job.due_at, job.id))

    async def renew_for_send(self, core: Core, job: ClaimedJob) -> bool:
        """Extend the lease and note that a send is starting, only while this process owns the job."""
        now = core.clock.now()
        async with core.db.session() as session, session.begin():
            result = await session.execute(
                update(Job)
                .where(
                    and_(
                        Job.id == job.id,
                        Job.status == "pending",
                        Job.lease_owner == self.owner,
                        Job.lease_until >= now,
                    )
                )
                .values(lease_until=now + self.lease, sending_since=func.coalesce(Job.sending_since, now))
            )
        return result.rowcount == 1

    async def _finish(self, core: Core, job: ClaimedJob, **values: Any) -> bool:
        async with core.db.session() as session, session.begin():
            result = await session.execute(
                update(Job)
                .where(and_(Job.id == job.id, Job.lease_owner == self.owner))
                .values(lease_owner=None, lease_until=None, **values)
            )
        return result.rowcount == 1

    async def run_one(self, core: Core, job: ClaimedJob) -> str:
        """Run a claimed job's handler (its sends fenced by its lease) and record the outcome."""
        fence = SendFence(partial(self.renew_for_send, core, job), self.lease, job, self.send_margin)
        token = current_fence.set(fence)
        try:
            outcome, values = await self._run_handler(core, job)
        finally:
            current_fence.reset(token)
        if outcome == "lost":
            log.debug("job %s was taken over before a send; left to its new holder", job.id)
            return outcome
        if not await self._finish(core, job, **values) and outcome == "done":
            log.warning("job %s finished after another process took it over", job.id)
        return outcome

    async def _run_handler(self, core: Core, job: ClaimedJob) -> tuple[str, dict[str, Any]]:
        """Run the handler; returns the outcome and the columns to record for it."""
        handler = self.handlers.get(job.kind)
        now = core.clock.now
        if handler is None:
            return "failed", {"status": "failed", "last_error": "no handler for this kind"}
        try:
            await handler(core, job)
        except LeaseLost:
            return "lost", {}
        except RetryLater as later:
            when = max(later.when, now() + timedelta(seconds=1))
            failures = job.failures + 1 if later.failed_delivery else job.failures
            return "retry", {"due_at": when, "last_error": later.reason[:200] or None, "failures": failures}
        except GaveUp as gave_up:
            return "failed", {"status": "failed", "done_at": now(), "last_error": gave_up.reason[:200]}
        except Cancelled:
            return "cancelled", {"status": "cancelled", "done_at": now(), "sending_since": None}
        except Exception as problem:
            frames = "".join(traceback.format_tb(problem.__traceback__))
            log.error("job %s (%s) failed with %s\n%s", job.id, job.kind, type(problem).__name__, frames)
            if job.attempts >= MAX_HANDLER_ERRORS:
                return "failed", {"status": "failed", "last_error": type(problem).__name__}
            retry_at = now() + backoff(job.failures, None)
            return "retry", {
                "due_at": retry_at,
                "last_error": type(problem).__name__,
                "failures": job.failures + 1,
            }
        return "done", {"status": "done", "done_at": now(), "sending_since": None}

    async def _prefetched(self, core: Core, claimed: list[ClaimedJob]) -> list[ClaimedJob]:
        by_kind: dict[str, list[ClaimedJob]] = {}
        for job in claimed:
            if job.kind in self.prefetchers:
                by_kind.setdefault(job.kind, []).append(job)
        contexts: dict[int, Any] = {}
        for kind, jobs in by_kind.items():
            contexts.update(await self.prefetchers[kind](core, jobs))
        return [replace(job, context=contexts.get(job.id)) if job.id in contexts else job for job in claimed]

    async def release_unstarted(self, core: Core) -> int:
        """At shutdown, give back the leases this process still holds on pending jobs.

        Without this, jobs claimed but never started would wait out the lease before another
        process (or the next start) could run them. Their claim did not count as an attempt.
        Call it after the running work has ended, so no job it finished is released.
        """
        async with core.db.session() as session, session.begin():
            result = await session.execute(
                update(Job)
                .where(and_(Job.lease_owner == self.owner, Job.status == "pending"))
                .values(lease_owner=None, lease_until=None, attempts=Job.attempts - 1)
            )
        return result.rowcount

    async def run_due(self, core: Core, limit: int | None = None) -> dict[str, int]:
        """Claim and run everything due now; returns counts by outcome ("done", "retry", …).

        A pool of up to `concurrency` lanes runs at once, and more is claimed whenever fewer
        than `concurrency` jobs are waiting, so a slow send (a 429's Retry-After) holds up only
        its own lane. A job is claimed shortly before it runs: its lease is not spent waiting.
        With `limit`, one claim of at most that many jobs is run (tests step through with it).
        """
        pool = _LanePool(self, core)
        exhausted = False
        try:
            while True:
                if not exhausted and not self.stopping and pool.waiting() < self.concurrency:
                    want = limit or self.concurrency * 2
                    claimed = await self.claim(core, want)
                    exhausted = limit is not None or len(claimed) < want
                    pool.add(await self._prefetched(core, claimed))
                if not pool.running():
                    return dict(pool.counts)
                await pool.wait_for_one()
        except BaseException:
            await pool.cancel()  # a failure or a shutdown past its grace: no lane runs on unwatched
            raise


class _LanePool:
    """Lanes of claimed jobs, each run by one task, at most `concurrency` tasks at a time."""

    def __init__(self, queue: JobQueue, core: Core):
        self.queue, self.core = queue, core
        self.lanes: dict[str, deque[ClaimedJob]] = {}
        self.tasks: set[asyncio.Task] = set()
        self.slots = asyncio.Semaphore(queue.concurrency)
        self.counts: Counter = Counter()

    def waiting(self) -> int:
        return sum(len(jobs) for jobs in self.lanes.values())

    def running(self) -> bool:
        return bool(self.tasks)

    def add(self, jobs: list[ClaimedJob]) -> None:
        for job in jobs:
            lane = lane_of(job)
            if lane in self.lanes:
                self.lanes[lane].append(job)
            else:
                self.lanes[lane] = deque([job])
                self.tasks.add(asyncio.create_task(self._run_lane(lane)))

    async def cancel(self) -> None:
        """Stop every lane; their jobs keep this process's lease until release_unstarted gives them back."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def wait_for_one(self) -> None:
        done, self.tasks = await asyncio.wait(self.tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()

    async def _run_lane(self, lane: str) -> None:
        """Run one lane's jobs in order; at shutdown start no more (release_unstarted gives them back)."""
        jobs = self.lanes[lane]
        async with self.slots:
            while jobs:
                if self.queue.stopping:
                    jobs.clear()
                    break
                self.counts[await self.queue.run_one(self.core, jobs.popleft())] += 1
        del self.lanes[lane]
