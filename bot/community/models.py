"""Per-server settings an organiser chooses with /peer setup on Discord."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models import Base
from bot.kernel.storage.types import UTCDateTime


class DiscordGuildSettings(Base):
    """Who may join, where the join button is posted, the admin role and the round schedule.

    Holds ids only, never anything a person wrote, so it is not personal data.
    """

    __tablename__ = "discord_guild_settings"

    guild_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    participant_role_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: everyone
    optin_channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    join_message_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    admin_role_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    round_cron: Mapped[str | None] = mapped_column(String(100), nullable=True)  # None: [rounds] cron
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
