"""Foundation: profiles, processed invocations, outbox refusals.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("organisation", sa.String(120), nullable=False),
        sa.Column("org_type", sa.String(20), nullable=False),
        sa.Column("region", sa.String(20), nullable=False),
        sa.Column("role", sa.String(120), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("challenge", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("cadence", sa.String(20), nullable=False),
        sa.Column("accepts_questions", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("consented_at", UTCDateTime(), nullable=True),
        sa.Column("privacy_notice_version", sa.Integer(), nullable=True),
        sa.Column("dont_pair_with", sa.JSON(), nullable=False),
        sa.Column("vector", sa.JSON(), nullable=True),
        sa.Column("vector_backend", sa.String(40), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("platform", "community", "user_id"),
    )
    op.create_table(
        "processed_invocations",
        sa.Column("dedup_id", sa.String(200), primary_key=True),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_processed_invocations_seen_at", "processed_invocations", ["seen_at"])
    op.create_table(
        "refusals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("community_key", sa.String(90), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("sensitivity", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
    )
    op.create_index("ix_refusals_community", "refusals", ["community_key"])


def downgrade() -> None:
    op.drop_table("refusals")
    op.drop_index("ix_processed_invocations_seen_at", "processed_invocations")
    op.drop_table("processed_invocations")
    op.drop_table("profiles")
