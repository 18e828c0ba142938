"""The relay's tables: nothing in them reads as a question, an answer or a person without the key.

Every piece of content and every link from a handle to a person is a Fernet token
(`*_token` columns) under the thread's own data key (`key_id`, bot/kernel/data_keys.py),
which the purge shreds. What stays in clear is what retention, routing state and the guard
need: random ids, roles, status, flags and timestamps. `tag` is a keyed HMAC of a
participant (see bot/kernel/crypto.py) used to find a person's own threads and count their asks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.data_keys import KeyedRow
from bot.kernel.storage.models import Base
from bot.kernel.storage.types import UTCDateTime


class RelayThread(KeyedRow, Base):
    """One anonymous question and everything said about it; deleted after retention."""

    __tablename__ = "relay_threads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, never derived from ids
    status: Mapped[str] = mapped_column(String(12))  # draft | open | closed
    context_token: Mapped[str] = mapped_column(Text)  # the coarse context the asker chose to share
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RelayParticipant(KeyedRow, Base):
    """The asker or one chosen peer in a thread, under a random per-question handle."""

    __tablename__ = "relay_participants"
    __table_args__ = (Index("ix_relay_participants_tag", "tag"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("relay_threads.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(8))  # asker | peer
    tag: Mapped[str] = mapped_column(String(64))
    identity_token: Mapped[str] = mapped_column(Text)  # platform, community, user id, profile id
    handle_token: Mapped[str] = mapped_column(Text)  # "Peer 4821"
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    asker_offers_reveal: Mapped[bool] = mapped_column(Boolean, default=False)  # on peer rows
    peer_offers_reveal: Mapped[bool] = mapped_column(Boolean, default=False)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RelayMessage(KeyedRow, Base):
    """A question, answer, follow-up or thanks; `recipient_id` is empty for the question itself."""

    __tablename__ = "relay_messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("relay_threads.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("relay_participants.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("relay_participants.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(12))  # question | answer | followup | thanks
    body_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RelayKeyCheck(Base):
    """One token of a known text, so a wrong key is noticed at start-up, before anything is sent."""

    __tablename__ = "relay_key_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RelayReport(Base):
    """That a message of a live thread was reported in a community: a count for organisers.

    The row lives only as long as its thread: a purge or an erasure folds it into
    RelayReportCount and deletes it, so nothing says which thread was reported, or when.
    """

    __tablename__ = "relay_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    community_key: Mapped[str] = mapped_column(String(90), index=True)
    thread_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)


class RelayReportCount(Base):
    """How many reports a community had in threads since deleted: a number, with no row per report."""

    __tablename__ = "relay_report_counts"

    community_key: Mapped[str] = mapped_column(String(90), primary_key=True)
    reports: Mapped[int] = mapped_column(Integer)
