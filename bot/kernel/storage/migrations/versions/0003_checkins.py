"""Check-ins and follow-up responses.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "group_id", sa.Integer(), sa.ForeignKey("match_groups.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", UTCDateTime(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("cadence", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("group_id", "sequence"),
    )
    op.create_index("ix_checkins_group_id", "checkins", ["group_id"])
    op.create_index("ix_checkins_status_time", "checkins", ["status", "scheduled_at"])
    op.create_table(
        "checkin_responses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "checkin_id", sa.Integer(), sa.ForeignKey("checkins.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "profile_id", sa.Integer(), sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("met", sa.String(8), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("private_note", sa.Text(), nullable=True),
        sa.Column("wants_continue", sa.Boolean(), nullable=True),
        sa.Column("responded_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("checkin_id", "profile_id"),
    )
    op.create_index("ix_checkin_responses_checkin_id", "checkin_responses", ["checkin_id"])
    op.create_index("ix_checkin_responses_profile_id", "checkin_responses", ["profile_id"])


def downgrade() -> None:
    op.drop_index("ix_checkin_responses_profile_id", "checkin_responses")
    op.drop_index("ix_checkin_responses_checkin_id", "checkin_responses")
    op.drop_table("checkin_responses")
    op.drop_index("ix_checkins_status_time", "checkins")
    op.drop_index("ix_checkins_group_id", "checkins")
    op.drop_table("checkins")
