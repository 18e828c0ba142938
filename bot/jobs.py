"""Scheduled work kept in the database and claimed with a lease.

The database is the single source of truth: a job is a row with a due time. A worker
claims due rows (with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several bot processes
can share the work and each row goes to exactly one), holds them for a lease, runs the
handler for the job's kind, and marks the row done. A process that dies mid-job leaves
its lease to run out; then another process claims the row again.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.job_models import Job

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)


# How many finished jobs are marked done together: fewer statements, and a crash can make
# at most this many messages go out a second time.
MARK_DONE_EVERY = 20


class RetryLater(Exception):
    """Raised by a handler that cannot finish now (quiet hours, a DM that failed)."""

    def __init__(self, when: datetime, reason: str = ""):
        super().__init__(reason)
        self.when, self.reason = when, reason


class Cancelled(Exception):
    """Raised by a handler whose work no longer applies (the person left or paused)."""


@dataclass(frozen=True)
class ClaimedJob:
    """A job this process holds until `lease_until`."""

    id: int
    kind: str
    key: str
    payload: Mapping[str, Any]
    due_at: datetime
    attempts: int
    context: Any = None  # what the kind's prefetch loaded for this job, if it has one


JobHandler = Callable[["Core", ClaimedJob], Awaitable[None]]
# Loads, in a few queries, what the handlers of a claimed batch need: job id → context.
JobPrefetch = Callable[["Core", list[ClaimedJob]], Awaitable[Mapping[int, Any]]]


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


class JobQueue:
    """Claims and runs due jobs; one per process, with a random owner id."""

    def __init__(self, lease: timedelta, batch: int = 200):
        self.owner = f"worker-{secrets.token_hex(6)}"
        self.lease = lease
        self.batch = batch
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
                .returning(Job.id, Job.kind, Job.key, Job.payload, Job.due_at, Job.attempts)
            )
            claimed = [ClaimedJob(*row) for row in rows]
        return sorted(claimed, key=lambda job: (job.due_at, job.id))

    async def _finish(self, core: Core, job: ClaimedJob, **values: Any) -> bool:
        async with core.db.session() as session, session.begin():
            result = await session.execute(
                update(Job)
                .where(and_(Job.id == job.id, Job.lease_owner == self.owner))
                .values(lease_owner=None, lease_until=None, **values)
            )
        return result.rowcount == 1

    async def run_one(self, core: Core, job: ClaimedJob) -> str:
        """Run a claimed job's handler and record the outcome ("done", "retry", …)."""
        outcome, values = await self._run_handler(core, job)
        finished = await self._finish(core, job, **values)
        if outcome == "done" and not finished:
            log.warning("job %s finished after its lease ran out", job.id)
        return outcome

    async def _run_handler(self, core: Core, job: ClaimedJob) -> tuple[str, dict[str, Any]]:
        """Run the handler; returns the outcome and the columns to record for it."""
        handler = self.handlers.get(job.kind)
        now = core.clock.now
        if handler is None:
            return "failed", {"status": "failed", "last_error": "no handler for this kind"}
        try:
            await handler(core, job)
        except RetryLater as later:
            when = max(later.when, now() + timedelta(seconds=1))
            return "retry", {"due_at": when, "last_error": later.reason[:200] or None}
        except Cancelled:
            return "cancelled", {"status": "cancelled", "done_at": now()}
        except Exception as problem:
            frames = "".join(traceback.format_tb(problem.__traceback__))
            log.error("job %s (%s) failed with %s\n%s", job.id, job.kind, type(problem).__name__, frames)
            if job.attempts >= 8:
                return "failed", {"status": "failed", "last_error": type(problem).__name__}
            retry_at = now() + timedelta(minutes=min(60, 2 ** min(job.attempts, 6)))
            return "retry", {"due_at": retry_at, "last_error": type(problem).__name__}
        return "done", {"status": "done", "done_at": now()}

    async def _prefetched(self, core: Core, claimed: list[ClaimedJob]) -> list[ClaimedJob]:
        by_kind: dict[str, list[ClaimedJob]] = {}
        for job in claimed:
            if job.kind in self.prefetchers:
                by_kind.setdefault(job.kind, []).append(job)
        contexts: dict[int, Any] = {}
        for kind, jobs in by_kind.items():
            contexts.update(await self.prefetchers[kind](core, jobs))
        return [replace(job, context=contexts.get(job.id)) if job.id in contexts else job for job in claimed]

    async def run_batch(self, core: Core, claimed: list[ClaimedJob]) -> dict[str, int]:
        """Run a claimed batch; finished jobs are marked done a few at a time, in one statement.

        If the process dies mid-batch, its finished-but-unmarked jobs (at most MARK_DONE_EVERY)
        run again after the lease: a crash can repeat a handful of messages, never lose one.
        Once `stopping` is set no further job starts, and finished jobs are marked done even
        when the batch is cancelled, so a shutdown repeats nothing; `release_unstarted` then
        hands the rest back.
        """
        counts: dict[str, int] = {}
        done: list[int] = []
        try:
            for job in await self._prefetched(core, claimed):
                if self.stopping:
                    break
                outcome, values = await self._run_handler(core, job)
                counts[outcome] = counts.get(outcome, 0) + 1
                if outcome == "done":
                    done.append(job.id)
                    if len(done) >= MARK_DONE_EVERY:
                        await self._mark_done(core, done)
                        done = []
                else:
                    await self._finish(core, job, **values)
        finally:
            await self._mark_done(core, done)
        return counts

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

    async def _mark_done(self, core: Core, done: list[int]) -> None:
        if not done:
            return
        async with core.db.session() as session, session.begin():
            result = await session.execute(
                update(Job)
                .where(and_(Job.id.in_(done), Job.lease_owner == self.owner))
                .values(lease_owner=None, lease_until=None, status="done", done_at=core.clock.now())
            )
        if result.rowcount != len(done):
            log.warning("%s jobs finished after their lease ran out", len(done) - result.rowcount)

    async def run_due(self, core: Core, limit: int | None = None) -> dict[str, int]:
        """Claim and run everything due now, batch by batch; returns counts by outcome."""
        counts: dict[str, int] = {}
        while not self.stopping:
            claimed = await self.claim(core, limit)
            for outcome, n in (await self.run_batch(core, claimed)).items():
                counts[outcome] = counts.get(outcome, 0) + n
            if limit is not None or len(claimed) < self.batch:
                break
        return counts
