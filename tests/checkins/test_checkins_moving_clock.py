"""A clock that moves on every reading, as the real one does: a decision that reads the clock
twice and compares the readings sees a different moment each time.

The fake clock stands still between reads, which hid a comparison of a computed moment with
a second reading; on the real clock every introduction was then held for "quiet hours" forever.
"""

from datetime import UTC, datetime, timedelta

import pytest_asyncio
from checkin_helpers import checkins_of, kinds_received, make_groups
from sqlalchemy import select

from bot.kernel.clock import FakeClock
from bot.kernel.storage.job_models import Job
from harness import Harness


class MovingClock(FakeClock):
    """A fake clock that also moves a millisecond each time it is read."""

    def now(self) -> datetime:
        self._now += timedelta(milliseconds=1)
        return self._now


@pytest_asyncio.fixture(params=["quiet hours off", "daytime"])
async def moving(request, empty_database, tmp_path):
    quiet = {"quiet_start": "00:00", "quiet_end": "00:00"} if request.param == "quiet hours off" else {}
    h = Harness.create(empty_database, tmp_path, {"checkins": quiet})
    h.clock = MovingClock(datetime(2026, 1, 5, 11, 0, tzinfo=UTC))
    await h.start()
    yield h
    await h.stop()


async def test_introductions_go_out_when_the_clock_moves_between_readings(moving):
    h = moving
    await h.join("alice", organisation="Leeds City Council")
    await h.join("bob", organisation="Leeds Teaching Hospitals", org_type="nhs_trust")
    [group_id] = await make_groups(h.core, [["alice", "bob"]])
    async with h.core.db.session() as session, session.begin():
        from bot.kernel.jobs import enqueue

        now = h.clock.now()
        await enqueue(session, "introduction", f"intro:{group_id}", now, {"group_id": group_id}, now)

    counts = await h.core.jobs.run_due(h.core)

    assert counts == {"done": 1}, f"the introduction was not sent at once: {counts}"
    assert kinds_received(h.platform, "alice")[-1] == "introduction"
    assert kinds_received(h.platform, "bob")[-1] == "introduction"
    [checkin] = await checkins_of(h.core, group_id)
    assert checkin.sequence == 1
    async with h.core.db.session() as session:
        retried = (await session.execute(select(Job).where(Job.last_error == "quiet hours"))).scalars().all()
    assert retried == []
