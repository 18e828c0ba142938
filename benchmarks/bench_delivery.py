"""Benchmark: scheduled messages delivered through the real Slack client by real bot replicas.

Starts `peerbot run` replicas (Slack HTTP mode, real slack_sdk client) on one PostgreSQL
database against the project's fake Slack Web API with latency and faults, makes N reminders
to N distinct people due at once, and prints, per scenario: sent / expected / duplicates /
lost / seconds until every message was delivered and every job settled.

    PEERBOT_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        python benchmarks/bench_delivery.py [--people 10000] [--replicas 2] [--runs 3] [SCENARIO ...]

Scenarios: latency (100 ms a call), faults (50-250 ms, 20 % 429 with Retry-After 1 s, 5 % 500,
2 % answered 500 after posting), sigkill and sigterm (a replica stopped a quarter of the way
in), stall (a replica's database connection frozen for twice the lease). The database's
schema `public` is dropped and recreated for every run: use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(ROOT),
    str(ROOT / "tests"),
    str(ROOT / "tests" / "adapters" / "slack"),
    str(ROOT / "tests" / "adapters" / "discord"),
    str(ROOT / "tests" / "e2e"),
]

from due_messages import make_due, seed_reminders  # noqa: E402
from e2e_harness import Bots  # noqa: E402
from e2e_slack import SLACK_SECRETS, TEAM, connect, message_kind, posts  # noqa: E402
from fake_discord import FakeDiscord  # noqa: E402
from fake_slack import Chaos, FakeSlack  # noqa: E402
from stall_proxy import StallProxy  # noqa: E402

from harness import fresh_postgres  # noqa: E402

SCENARIOS = {
    "latency": Chaos(latency=(0.1, 0.1)),
    "faults": Chaos(latency=(0.05, 0.25), rate_limited=0.2, server_errors=0.05, posted_then_failed=0.02),
    "sigkill": Chaos(latency=(0.1, 0.1)),
    "sigterm": Chaos(latency=(0.1, 0.1)),
    "stall": Chaos(latency=(0.1, 0.1)),
}
LEASE = {"stall": "10s"}  # the others use the default lease (60s)


async def one_run(url: str, scenario: str, people: int, replicas: int) -> dict:
    """One scenario on a fresh database; returns its figures."""
    await fresh_postgres(url)
    folder = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    users = await seed_reminders(url, str(folder / "data"), TEAM, people, due=False)
    fake = FakeSlack(chaos=replace(SCENARIOS[scenario], seed=1))
    await fake.start()
    bots = Bots(folder, {"PEERBOT_DATABASE_URL": url, **SLACK_SECRETS})
    bots.config["checkins"] = {"lease": LEASE.get(scenario, "60s"), "poll_interval": "1s"}
    proxy = None
    try:
        async with aiohttp.ClientSession() as session:
            names = [chr(ord("a") + i) for i in range(replicas)]
            started = {}
            for name in names:
                secrets = {"SLACK_BOT_TOKEN": f"xoxb-{name}"}
                if scenario == "stall" and name == "a":
                    proxy = await _proxy_for(url)
                    secrets["PEERBOT_DATABASE_URL"] = _through(url, proxy)
                started[name], _ = await connect(bots, fake, "http", session, secrets=secrets)
            begun = time.monotonic()
            await make_due(url, str(folder / "data"))
            await _fault(scenario, bots, fake, started, proxy, people)
            await bots.wait_for(lambda: _delivered(fake) >= set(users), 1800, "every reminder", poll=0.5)
            elapsed = time.monotonic() - begun
        return figures(Counter(p.user for p in posts(fake) if p.kind == "reminder"), users, elapsed)
    finally:
        await bots.stop_all()
        await fake.stop()
        if proxy is not None:
            await proxy.stop()


def figures(counts: Counter, users: list[str], seconds: float) -> dict:
    """Sent, expected, duplicates and lost, from the messages each person received."""
    return {
        "sent": sum(counts.values()),
        "expected": len(users),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "lost": len(set(users) - set(counts)),
        "seconds": seconds,
    }


def _delivered(fake: FakeSlack) -> set[str]:
    return {p.user for p in posts(fake) if p.kind == "reminder"}


async def _proxy_for(url: str) -> StallProxy:
    target = urlparse(url.replace("postgresql+asyncpg", "postgresql"))
    proxy = StallProxy(target.hostname, target.port or 5432)
    await proxy.start()
    return proxy


def _through(url: str, proxy: StallProxy) -> str:
    target = urlparse(url.replace("postgresql+asyncpg", "postgresql"))
    return url.replace(f"{target.hostname}:{target.port or 5432}", f"127.0.0.1:{proxy.port}")


async def _fault(scenario: str, bots: Bots, fake: FakeSlack, started: dict, proxy, people: int) -> None:
    """Once replica a has sent a quarter of the messages, stop it or stall its database."""
    if scenario not in ("sigkill", "sigterm", "stall"):
        return

    def a_sent() -> int:
        return sum(1 for c in fake.called("chat.postMessage") if c.token == "xoxb-a")

    await bots.wait_for(
        lambda: a_sent() >= people // 4, 600, "replica a to be a quarter of the way in", poll=0.1
    )
    if scenario == "stall":
        proxy.freeze()
        await asyncio.sleep(20)  # the fault: twice the 10 s lease
        proxy.thaw()
        return
    victim = started["a"]
    victim.process.send_signal(signal.SIGKILL if scenario == "sigkill" else signal.SIGTERM)
    bots.running.remove(victim)
    victim.process.wait(30)


async def discord_run(url: str, people: int, replicas: int, latency: float) -> dict:
    """Reminders as Discord DMs through discord.py against the fake Discord (each DM opened and
    each message taking `latency`); no faults: discord.py handles Discord's rate limits itself."""
    await fresh_postgres(url)
    folder = Path(tempfile.mkdtemp(prefix="bench-delivery-discord-"))
    fake = FakeDiscord(latency=latency)
    await fake.start()
    ids = [fake.new_id() for _ in range(people)]
    for index, user_id in enumerate(ids):
        fake.add_member(user_id, f"Person {index}")
    users = await seed_reminders(url, str(folder / "data"), fake.guild_id, people, False, "discord", ids)
    bots = Bots(folder, {"PEERBOT_DATABASE_URL": url, "DISCORD_BOT_TOKEN": "fake-token"})
    bots.config["discord"] = {"api_url": fake.base_url}
    bots.config["checkins"] = {"poll_interval": "1s"}
    try:
        for _ in range(replicas):
            fake.expect_identify()
            bots.start()
            await bots.wait_for(fake._identified.is_set, 60, "a replica to log in to the fake gateway")
        begun = time.monotonic()
        await make_due(url, str(folder / "data"))
        await bots.wait_for(lambda: _discord_reminded(fake) >= set(users), 1800, "every reminder", poll=0.5)
        elapsed = time.monotonic() - begun
        return figures(_discord_reminders(fake), users, elapsed)
    finally:
        await bots.stop_all()
        await fake.stop()


