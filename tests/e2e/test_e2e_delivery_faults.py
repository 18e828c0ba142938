"""The delivery engine in real processes on one PostgreSQL database, against a fake Slack that
misbehaves: every person owed a reminder gets exactly one, under latency, 429s, 500s, replies
lost after Slack posted, a replica killed mid-batch, a replica stopped with SIGTERM, and a
replica whose database connection stalls for longer than the lease. PostgreSQL only."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from urllib.parse import urlparse

import pytest
from due_messages import make_due, seed_reminders
from e2e_slack import SLACK_SECRETS, TEAM, connect, posts
from fake_slack import Chaos
from stall_proxy import StallProxy

from harness import PG_ENV

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.environ.get(PG_ENV), reason="needs PostgreSQL (PEERBOT_TEST_DATABASE_URL)"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]
PEOPLE = 120
STALL_SECONDS = 10  # more than twice the 4 s lease: the other replica takes over meanwhile


def reminders(fake) -> Counter:
    return Counter(p.user for p in posts(fake) if p.kind == "reminder")


def by_replica(fake) -> Counter:
    return Counter(c.token for c in fake.called("chat.postMessage"))


async def start_replicas(bots, fake, session, names, lease: str, database_urls=None) -> dict:
    """Replicas with tokens of their own (so the fake can tell their calls apart), started together."""
    bots.secrets.update(SLACK_SECRETS)
    bots.config["checkins"] = {"lease": lease}
    # A few sends at a time per replica, so a batch is still going when the fault strikes.
    bots.config["delivery"] = {"concurrency": 4}
    started = {}
    for name in names:
        secrets = {"SLACK_BOT_TOKEN": f"xoxb-{name}"}
        if database_urls and name in database_urls:
            secrets["PEERBOT_DATABASE_URL"] = database_urls[name]
        started[name], _ = await connect(bots, fake, "http", session, secrets=secrets)
    return started


async def everyone_once(bots, fake, users, within: float, shared_db) -> Counter:
    """Wait until every person has a reminder and no reminder job is left; return the counts."""
    await bots.wait_for(
        lambda: set(reminders(fake)) >= set(users), within, f"a reminder to each of {len(users)}"
    )

    async def settled() -> bool:
        return await shared_db.pending("checkin.reminder") == 0

    await bots.wait_for(settled, within, "every reminder job to finish")
    return reminders(fake)


def summary(counts: Counter, fake) -> str:
    statuses = Counter(c.status for c in fake.calls)
    return (
        f"copies per person {sorted(Counter(counts.values()).items())}; calls by status {dict(statuses)}; "
        f"posts by replica {dict(by_replica(fake))}"
    )


@pytest.mark.parametrize("replicas", [2, 3])
async def test_replicas_send_each_reminder_once_through_latency_429s_500s_and_lost_replies(
    bots, fake_slack, http_session, shared_db, empty_database, replicas
):
    users = await seed_reminders(empty_database, str(bots.folder / "data"), TEAM, PEOPLE, due=False)
    fake_slack.chaos = Chaos(
        latency=(0.05, 0.25),
        rate_limited=0.2,
        retry_after=1,
        server_errors=0.05,
        posted_then_failed=0.05,
        seed=11,
    )
    await start_replicas(bots, fake_slack, http_session, "abc"[:replicas], lease="10s")
    await make_due(empty_database, str(bots.folder / "data"))

    counts = await everyone_once(bots, fake_slack, users, 90, shared_db)

    print(summary(counts, fake_slack))
    assert set(counts.values()) == {1}, summary(counts, fake_slack)
    assert len(by_replica(fake_slack)) == replicas, "every replica took a share"
    for bot in bots.running:  # under load the log stays a summary, not a line per retry or tick
        log = bot.stderr.read_text()
        assert "skipped: maximum number of running instances" not in log
        assert log.count("Slack calls were rate-limited") <= 2 and log.count("could not be sent") <= 2, log[
            -3000:
        ]


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_a_replica_stopped_mid_batch_repeats_nothing_and_loses_nothing(
    bots, fake_slack, http_session, shared_db, empty_database, stop
):
    users = await seed_reminders(empty_database, str(bots.folder / "data"), TEAM, PEOPLE, due=False)
    fake_slack.chaos = Chaos(latency=(0.2, 0.5), seed=5)
    replicas = await start_replicas(bots, fake_slack, http_session, "ab", lease="5s")
    await make_due(empty_database, str(bots.folder / "data"))
    await bots.wait_for(lambda: by_replica(fake_slack)["xoxb-a"] >= 20, 60, "replica a to be mid-batch")
    victim = replicas["a"].process
    victim.send_signal(stop)
    stopped_at = time.monotonic()
    bots.running.remove(replicas["a"])  # its exit is the point of the test, not a failure
    code = victim.wait(15)
    if stop == signal.SIGTERM:
        assert code == 0 and time.monotonic() - stopped_at < 10, f"SIGTERM: exit {code}"
        restarted, _ = await connect(  # a rolling restart: the replica comes back
            bots, fake_slack, "http", http_session, secrets={"SLACK_BOT_TOKEN": "xoxb-a2"}
        )

    counts = await everyone_once(bots, fake_slack, users, 90, shared_db)

    print(summary(counts, fake_slack), f"settled {time.monotonic() - stopped_at:.1f}s after the stop")
    assert set(counts.values()) == {1}, summary(counts, fake_slack)
    assert sum(1 for c in fake_slack.called("chat.postMessage") if c.token != "xoxb-a") > 0, (
        "a's work was taken over"
    )


async def test_a_replica_whose_database_stalls_past_its_lease_sends_nothing_stale(
    bots, fake_slack, http_session, shared_db, empty_database
):
    users = await seed_reminders(empty_database, str(bots.folder / "data"), TEAM, PEOPLE, due=False)
    target = urlparse(empty_database.replace("postgresql+asyncpg", "postgresql"))
    proxy = StallProxy(target.hostname, target.port or 5432)
    await proxy.start()
    stalled_url = empty_database.replace(
        f"{target.hostname}:{target.port or 5432}", f"127.0.0.1:{proxy.port}"
    )
    try:
        fake_slack.chaos = Chaos(latency=(0.2, 0.5), seed=3)
        await start_replicas(
            bots, fake_slack, http_session, "ab", lease="4s", database_urls={"a": stalled_url}
        )
        await make_due(empty_database, str(bots.folder / "data"))
        await bots.wait_for(lambda: by_replica(fake_slack)["xoxb-a"] >= 20, 60, "replica a to be mid-batch")
        proxy.freeze()
        await asyncio.sleep(STALL_SECONDS)  # the fault itself: nothing is awaited here
        proxy.thaw()

        counts = await everyone_once(bots, fake_slack, users, 90, shared_db)
        await bots.stop_all()  # before the proxy goes: a bot whose database vanishes is another test
    finally:
        await proxy.stop()

    print(summary(counts, fake_slack))
    assert set(counts.values()) == {1}, summary(counts, fake_slack)
