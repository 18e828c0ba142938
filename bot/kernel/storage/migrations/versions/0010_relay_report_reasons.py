"""Relay reports say why: a category on every report (abusive, identifying someone, off-topic,
other), the people it concerns while its thread lives (so the sender is silenced towards the
reporter only, and organisers can warn or suspend them without learning who), and the counts
kept after a purge become counts per community per category. Suspensions from the relay get
their own table, found by the person's keyed tag.

Existing reports and counts become "other"; existing reports name no people.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-16
"""

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NEW_REPORT_COLUMNS = (
    "category",
    "message_id",
    "reporter_id",
    "reported_id",
    "reference",
    "shared",
    "warned_at",
    "suspended_until",
)


def _counts_table(with_category: bool) -> list[sa.Column]:
    columns = [sa.Column("community_key", sa.String(90), primary_key=True)]
    if with_category:
        columns.append(sa.Column("category", sa.String(16), primary_key=True))
    return [*columns, sa.Column("reports", sa.Integer(), nullable=False)]


def _rebuild_counts(with_category: bool) -> None:
    """Recreate relay_report_counts with or without the category in its key, keeping the numbers
    (old counts become "other"; on the way down, a community's categories are added up)."""
    bind = op.get_bind()
    old = sa.table("relay_report_counts", *[sa.column(c.name) for c in _counts_table(not with_category)])
    if with_category:
        rows = [
            (key, "other", number)
            for key, number in bind.execute(sa.select(old.c.community_key, old.c.reports))
        ]
    else:
        summed = sa.select(old.c.community_key, sa.func.sum(old.c.reports)).group_by(old.c.community_key)
        rows = [(key, int(number)) for key, number in bind.execute(summed)]
    op.drop_table("relay_report_counts")
    new = op.create_table("relay_report_counts", *_counts_table(with_category))
    names = [c.name for c in new.columns]
    if rows:
        op.bulk_insert(new, [dict(zip(names, row, strict=True)) for row in rows])


def upgrade() -> None:
    with op.batch_alter_table("relay_reports") as table:
        table.add_column(sa.Column("category", sa.String(16), nullable=False, server_default="other"))
        table.add_column(sa.Column("message_id", sa.String(32), nullable=True))
        table.add_column(sa.Column("reporter_id", sa.String(32), nullable=True))
        table.add_column(sa.Column("reported_id", sa.String(32), nullable=True))
        table.add_column(sa.Column("reference", sa.String(8), nullable=True))
        table.add_column(sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("warned_at", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("suspended_until", UTCDateTime(), nullable=True))
        table.create_index("ix_relay_reports_reporter_id", ["reporter_id"])
        table.create_index("ix_relay_reports_reported_id", ["reported_id"])
    _rebuild_counts(with_category=True)
    op.create_table(
        "relay_suspensions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.Column("identity_token", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("community_key", sa.String(90), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_relay_suspensions_tag", "relay_suspensions", ["tag"])
    op.create_index("ix_relay_suspensions_ends_at", "relay_suspensions", ["ends_at"])
    op.create_index("ix_relay_suspensions_key_id", "relay_suspensions", ["key_id"])


def downgrade() -> None:
    op.drop_index("ix_relay_suspensions_key_id", "relay_suspensions")
    op.drop_index("ix_relay_suspensions_ends_at", "relay_suspensions")
    op.drop_index("ix_relay_suspensions_tag", "relay_suspensions")
    op.drop_table("relay_suspensions")
    _rebuild_counts(with_category=False)
    with op.batch_alter_table("relay_reports") as table:
        table.drop_index("ix_relay_reports_reported_id")
        table.drop_index("ix_relay_reports_reporter_id")
        for name in NEW_REPORT_COLUMNS:
            table.drop_column(name)
