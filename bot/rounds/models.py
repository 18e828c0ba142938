"""Tables for matching: versioned rules and committed rounds (groups are in bot/kernel/storage/groups.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
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
