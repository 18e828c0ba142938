"""Slash-command acknowledgement latency of the Slack adapter in HTTP mode.

50 concurrent people each send N signed /peer commands to the bot's real HTTP endpoint
(the real core on the default SQLite store, in this process; the people and a fake Slack
Web API taking the replies run in a second process, as Slack would). Measured: the time
from sending a request to receiving its acknowledgement.
Slack wants the ack within 3 s; the target here is p99 <= 100 ms.

    /tmp/probe/bin/python benchmarks/bench_slack_ack.py [--users 50] [--per-user 20]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "adapters" / "slack")]

from fake_slack import (  # noqa: E402
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    command_body,
    signed_headers,
)

from adapters.slack.adapter import SlackAdapter  # noqa: E402
from bot.app.bootstrap import build_core, prepare  # noqa: E402
from bot.kernel.config import parse_config, with_section  # noqa: E402

COMMANDS = ("help", "profile", "join", "pause", "mydata")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def person(session, url: str, fake: FakeSlack, user: str, count: int, latencies: list[float]) -> None:
    for i in range(count):
        body = urlencode(command_body(fake, user, COMMANDS[i % len(COMMANDS)])).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
        start = time.perf_counter()
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            assert response.status == 200, response.status
        latencies.append((time.perf_counter() - start) * 1000)


async def slack_side(users: int, per_user: int, to_bot, from_bot) -> None:
    """Slack and its users, in their own process: the fake Web API and the load."""
    fake = FakeSlack()
    await fake.start()
    to_bot.put(fake.api_url)
    url = from_bot.get()
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=users)) as session:
        await person(session, url, fake, "UWARM", 5, [])  # warm up (auth.test, first queries)
        await asyncio.sleep(1)
        started = time.perf_counter()
        await asyncio.gather(
            *(person(session, url, fake, f"U{n:03d}", per_user, latencies) for n in range(users))
        )
        acked = time.perf_counter() - started
    to_bot.put("acked")
    await asyncio.get_running_loop().run_in_executor(None, from_bot.get)  # the bot has finished
    finished = time.perf_counter() - started
    replies = len(fake.called("response_url")) + len(fake.called("views.open"))
    await fake.stop()
    to_bot.put((latencies, acked, finished, replies))


def run_slack_side(users: int, per_user: int, to_bot, from_bot) -> None:
    asyncio.run(slack_side(users, per_user, to_bot, from_bot))


async def bot_side(to_slack, from_slack) -> None:
    """The bot as deployed: real core on SQLite, the Slack adapter in HTTP mode."""
    loop = asyncio.get_running_loop()
    api_url = await loop.run_in_executor(None, from_slack.get)
    with tempfile.TemporaryDirectory() as data_dir:
        environ = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        }
        raw = {"bot": {"data_dir": data_dir}, "slack": {"mode": "http", "api_url": api_url}}
        config = with_section(parse_config(raw, environ, "benchmark"), "slack", http_port=0)
        core = build_core(config)
        await prepare(core)
        adapter = SlackAdapter(core, config)
        await adapter.start()
        to_slack.put(f"http://127.0.0.1:{adapter.port}/slack/events")
        await loop.run_in_executor(None, from_slack.get)  # every request acknowledged
        await adapter.drain()
        to_slack.put("drained")
        await adapter.stop()
        await core.close()


def main(users: int, per_user: int) -> None:
    context = multiprocessing.get_context("spawn")
    to_bot, to_slack = context.Queue(), context.Queue()
    slack = context.Process(target=run_slack_side, args=(users, per_user, to_bot, to_slack))
    slack.start()
    asyncio.run(bot_side(to_slack, to_bot))
    latencies, acked, finished, replies = to_bot.get()
    slack.join()
    print(f"{users} concurrent users x {per_user} signed /peer commands = {len(latencies)} requests")
    print(
        f"ack latency ms: p50 {percentile(latencies, 0.5):.1f}  p99 {percentile(latencies, 0.99):.1f}  "
        f"max {max(latencies):.1f}  mean {statistics.mean(latencies):.1f}"
    )
    print(
        f"all acked in {acked:.2f} s ({len(latencies) / acked:.0f} req/s); "
        f"all {replies} replies sent after {finished:.2f} s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--per-user", type=int, default=20)
    args = parser.parse_args()
    main(args.users, args.per_user)