def _discord_reminders(fake: FakeDiscord) -> Counter:
    """Reminder DMs per member, in one pass over what the fake recorded."""
    user_of = {channel: user for user, channel in fake.dm_channels.items()}
    counts: Counter = Counter()
    for call in fake.calls:
        if call.method == "POST" and call.path.endswith("/messages") and not call.repeat:
            channel = call.path.split("/")[2]
            if channel in user_of and message_kind((call.body or {}).get("content") or "") == "reminder":
                counts[user_of[channel]] += 1
    return counts


def _discord_reminded(fake: FakeDiscord) -> set[str]:
    return set(_discord_reminders(fake))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", choices=[[], *SCENARIOS], help="default: all")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario; the median is reported")
    parser.add_argument(
        "--discord",
        action="store_true",
        help="deliver as Discord DMs through discord.py (100 ms a call, no faults)",
    )
    args = parser.parse_args()
    url = os.environ.get("PEERBOT_BENCH_DATABASE_URL") or os.environ.get("PEERBOT_TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        raise SystemExit("set PEERBOT_BENCH_DATABASE_URL to a scratch PostgreSQL database")
    print(
        f"{args.people} reminders to distinct people, {args.replicas} replicas, median of {args.runs} run(s)"
    )
    print("| scenario | sent | expected | duplicates | lost | seconds (median) | runs |")
    print("|---|---|---|---|---|---|---|")
    for scenario in ["discord, 100 ms"] if args.discord else args.scenarios or list(SCENARIOS):
        if args.discord:
            results = [
                asyncio.run(discord_run(url, args.people, args.replicas, 0.1)) for _ in range(args.runs)
            ]
        else:
            results = [
                asyncio.run(one_run(url, scenario, args.people, args.replicas)) for _ in range(args.runs)
            ]
        middle = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
        seconds = ", ".join(f"{r['seconds']:.1f}" for r in results)
        duplicates, lost = max(r["duplicates"] for r in results), max(r["lost"] for r in results)
        median = statistics.median(r["seconds"] for r in results)
        print(
            f"| {scenario} | {middle['sent']:,} | {middle['expected']:,} | {duplicates} | {lost} "
            f"| {median:.1f} | {seconds} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
