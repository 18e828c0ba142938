"""Groups of people introduced to each other and their members: shared by every feature.

A round creates them; check-ins, the relay and the home page read them. They sit in the
kernel so that no feature needs another's tables to know who was introduced to whom.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models import Base
from bot.kernel.storage.types import UTCDateTime


class MatchGroup(Base):
    """People introduced to each other in a round.

    `outcome` is what check-in follow-ups established: "met", "not_met" (a round that does
    not count as a repeat) or None while unknown.
    """

    __tablename__ = "match_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    similarity: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(String(12), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupMember(Base):
    """One person in a group; `wants_continue` is their choice to stay together next round."""

    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("match_groups.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    wants_continue: Mapped[bool | None] = mapped_column(default=None, nullable=True)
