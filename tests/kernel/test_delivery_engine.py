"""The delivery engine's rules with a fake clock and a collecting platform: every send is fenced
by the job's lease, failures follow the retry policy, a person's jobs keep their order, and
concurrency is bounded. (Real processes, latency and faults: tests/e2e/.)"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from bot.kernel.jobs import JobQueue, enqueue
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DeliveryFailed, DirectMessage, Outbound
from bot.kernel.retry_policy import BACKOFF_STEPS, backoff, settle_delivery
from bot.kernel.storage.job_models import Job
from bot.kernel.storage.models import Profile
from harness import Harness


@dataclass
class RecordingPlatform:
    """A platform that records each send with its idempotency key, and can fail or be slow."""

    name: str = "console"
    sent: list[tuple[str, str, str, object]] = field(default_factory=list)
    fail_with: DeliveryFailed | None = None
    delay: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0

    async def deliver(self, destination, message) -> None:
        await self.deliver_once(destination, message, "", None)

    async def deliver_once(self, destination, message, key, verify_since):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.fail_with is not None:
                raise self.fail_with
            self.sent.append((destination.user_id, message.text, key, verify_since))
        finally:
            self.in_flight -= 1

    async def conversation_facts(self, destination):
        raise NotImplementedError


def sending_handler(text: str = "hello"):
    async def handler(core, job):
        destination = DirectMessage("console", "local", job.payload["user"])
        delivery = await core.outbox.send(Outbound(destination, Message(text), Sensitivity.PERSONAL, "test"))
        settle_delivery(core, job, delivery)

    return handler


async def add_job(h, key: str, user: str, minutes: float = 0) -> None:
    async with h.core.db.session() as session, session.begin():
        now = h.clock.now()
        await enqueue(session, "test", key, now + timedelta(minutes=minutes), {"user": user}, now)


async def job_row(h, key: str) -> Job:
    async with h.core.db.session() as session:
        return (await session.execute(select(Job).where(Job.key == key))).scalar_one()


def use(h, platform: RecordingPlatform) -> RecordingPlatform:
    h.core.outbox.register(platform)
    h.core.jobs.register("test", sending_handler())
    return platform


async def test_a_process_that_lost_its_lease_does_not_send(harness):
    platform = use(harness, RecordingPlatform())
    await add_job(harness, "x", "alice")
    slow = JobQueue(lease=timedelta(seconds=60))
    slow.register("test", sending_handler("from the slow process"))
    [stale] = await slow.claim(harness.core)
    harness.clock.advance(seconds=61)  # its lease ran out while it stalled; another takes over
    assert await harness.core.jobs.run_due(harness.core) == {"done": 1}

    assert await slow.run_one(harness.core, stale) == "lost"

    assert [text for _, text, _, _ in platform.sent] == ["hello"], "only the new holder sent it"
    assert (await job_row(harness, "x")).status == "done"


async def test_a_renewal_that_comes_back_too_late_stops_the_send(harness, monkeypatch):
    platform = use(harness, RecordingPlatform())
    await add_job(harness, "x", "alice")
    queue = JobQueue(lease=timedelta(seconds=2), send_margin=timedelta(seconds=1))
    queue.register("test", sending_handler())
    real_renew = queue.renew_for_send

    async def stalled_renew(core, job):
        held = await real_renew(core, job)
        await asyncio.sleep(1.2)  # the database answered, but only after most of the lease had gone
        return held

    monkeypatch.setattr(queue, "renew_for_send", stalled_renew)
    [job] = await queue.claim(harness.core)
    assert await queue.run_one(harness.core, job) == "lost"
    assert platform.sent == []


async def test_each_send_carries_a_stable_key_and_a_retaken_job_asks_to_verify(harness):
    platform = use(harness, RecordingPlatform())
    await add_job(harness, "x", "alice")
    dying = JobQueue(lease=timedelta(seconds=60))
    [job] = await dying.claim(harness.core)
    await dying.renew_for_send(harness.core, job)  # a send began, then the process died
    harness.clock.advance(seconds=61)

    await harness.core.jobs.run_due(harness.core)

    [(user, _, key, verify_since)] = platform.sent
    assert user == "alice" and len(key) == 24
    assert verify_since is not None, "the new holder must check whether the first send arrived"
    assert (await job_row(harness, "x")).sending_since is None, "cleared once done"


async def test_a_temporary_failure_is_retried_with_growing_backoff_until_delivered(harness):
    platform = use(harness, RecordingPlatform(fail_with=DeliveryFailed("slack error server error 500")))
    await add_job(harness, "x", "alice")
    await harness.core.jobs.run_due(harness.core)
    first = await job_row(harness, "x")
    assert first.status == "pending" and first.failures == 1
    wait = first.due_at - harness.clock.now()
    assert timedelta(seconds=BACKOFF_STEPS[0] * 0.75) <= wait <= timedelta(seconds=BACKOFF_STEPS[0] * 1.25)
    harness.clock.advance(seconds=BACKOFF_STEPS[0] * 2)
    await harness.core.jobs.run_due(harness.core)
    second = await job_row(harness, "x")
    assert second.failures == 2 and second.due_at - harness.clock.now() >= timedelta(
        seconds=BACKOFF_STEPS[1] * 0.75
    )
    platform.fail_with = None
    harness.clock.advance(minutes=5)
    await harness.core.jobs.run_due(harness.core)
    assert (await job_row(harness, "x")).status == "done" and len(platform.sent) == 1


async def test_retry_after_is_respected_and_the_backoff_is_capped():
    assert backoff(0, 30) >= timedelta(seconds=30)
    assert backoff(99, None) <= timedelta(seconds=BACKOFF_STEPS[-1] * 1.25)


async def test_a_permanent_failure_is_not_retried_and_the_person_is_marked_unreachable(harness):
    await harness.join("alice")
    use(harness, RecordingPlatform(fail_with=DeliveryFailed("slack error account_inactive", retryable=False)))
    await add_job(harness, "x", "alice")
    assert await harness.core.jobs.run_due(harness.core) == {"failed": 1}
    row = await job_row(harness, "x")
    assert row.status == "failed" and row.last_error == "slack error account_inactive"
    async with harness.core.db.session() as session:
        alice = (await session.execute(select(Profile).where(Profile.user_id == "alice"))).scalar_one()
    assert alice.unreachable_reason == "slack error account_inactive"


async def test_one_persons_jobs_keep_their_order_while_others_run_alongside(harness):
    platform = use(harness, RecordingPlatform(delay=0.01))
    harness.core.jobs.concurrency = 4
    for n in range(6):
        async with harness.core.db.session() as session, session.begin():
            now = harness.clock.now()
            await enqueue(session, "test", f"p1:n{n}", now, {"user": "alice"}, now)
            await enqueue(session, "test", f"other{n}", now, {"user": f"u{n}"}, now)
    harness.core.jobs.register("test", _numbered_handler())
    await harness.core.jobs.run_due(harness.core)
    alice = [text for user, text, _, _ in platform.sent if user == "alice"]
    assert alice == [f"p1:n{n}" for n in range(6)]
    assert 1 < platform.most_in_flight <= 4


def _numbered_handler():
    async def handler(core, job):
        destination = DirectMessage("console", "local", job.payload["user"])
        delivery = await core.outbox.send(
            Outbound(destination, Message(job.key), Sensitivity.PERSONAL, "test")
        )
        settle_delivery(core, job, delivery)

    return handler


async def test_someone_unreachable_is_left_out_of_rounds_until_they_use_the_bot_again(harness):
    for user, org in (
        ("alice", "Leeds City Council"),
        ("bob", "Leeds Teaching Hospitals"),
        ("cara", "Bradford"),
    ):
        await harness.join(user, organisation=org)
    use(harness, RecordingPlatform(fail_with=DeliveryFailed("slack error account_inactive", retryable=False)))
    await add_job(harness, "x", "cara")
    await harness.core.jobs.run_due(harness.core)
    rounds = harness.app.rounds
    assert len((await rounds.preview("console:local", 1)).input.people) == 2

    await harness.say("cara", "profile")

    assert len((await rounds.preview("console:local", 1)).input.people) == 3


async def test_sends_to_one_platform_are_bounded_when_asked(empty_database, tmp_path):
    h = Harness.create(empty_database, tmp_path, {"delivery": {"concurrency": 6, "per_platform": 2}})
    await h.start()
    try:
        platform = use(h, RecordingPlatform(delay=0.02))
        for n in range(8):
            await add_job(h, f"j{n}", f"u{n}")
        await h.core.jobs.run_due(h.core)
    finally:
        await h.stop()
    assert len(platform.sent) == 8 and platform.most_in_flight == 2
