"""Matching rounds (rules, rounds, groups, members) and the scheduled-jobs table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rule_sets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(90), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("scope", "version"),
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(90), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), sa.ForeignKey("rule_sets.id"), nullable=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("baseline", sa.JSON(), nullable=False),
    )
    op.create_index("ix_rounds_scope", "rounds", ["scope"])
    op.create_table(
        "match_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_match_groups_round_id", "match_groups", ["round_id"])
    op.create_table(
        "group_members",
        sa.Column(
            "group_id",
            sa.Integer(),
            sa.ForeignKey("match_groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "profile_id",
            sa.Integer(),
            sa.ForeignKey("profiles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("wants_continue", sa.Boolean(), nullable=True),
    )
    op.create_index("ix_group_members_profile_id", "group_members", ["profile_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_jobs_due", "jobs", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_due", "jobs")
    op.drop_table("jobs")
    op.drop_index("ix_group_members_profile_id", "group_members")
    op.drop_table("group_members")
    op.drop_index("ix_match_groups_round_id", "match_groups")
    op.drop_table("match_groups")
    op.drop_index("ix_rounds_scope", "rounds")
    op.drop_table("rounds")
    op.drop_table("rule_sets")
