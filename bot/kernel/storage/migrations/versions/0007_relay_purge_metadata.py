"""Relay purge leaves no metadata: every relay job key starts with its thread's id, so a purge
can delete the jobs with the thread; report rows name their thread and are folded into a
per-community count when it goes.

Existing relay jobs are re-keyed; those whose thread was already purged (the leftovers this
fixes) are deleted. Existing report rows cannot be tied to a thread: they become counts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

jobs = sa.table("jobs", sa.column("id", sa.Integer), sa.column("key", sa.String))
reports = sa.table(
    "relay_reports",
    sa.column("at", UTCDateTime),
    sa.column("community_key", sa.String),
    sa.column("thread_id", sa.String),
)
counts = sa.table(
    "relay_report_counts", sa.column("community_key", sa.String), sa.column("reports", sa.Integer)
)


def upgrade() -> None:
    with op.batch_alter_table("relay_reports") as table:
        table.add_column(sa.Column("thread_id", sa.String(32), nullable=True))
        table.create_index("ix_relay_reports_thread_id", ["thread_id"])
    op.create_table(
        "relay_report_counts",
        sa.Column("community_key", sa.String(90), primary_key=True),
        sa.Column("reports", sa.Integer(), nullable=False),
    )
    bind = op.get_bind()
    by_community = sa.select(reports.c.community_key, sa.func.count()).group_by(reports.c.community_key)
    for community_key, number in bind.execute(by_community).all():
        bind.execute(counts.insert().values(community_key=community_key, reports=number))
    bind.execute(reports.delete())
    _rekey_jobs(bind)


def _rekey_jobs(bind) -> None:
    """relay:q:<participant> and relay:m:<message> become relay:t:<thread>:q:… and …:m:…."""
    owners = {
        "q": dict(bind.execute(sa.text("SELECT id, thread_id FROM relay_participants")).all()),
        "m": dict(bind.execute(sa.text("SELECT id, thread_id FROM relay_messages")).all()),
    }
    old = bind.execute(
        sa.select(jobs.c.id, jobs.c.key).where(jobs.c.key.like("relay:q:%") | jobs.c.key.like("relay:m:%"))
    )
    for job_id, key in old.all():
        _, kind, ref = key.split(":", 2)
        thread_id = owners[kind].get(ref)
        if thread_id is None:  # its thread is gone: the row is only metadata now
            bind.execute(jobs.delete().where(jobs.c.id == job_id))
        else:
            new_key = f"relay:t:{thread_id}:{kind}:{ref}"
            bind.execute(jobs.update().where(jobs.c.id == job_id).values(key=new_key))


def downgrade() -> None:
    bind = op.get_bind()
    relay_jobs = sa.select(jobs.c.id, jobs.c.key).where(jobs.c.key.like("relay:t:%"))
    for job_id, key in bind.execute(relay_jobs).all():
        _, _, _, kind, ref = key.split(":", 4)
        bind.execute(jobs.update().where(jobs.c.id == job_id).values(key=f"relay:{kind}:{ref}"))
    now = datetime.now(UTC)
    for community_key, number in bind.execute(sa.select(counts.c.community_key, counts.c.reports)).all():
        for _ in range(number):
            bind.execute(reports.insert().values(at=now, community_key=community_key))
    op.drop_table("relay_report_counts")
    with op.batch_alter_table("relay_reports") as table:
        table.drop_index("ix_relay_reports_thread_id")
        table.drop_column("thread_id")
