"""A restart mid-round loses and duplicates nothing; a process that dies holding work has it
delivered once by another after the lease. Runs on SQLite and (when configured) PostgreSQL."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from checkin_helpers import add_people, introduce, kinds_received

from bot.kernel.jobs import JobQueue
from bot.kernel.scheduler import advance_clock
from harness import Harness

PAIRS = 20


def counted(platforms, users) -> Counter:
    return Counter(
        (user, kind) for platform in platforms for user in users for kind in kinds_received(platform, user)
    )


async def start(database_url, tmp_path, clock_at):
    h = Harness.create(database_url, tmp_path)
    await h.start()
    h.clock.set(clock_at)
    return h


async def test_restart_in_the_middle_of_a_round_loses_and_duplicates_nothing(empty_database, tmp_path):
    users = [f"u{i:02d}" for i in range(PAIRS * 2)]
    first = await start(empty_database, tmp_path, datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    await add_people(first.core, users)
    pairs = [users[i : i + 2] for i in range(0, len(users), 2)]
    await introduce(first.core, pairs[: PAIRS // 2])  # check-ins Monday 12 January
    first.clock.advance(days=1)
    await introduce(first.core, pairs[PAIRS // 2 :])  # check-ins Tuesday 13 January
    # The process stops after the first half's reminders, before their follow-ups and
    # before anything for the second half.
    await advance_clock(first.core, first.clock, datetime(2026, 1, 12, 9, 30, tzinfo=UTC) - first.clock.now())
    await first.stop()
    second = await start(empty_database, tmp_path, first.clock.now())
    await advance_clock(second.core, second.clock, timedelta(days=3))
    await second.stop()

    seen = counted([first.platform, second.platform], users)
    for user in users:
        assert seen[(user, "reminder")] == 1, user
        assert seen[(user, "followup")] == 1, user
    early, late = users[:PAIRS], users[PAIRS:]
    assert all(kinds_received(first.platform, user) == ["reminder"] for user in early)
    assert all(kinds_received(second.platform, user) == ["followup"] for user in early)
    assert all(kinds_received(first.platform, user) == [] for user in late)
    assert all(kinds_received(second.platform, user) == ["reminder", "followup"] for user in late)


async def test_work_held_by_a_dead_process_is_done_once_by_another_after_the_lease(empty_database, tmp_path):
    users = [f"u{i:02d}" for i in range(PAIRS * 2)]
    dying = await start(empty_database, tmp_path, datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    await add_people(dying.core, users)
    await introduce(dying.core, [users[i : i + 2] for i in range(0, len(users), 2)])
    dying.clock.set(datetime(2026, 1, 11, 10, 0, tzinfo=UTC))  # every reminder is due
    held = await JobQueue(lease=timedelta(seconds=60)).claim(dying.core, limit=15)
    assert len(held) == 15
    await dying.stop()  # dies without finishing what it claimed

    other = await start(empty_database, tmp_path, dying.clock.now())
    await other.core.jobs.run_due(other.core)
    delivered_before_lease = counted([other.platform], users)
    assert sum(delivered_before_lease.values()) == len(users) - 15
    other.clock.advance(seconds=61)
    await other.core.jobs.run_due(other.core)
    await other.stop()
    seen = counted([dying.platform, other.platform], users)
    assert all(seen[(user, "reminder")] == 1 for user in users)
