"""Migration 0007: relay jobs are re-keyed by thread, the leftovers of past purges are deleted,
and report rows become per-community counts; the downgrade puts the old keys and rows back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from bot.kernel.storage.database import Database
from bot.kernel.storage.job_models import Job
from bot.relay.models import RelayParticipant, RelayReport, RelayReportCount, RelayThread
from harness import downgrade_schema as _downgrade

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _job(key: str, payload: dict, status: str = "pending") -> dict:
    return dict(
        kind="relay.question", key=key, due_at=NOW, payload=payload, status=status, attempts=0, created_at=NOW
    )


async def _old_relay_rows(db: Database) -> None:
    """At 0006: a live thread with a pending question job, a done job of a purged thread, two reports."""
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(RelayThread).values(
                id="T1", status="open", context_token="c", created_at=NOW, last_activity_at=NOW
            )
        )
        await connection.execute(
            insert(RelayParticipant).values(
                id="P1",
                thread_id="T1",
                role="peer",
                tag="t",
                identity_token="i",
                handle_token="h",
                blocked=False,
                asker_offers_reveal=False,
                peer_offers_reveal=False,
                created_at=NOW,
            )
        )
        await connection.execute(insert(Job).values(_job("relay:q:P1", {"participant": "P1"})))
        await connection.execute(insert(Job).values(_job("relay:q:GONE", {"participant": "GONE"}, "done")))
        await connection.execute(insert(Job).values(_job("intro:7", {"group_id": 7})))
        for community in ("console:local", "console:local", "slack:T9"):
            await connection.execute(insert(RelayReport).values(at=NOW, community_key=community))


async def _keys(db: Database) -> list[str]:
    async with db.engine.connect() as connection:
        return sorted((await connection.execute(select(Job.key))).scalars())


async def test_old_relay_jobs_and_reports_are_carried_over(empty_database):
    db = Database(empty_database)
    try:
        await db.upgrade("0006")
        await _old_relay_rows(db)
        await db.upgrade("0007")
        assert await _keys(db) == ["intro:7", "relay:t:T1:q:P1"], "the purged thread's job is gone"
        async with db.engine.connect() as connection:
            assert (await connection.execute(select(func.count()).select_from(RelayReport))).scalar_one() == 0
            counts = dict(
                (
                    await connection.execute(select(RelayReportCount.community_key, RelayReportCount.reports))
                ).all()
            )
        assert counts == {"console:local": 2, "slack:T9": 1}
        await _downgrade(db, "0006")
        assert await _keys(db) == ["intro:7", "relay:q:P1"]
        async with db.engine.connect() as connection:
            rows = (await connection.execute(select(RelayReport.__table__.c.community_key))).scalars().all()
        assert sorted(rows) == ["console:local", "console:local", "slack:T9"]
    finally:
        await db.close()
