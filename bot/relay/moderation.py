"""What organisers do about reports without seeing content or learning who anyone is.

They see each open report's number, category, day and random reference (never a handle, a
name, a user id or text), and the counts per category kept after threads are deleted. They
can warn the sender of a reported message (a fixed message through the relay) or suspend them
from the relay for some days (found by tag, bot/relay/suspensions.py). Both act on a report
of their own community only, and only while its thread and both people in it still exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.kernel.clock import Clock
from bot.kernel.errors import UserError
from bot.kernel.storage.database import Database
from bot.relay import report_texts
from bot.relay.models import RelayReport, RelayReportCount
from bot.relay.report_notices import ReportNotices
from bot.relay.report_rows import in_community
from bot.relay.report_texts import ReportLine
from bot.relay.store import ThreadStore
from bot.relay.suspensions import Suspensions


@dataclass(frozen=True)
class ReportsOverview:
    """Open reports, newest first, and the counts per category of reports in deleted threads."""

    open: list[ReportLine]
    closed: dict[str, int]


@dataclass(frozen=True)
class Suspended:
    """A suspension's end, and whether its notice reached the person."""

    until: datetime
    status: str


class Moderation:
    """The organisers' side of reports: list, warn, suspend."""

    def __init__(
        self, db: Database, clock: Clock, store: ThreadStore, notices: ReportNotices, suspensions: Suspensions
    ):
        self._db, self._clock, self._store = db, clock, store
        self._notices, self._suspensions = notices, suspensions

    async def reports(self, community_key: str) -> ReportsOverview:
        """This community's reports as organisers may see them: no person, handle or text."""
        async with self._db.session() as session:
            rows = await session.scalars(
                select(RelayReport)
                .where(RelayReport.community_key == community_key)
                .order_by(RelayReport.id.desc())
            )
            lines = [
                ReportLine(
                    r.id,
                    r.category,
                    r.at,
                    r.reference if r.reported_id else None,
                    r.shared,
                    r.warned_at is not None,
                    r.suspended_until,
                )
                for r in rows
            ]
            counts = await session.execute(
                select(RelayReportCount.category, RelayReportCount.reports).where(
                    RelayReportCount.community_key == community_key
                )
            )
            closed = dict(counts.all())
        return ReportsOverview(lines, closed)

    async def _report(self, session, community_key: str, number: int) -> RelayReport:
        report = await session.scalar(select(RelayReport).where(in_community(community_key, number)))
        if report is None:
            raise UserError(report_texts.no_report(number))
        if report.reported_id is None:
            raise UserError(report_texts.NOT_LINKED)
        return report

    async def warn(self, community_key: str, number: int) -> str:
        """Send the sender of report `number` the fixed warning; returns the delivery's status."""
        async with self._db.session() as session, session.begin():
            report = await self._report(session, community_key, number)
            report.warned_at = self._clock.now()
        return await self._notices.tell(number, "warned")

    async def suspend(self, community_key: str, number: int, days: int) -> Suspended:
        """Stop the sender of report `number` asking and answering for `days` days, and tell them."""
        async with self._db.session() as session, session.begin():
            report = await self._report(session, community_key, number)
            view = await self._store.view(session, report.thread_id)
            person = view.parties[report.reported_id]
            until = await self._suspensions.suspend(session, person.identity, days, community_key)
            report.suspended_until = until
        return Suspended(until, await self._notices.tell(number, "suspended"))
