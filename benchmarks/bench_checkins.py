"""Benchmark: 10,000 check-in reminders due in the same minute, claimed and handed to the outbox.

Runs real bot processes (tests/checkins/checkins_worker.py) against PostgreSQL, first one
then two at once, and checks that every reminder was delivered exactly once.

    PEERBOT_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test_checkins \
        python benchmarks/bench_checkins.py [--reminders 10000] [--batch 500]

The database's schema `public` is dropped and recreated: use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "checkins")]

from bot.app import build_core, prepare  # noqa: E402
from bot.checkins import REMINDER  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.storage.checkin_models import Checkin  # noqa: E402
from bot.storage.job_models import Job  # noqa: E402
from bot.storage.models import Profile  # noqa: E402
from bot.storage.round_models import GroupMember, MatchGroup, Round  # noqa: E402

WORKER = ROOT / "tests" / "checkins" / "checkins_worker.py"
NOW = datetime(2026, 1, 11, 10, 1, 0, tzinfo=UTC)
CHECKIN_AT = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)


async def prepare_database(url: str, reminders: int) -> None:
    """A fresh schema with reminders/2 pairs, each with a check-in whose reminders are due now."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    config = parse_config({"bot": {"data_dir": tempfile.mkdtemp()}}, {"PEERBOT_DATABASE_URL": url}, "bench")
    core = build_core(config)
    await prepare(core)
    created = NOW - timedelta(days=6)
    pairs = reminders // 2
    profile = {
        "platform": "console",
        "community": "local",
        "organisation": "Org",
        "org_type": "council",
        "region": "london",
        "role": "Lead",
        "areas": ["health"],
        "challenge": "x",
        "stage": "implementing",
        "timezone": "Europe/London",
        "cadence": "fortnightly",
        "accepts_questions": True,
        "status": "active",
        "dont_pair_with": [],
        "created_at": created,
        "updated_at": created,
    }
    people = [{**profile, "id": i + 1, "user_id": f"u{i}", "display_name": f"U{i}"} for i in range(reminders)]
    round_row = {"id": 1, "scope": "console:local", "seed": 1, "rules": {}, "started_by": "bench"}
    round_row |= {"created_at": created, "metrics": {}, "baseline": {}}
    group_row = {"round_id": 1, "score": 1.0, "similarity": 0.5, "reasons": [], "created_at": created}
    checkin_row = {"sequence": 1, "scheduled_at": CHECKIN_AT, "timezone": "Europe/London", "version": 1}
    checkin_row |= {
        "cadence": "fortnightly",
        "status": "scheduled",
        "created_at": created,
        "updated_at": created,
    }
    due = CHECKIN_AT - timedelta(days=1)

    def reminder(group: int, person: int) -> dict:
        return {
            "kind": REMINDER,
            "key": f"p{person}:checkin:{group}:v1:reminder",
            "due_at": due + timedelta(seconds=person % 60),  # spread over the minute
            "status": "pending",
            "attempts": 0,
            "created_at": created,
            "payload": {"checkin_id": group, "version": 1, "profile_id": person},
        }

    async with core.db.session() as session, session.begin():
        await session.execute(insert(Profile), people)
        await session.execute(insert(Round), [round_row])
        await session.execute(insert(MatchGroup), [{**group_row, "id": g + 1} for g in range(pairs)])
        members = [{"group_id": g + 1, "profile_id": 2 * g + k + 1} for g in range(pairs) for k in (0, 1)]
        await session.execute(insert(GroupMember), members)
        await session.execute(
            insert(Checkin), [{**checkin_row, "id": g + 1, "group_id": g + 1} for g in range(pairs)]
        )
        await session.execute(insert(Job), [reminder(m["group_id"], m["profile_id"]) for m in members])
    await core.close()


def run_processes(url: str, count: int, batch: int, folder: Path) -> list[tuple[int, float, list[str]]]:
    """Start `count` worker processes, release them together; returns (delivered, seconds, users) each."""
    go = folder / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"), str(WORKER.parent)])}
    outs = [folder / f"out{i}.txt" for i in range(count)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "run", url, NOW.isoformat(), str(out), str(go), str(batch)],
            cwd=ROOT,
            env=env,
        )
        for out in outs
    ]
    while not all(Path(f"{out}.ready").exists() for out in outs):
        if any(p.poll() not in (None, 0) for p in procs):
            raise SystemExit("a worker failed to start")
        time.sleep(0.02)
    go.write_text("go")
    for proc in procs:
        if proc.wait(timeout=600) != 0:
            raise SystemExit("a worker failed")
    results = []
    for out in outs:
        delivered, seconds = Path(f"{out}.stats").read_text().split()
        users = [line.split("\t")[1] for line in out.read_text().splitlines()] if out.exists() else []
        results.append((int(delivered), float(seconds), users))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500, help="jobs claimed per claim")
    args = parser.parse_args()
    url = os.environ.get("PEERBOT_BENCH_DATABASE_URL") or os.environ.get("PEERBOT_TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        raise SystemExit("set PEERBOT_BENCH_DATABASE_URL to a scratch PostgreSQL database")
    print(f"{args.reminders} reminders due in the same minute; claim batch {args.batch}")
    for processes in (1, 2):
        asyncio.run(prepare_database(url, args.reminders))
        with tempfile.TemporaryDirectory() as folder:
            results = run_processes(url, processes, args.batch, Path(folder))
        users = Counter(user for _, _, delivered in results for user in delivered)
        exactly_once = len(users) == args.reminders and set(users.values()) == {1}
        wall = max(seconds for _, seconds, _ in results)
        rates = ", ".join(f"{n} in {s:.2f} s = {n / s:,.0f}/s" for n, s, _ in results)
        print(
            f"{processes} process(es): {rates}; total {args.reminders / wall:,.0f}/s; "
            f"exactly once: {'yes' if exactly_once else 'NO'}"
        )
        if not exactly_once:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
