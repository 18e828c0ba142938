"""The confidential relay: threads, participants, messages (all content as Fernet tokens),
the key check and report counts.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relay_threads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("context_token", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("last_activity_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_relay_threads_sent_at", "relay_threads", ["sent_at"])
    op.create_index("ix_relay_threads_last_activity_at", "relay_threads", ["last_activity_at"])
    op.create_table(
        "relay_participants",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "thread_id",
            sa.String(32),
            sa.ForeignKey("relay_threads.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.Column("identity_token", sa.Text(), nullable=False),
        sa.Column("handle_token", sa.Text(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("asker_offers_reveal", sa.Boolean(), nullable=False),
        sa.Column("peer_offers_reveal", sa.Boolean(), nullable=False),
        sa.Column("revealed_at", UTCDateTime(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_relay_participants_thread_id", "relay_participants", ["thread_id"])
    op.create_index("ix_relay_participants_tag", "relay_participants", ["tag"])
    op.create_table(
        "relay_messages",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "thread_id",
            sa.String(32),
            sa.ForeignKey("relay_threads.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "sender_id",
            sa.String(32),
            sa.ForeignKey("relay_participants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "recipient_id",
            sa.String(32),
            sa.ForeignKey("relay_participants.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("body_token", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_relay_messages_thread_id", "relay_messages", ["thread_id"])
    op.create_index("ix_relay_messages_sender_id", "relay_messages", ["sender_id"])
    op.create_table(
        "relay_key_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "relay_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("community_key", sa.String(90), nullable=False),
    )
    op.create_index("ix_relay_reports_community_key", "relay_reports", ["community_key"])


def downgrade() -> None:
    op.drop_index("ix_relay_reports_community_key", "relay_reports")
    op.drop_table("relay_reports")
    op.drop_table("relay_key_check")
    op.drop_index("ix_relay_messages_sender_id", "relay_messages")
    op.drop_index("ix_relay_messages_thread_id", "relay_messages")
    op.drop_table("relay_messages")
    op.drop_index("ix_relay_participants_tag", "relay_participants")
    op.drop_index("ix_relay_participants_thread_id", "relay_participants")
    op.drop_table("relay_participants")
    op.drop_index("ix_relay_threads_last_activity_at", "relay_threads")
    op.drop_index("ix_relay_threads_sent_at", "relay_threads")
    op.drop_table("relay_threads")
