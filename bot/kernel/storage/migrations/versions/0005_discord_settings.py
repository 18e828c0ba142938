"""Discord: per-server settings chosen with /peer setup.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discord_guild_settings",
        sa.Column("guild_id", sa.String(32), primary_key=True),
        sa.Column("participant_role_id", sa.String(32), nullable=True),
        sa.Column("optin_channel_id", sa.String(32), nullable=True),
        sa.Column("join_message_id", sa.String(32), nullable=True),
        sa.Column("admin_role_id", sa.String(32), nullable=True),
        sa.Column("round_cron", sa.String(100), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("discord_guild_settings")
