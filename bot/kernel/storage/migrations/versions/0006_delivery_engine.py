"""Delivery engine: a job remembers that a send may have started (so a take-over checks the
platform before sending again) and how many deliveries failed; a person remembers why
messages cannot reach them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("sending_since", UTCDateTime(), nullable=True))
        jobs.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("profiles") as profiles:
        profiles.add_column(sa.Column("unreachable_reason", sa.String(60), nullable=True))
        profiles.add_column(sa.Column("unreachable_since", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as profiles:
        profiles.drop_column("unreachable_since")
        profiles.drop_column("unreachable_reason")
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("failures")
        jobs.drop_column("sending_since")
