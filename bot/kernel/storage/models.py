"""The tables. Each feature's tables sit together; migrations in storage/migrations create them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.base import Base
from bot.kernel.storage.sealed import SealedField, SealedRow, seal_fields_of
from bot.kernel.storage.types import UTCDateTime

__all__ = ["Base", "ProcessedInvocation", "Profile", "Refusal"]


@seal_fields_of
class Profile(SealedRow, Base):
    """A practitioner taking part, in one community on one platform.

    Name, organisation, role and challenge are sealed under the person's own data key (never
    stored in clear); erasing the person shreds the key. Matching reads the hashed vector.
    """

    __tablename__ = "profiles"
    owns_data_key = True
    __table_args__ = (UniqueConstraint("platform", "community", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    community: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name = SealedField()
    organisation = SealedField()
    org_type: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(20))
    role = SealedField()
    areas: Mapped[list] = mapped_column(JSON)
    challenge = SealedField()
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
