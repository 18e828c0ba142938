"""Report rows inside a caller's unit of work: who a report silences, and folding reports into
the per-category counts when their thread or one of their two people is deleted.

Nothing here opens or commits a transaction, and nothing decrypts: a report row holds random
ids and a category only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.jobs import delete_by_prefix
from bot.relay.job_keys import report_jobs
from bot.relay.models import RelayReport, RelayReportCount


async def silenced(session: AsyncSession, sender_id: str, recipient_id: str) -> bool:
    """Whether the recipient reported the sender in this thread: the sender may not write to them."""
    found = await session.scalar(
        select(RelayReport.id)
        .where((RelayReport.reported_id == sender_id) & (RelayReport.reporter_id == recipient_id))
        .limit(1)
    )
    return found is not None


async def reported_between(session: AsyncSession, one_id: str, other_id: str) -> bool:
    """Whether either of two people in a thread reported the other (then they swap nothing)."""
    return await silenced(session, one_id, other_id) or await silenced(session, other_id, one_id)


async def already_reported(session: AsyncSession, message_id: str, reporter_id: str) -> bool:
    """Whether this person reported this message before (one report each)."""
    found = await session.scalar(
        select(RelayReport.id)
        .where((RelayReport.message_id == message_id) & (RelayReport.reporter_id == reporter_id))
        .limit(1)
    )
    return found is not None


def of_threads(thread_ids: list[str]) -> ColumnElement[bool]:
    """The reports made in these threads (for a purge, or an asker's erasure)."""
    return RelayReport.thread_id.in_(thread_ids)


def of_participants(participant_ids: list[str]) -> ColumnElement[bool]:
    """The reports made by or about these participants (for a peer's erasure)."""
    return or_(RelayReport.reporter_id.in_(participant_ids), RelayReport.reported_id.in_(participant_ids))


async def fold_reports(session: AsyncSession, which: ColumnElement[bool]) -> None:
    """Add these reports to their communities' counts per category, then delete the rows and the
    jobs telling their senders, so only the numbers stay."""
    rows = (await session.execute(select(RelayReport.id, RelayReport.thread_id).where(which))).all()
    if not rows:
        return
    await delete_by_prefix(session, [report_jobs(thread, number) for number, thread in rows if thread])
    counted = await session.execute(
        select(RelayReport.community_key, RelayReport.category, func.count())
        .where(which)
        .group_by(RelayReport.community_key, RelayReport.category)
    )
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    for community_key, category, reports in counted.all():
        await session.execute(
            insert(RelayReportCount)
            .values(community_key=community_key, category=category, reports=reports)
            .on_conflict_do_update(
                index_elements=["community_key", "category"],
                set_={"reports": RelayReportCount.reports + reports},
            )
        )
    await session.execute(delete(RelayReport).where(which))


def in_community(community_key: str, number: int) -> ColumnElement[bool]:
    """Report `number`, only if it was made in this community (organisers act on their own)."""
    return and_(RelayReport.id == number, RelayReport.community_key == community_key)
