"""Check-ins of matched groups and each person's follow-up answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models import Base
from bot.kernel.storage.sealed import SealedField, SealedRow, seal_fields_of
from bot.kernel.storage.types import UTCDateTime


class Checkin(Base):
    """One agreed time for a group to meet.

    `version` goes up on every reschedule: job keys carry it, so a reminder for the old
    time can never be sent for the new one. `timezone` is the group's zone, in which the
    cadence keeps the same wall-clock time across clock changes.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("group_id", "sequence"),
        Index("ix_checkins_status_time", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("match_groups.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    cadence: Mapped[str] = mapped_column(String(20))
    # scheduled | skipped | done
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


@seal_fields_of
class CheckinResponse(SealedRow, Base):
    """One person's answer to a follow-up; `private_note` is shown to nobody but them.

    The note is sealed under its writer's data key, so erasing them shreds it.
    """

    __tablename__ = "checkin_responses"
    __table_args__ = (UniqueConstraint("checkin_id", "profile_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    met: Mapped[str | None] = mapped_column(String(8), nullable=True)  # met | not_yet | couldnt
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    private_note = SealedField(None)
    wants_continue: Mapped[bool | None] = mapped_column(default=None, nullable=True)
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime)
