"""What sealing profiles costs: storing N profiles, and loading all of them as a round does.

Every profile's name, organisation, role and challenge are one token under the person's own
data key, wrapped by the operator's key (bot/kernel/data_keys.py). Loading a profile joins its
key, unwraps it and opens the token. This prints the median time to load every profile (what
a round and the relay's peer choice read), on SQLite by default or on PostgreSQL with --url.

    python benchmarks/bench_sealed_profiles.py --people 10000 --runs 3
    python benchmarks/bench_sealed_profiles.py --url postgresql+asyncpg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from bot.kernel.data_keys import DataKeys  # noqa: E402
from bot.kernel.storage.database import Database  # noqa: E402
from bot.kernel.storage.models import Profile  # noqa: E402


def profile(number: int, now: datetime) -> Profile:
    return Profile(
        platform="console",
        community="bench",
        user_id=f"u{number}",
        display_name=f"Practitioner {number}",
        organisation=f"Organisation {number % 997}",
        org_type="council",
        region="london",
        role="Integration lead",
        areas=["health", "social_care"],
        challenge=f"Joining up hospital discharge with adult social care, case {number}.",
        stage="implementing",
        timezone="Europe/London",
        cadence="fortnightly",
        accepts_questions=True,
        status="active",
        dont_pair_with=[],
        created_at=now,
        updated_at=now,
    )


async def run(url: str, people: int, runs: int) -> None:
    db = Database(url)
    operator_key = Fernet.generate_key().decode()
    db.use_data_keys(DataKeys((operator_key,)))
    if url.startswith("postgresql"):
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await db.upgrade()
    now = datetime.now(UTC)
    started = time.perf_counter()
    for start in range(0, people, 1000):
        async with db.session() as session, session.begin():
            session.add_all(profile(n, now) for n in range(start, min(people, start + 1000)))
    stored = time.perf_counter() - started
    loads = []
    for _ in range(runs):
        db.use_data_keys(DataKeys((operator_key,)))  # a cold cache, as after a restart
        started = time.perf_counter()
        async with db.session() as session:
            loaded = (await session.execute(select(Profile))).scalars().all()
        loads.append(time.perf_counter() - started)
        assert len(loaded) == people and loaded[-1].display_name.startswith("Practitioner")
    columns = []
    for _ in range(runs):
        started = time.perf_counter()
        async with db.session() as session:
            rows = (await session.execute(select(*Profile.__table__.columns))).all()
        columns.append(time.perf_counter() - started)
        assert len(rows) == people
    await db.close()
    print(f"{people:,} sealed profiles on {url.split(':')[0]}")
    print(f"  store (sealing, new data keys): {stored:.2f} s")
    print(f"  load all as profiles, opened (median of {runs}): {_median(loads)}")
    print(f"  the same rows as plain columns, nothing opened (median of {runs}): {_median(columns)}")


def _median(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", help="a database URL (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{folder}/bench.db"
        asyncio.run(run(url, args.people, args.runs))


if __name__ == "__main__":
    main()
