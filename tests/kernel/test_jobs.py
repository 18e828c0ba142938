"""The job queue: idempotent enqueue, claiming with a lease, retry and take-over."""

from datetime import timedelta

from sqlalchemy import select

from bot.kernel.jobs import Cancelled, JobQueue, RetryLater, enqueue
from bot.kernel.storage.job_models import Job


async def add(h, key, minutes=0, kind="test"):
    async with h.core.db.session() as session, session.begin():
        await enqueue(
            session, kind, key, h.clock.now() + timedelta(minutes=minutes), {"n": key}, h.clock.now()
        )


async def statuses(h):
    async with h.core.db.session() as session:
        return {job.key: job.status for job in (await session.execute(select(Job))).scalars()}


async def test_enqueue_is_idempotent_and_runs_only_when_due(harness):
    ran = []

    async def handler(core, job):
        ran.append(job.payload["n"])

    harness.core.jobs.register("test", handler)
    await add(harness, "a")
    await add(harness, "a")
    await add(harness, "later", minutes=30)
    assert await harness.core.jobs.run_due(harness.core) == {"done": 1}
    assert ran == ["a"]
    harness.clock.advance(minutes=31)
    await harness.core.jobs.run_due(harness.core)
    assert ran == ["a", "later"]
    assert await statuses(harness) == {"a": "done", "later": "done"}


async def test_retry_later_and_cancelled(harness):
    calls = []

    async def handler(core, job):
        calls.append(job.attempts)
        if job.payload["n"] == "gone":
            raise Cancelled()
        if len(calls) < 3:
            raise RetryLater(core.clock.now() + timedelta(hours=1), "quiet hours")

    harness.core.jobs.register("test", handler)
    await add(harness, "held")
    await harness.core.jobs.run_due(harness.core)
    assert (await statuses(harness))["held"] == "pending"
    harness.clock.advance(hours=1)
    await harness.core.jobs.run_due(harness.core)
    await add(harness, "gone")
    await harness.core.jobs.run_due(harness.core)
    harness.clock.advance(hours=1)
    await harness.core.jobs.run_due(harness.core)
    assert await statuses(harness) == {"held": "done", "gone": "cancelled"}


async def test_a_claimed_job_is_not_claimed_again_until_its_lease_ends(harness):
    await add(harness, "x")
    first = JobQueue(lease=timedelta(seconds=60))
    second = JobQueue(lease=timedelta(seconds=60))
    held = await first.claim(harness.core)
    assert [job.key for job in held] == ["x"]
    assert await second.claim(harness.core) == []
    harness.clock.advance(seconds=61)
    taken_over = await second.claim(harness.core)
    assert [job.key for job in taken_over] == ["x"] and taken_over[0].attempts == 2
