"""Tables for matching: versioned rules, rounds, groups and their members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models import Base
from bot.kernel.storage.types import UTCDateTime


class RuleSet(Base):
    """One version of a community scope's matching rules; rounds record the version used."""

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("scope", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(90))
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class Round(Base):
    """A committed matching round: its seed, rules and figures (never any message text)."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(90), index=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    rule_set_id: Mapped[int | None] = mapped_column(ForeignKey("rule_sets.id"), nullable=True)
    rules: Mapped[dict] = mapped_column(JSON)
    started_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    metrics: Mapped[dict] = mapped_column(JSON)
    baseline: Mapped[dict] = mapped_column(JSON)


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
