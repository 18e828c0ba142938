"""The tables. Each feature's tables sit together; migrations in storage/migrations create them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.kernel.storage.types import UTCDateTime


class Base(DeclarativeBase):
    """Base for all tables."""


class Profile(Base):
    """A practitioner taking part, in one community on one platform."""

    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("platform", "community", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    community: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(80))
    organisation: Mapped[str] = mapped_column(String(120))
    org_type: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(120))
    areas: Mapped[list] = mapped_column(JSON)
    challenge: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(64))
    cadence: Mapped[str] = mapped_column(String(20))
    accepts_questions: Mapped[bool] = mapped_column(Boolean)
    # pending (form filled, consent not yet given) | active | paused
    status: Mapped[str] = mapped_column(String(12), default="pending")
    paused_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    privacy_notice_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dont_pair_with: Mapped[list] = mapped_column(JSON, default=list)
    vector: Mapped[dict | list | None] = mapped_column(JSON, nullable=True)
    vector_backend: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Why the platform refuses every message to this person (account deactivated, user not
    # found), so nobody is matched with someone who cannot be reached; cleared when they return.
    unreachable_reason: Mapped[str | None] = mapped_column(String(60), nullable=True)
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedInvocation(Base):
    """Ids of invocations already handled, so a platform's retried delivery is ignored."""

    __tablename__ = "processed_invocations"

    dedup_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Refusal(Base):
    """A message the outbox refused to send: counted for organisers, never with content."""

    __tablename__ = "refusals"
    __table_args__ = (Index("ix_refusals_community", "community_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    community_key: Mapped[str] = mapped_column(String(90))
    kind: Mapped[str] = mapped_column(String(40))
    sensitivity: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(40))
