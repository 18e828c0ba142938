"""Two `peerbot run` processes on one PostgreSQL database, with a slow Slack that answers some
calls 429: every person gets exactly one introduction. PostgreSQL only (SQLite is one process).

The second case gives the jobs a lease shorter than a slow batch takes to send, as happens
with real rate limits (Retry-After of many seconds) and a big round on the default lease:
before the delivery engine fenced each send by its lease, 16 of 20 people got their
introduction twice here."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from e2e_people import crowd, import_people
from e2e_slack import SLACK_SECRETS, TEAM, connect, message_kind, posts
from fake_slack import Chaos

from harness import PG_ENV

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.environ.get(PG_ENV), reason="needs PostgreSQL (PEERBOT_TEST_DATABASE_URL)"),
]
PEOPLE = crowd(20)
USERS = [p.user_id for p in PEOPLE]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(
    "lease",
    ["30s", pytest.param("3s", id="batch-outlasts-lease")],
)
async def test_two_processes_send_each_introduction_exactly_once_through_a_slow_rate_limited_slack(
    bots, fake_slack, http_session, shared_db, lease
):
    await import_people(bots, PEOPLE, "slack", TEAM)
    bots.secrets.update(SLACK_SECRETS)
    bots.config["checkins"] = {"lease": lease, "first_checkin_after": "1m"}
    fake_slack.chaos = Chaos(latency=(0.05, 0.4), rate_limited=0.2, retry_after=1, seed=7)
    for replica in ("a", "b"):  # each with its own token, so the fake can tell their calls apart
        await connect(bots, fake_slack, "http", http_session, secrets={"SLACK_BOT_TOKEN": f"xoxb-{replica}"})

    out = await bots.cli("match", "--seed", "3")
    assert "20 of 20 matched" in out, out

    def introduced() -> Counter:
        return Counter(p.user for p in posts(fake_slack) if p.kind == "introduction")

    await bots.wait_for(lambda: set(introduced()) == set(USERS), 40, "an introduction to each of 20 people")

    async def settled() -> bool:
        return await shared_db.pending("introduction") == 0

    await bots.wait_for(settled, 15, "every introduction job to finish")
    counts = introduced()
    by_replica = Counter(
        c.token
        for c in fake_slack.called("chat.postMessage")
        if message_kind(f"{c.params.get('text')}{c.params.get('blocks')}") == "introduction"
    )
    limited = sum(1 for c in fake_slack.calls if c.status == 429)
    numbers = (
        f"introductions per person {sorted(Counter(counts.values()).items())} (copies, people); "
        f"429s {limited} of {len(fake_slack.calls)} calls; group introductions by replica {dict(by_replica)}"
    )
    print(numbers)
    assert set(counts.values()) == {1}, numbers
