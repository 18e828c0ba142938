"""Migration 0010: existing reports and counts become category "other", counts are kept per
community per category, and the downgrade adds a community's categories back up."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, text
from test_relay_purge_migration import _downgrade

from bot.kernel.storage.database import Database
from bot.relay.models import RelayReport, RelayReportCount

NOW = datetime(2026, 12, 10, tzinfo=UTC)


async def test_existing_reports_and_counts_become_other_and_come_back_down(empty_database):
    db = Database(empty_database)
    try:
        await db.upgrade("0009")
        async with db.engine.begin() as connection:
            for community in ("console:local", "slack:T9"):
                await connection.execute(
                    insert(RelayReport.__table__).values(at=NOW, community_key=community, thread_id="T1")
                )
            await connection.execute(
                text("INSERT INTO relay_report_counts (community_key, reports) VALUES ('console:local', 4)")
            )

        await db.upgrade("0010")

        async with db.engine.connect() as connection:
            reports = (
                await connection.execute(select(RelayReport.community_key, RelayReport.category))
            ).all()
            counts = (
                await connection.execute(
                    select(
                        RelayReportCount.community_key, RelayReportCount.category, RelayReportCount.reports
                    )
                )
            ).all()
        assert sorted(reports) == [("console:local", "other"), ("slack:T9", "other")]
        assert counts == [("console:local", "other", 4)]

        async with db.engine.begin() as connection:
            await connection.execute(
                insert(RelayReportCount).values(community_key="console:local", category="abusive", reports=2)
            )
        await _downgrade(db, "0009")
        async with db.engine.connect() as connection:
            down = (
                await connection.execute(text("SELECT community_key, reports FROM relay_report_counts"))
            ).all()
            columns = (await connection.execute(text("SELECT * FROM relay_reports"))).keys()
        assert [tuple(row) for row in down] == [("console:local", 6)]
        assert "category" not in columns
    finally:
        await db.close()
