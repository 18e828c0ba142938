"""The relay's tables: nothing in them reads as a question, an answer or a person without the key.

Every piece of content and every link from a handle to a person is a Fernet token
(`*_token` columns) under the thread's own data key (`key_id`, bot/kernel/data_keys.py),
which the purge shreds. What stays in clear is what retention, routing state and the guard
need: random ids, roles, status, flags and timestamps. `tag` is a keyed HMAC of a
participant (see bot/kernel/crypto.py) used to find a person's own threads and count their asks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
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
    # Set only by reports made before migration 0010 (silenced in the whole thread); a report now
    # silences its sender towards the reporter alone (relay_reports).
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
    """A report of a message in a live thread: why (a category), and whom it silences towards whom.

    The row lives only as long as its thread and both people in it: a purge, or the erasure of
    the reporter or the reported, folds it into RelayReportCount (a number per category) and
    deletes it, so nothing then says which thread or person was reported, or when. Organisers
    see its number, category, day and random `reference`, never `reporter_id` or `reported_id`.
    Rows made before categories (migration 0010) are "other" and name no people.
    """

    __tablename__ = "relay_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the number organisers act on
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # the day only (rules.report_day)
    community_key: Mapped[str] = mapped_column(String(90), index=True)
    thread_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    category: Mapped[str] = mapped_column(String(16), server_default="other")  # rules.REPORT_CATEGORIES
    message_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reporter_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)  # participant
    reported_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)  # participant
    reference: Mapped[str | None] = mapped_column(String(8), nullable=True)  # random, for organisers
    shared: Mapped[bool] = mapped_column(Boolean, server_default=false())  # text shown to organisers
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RelayReportCount(Base):
    """How many reports a community had, by category, in threads since deleted: numbers only."""

    __tablename__ = "relay_report_counts"

    community_key: Mapped[str] = mapped_column(String(90), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    reports: Mapped[int] = mapped_column(Integer)


class RelaySuspension(KeyedRow, Base):
    """A person may not ask or answer anonymous questions until `ends_at`, on an organiser's word.

    Found by `tag` (the keyed HMAC of the person, as on participant rows), so organisers act on
    a report without learning who it concerns; `identity_token` (under the person's own data
    key, so erasing them shreds it) is kept only so a key rotation can re-tag the row. Rows past
    `ends_at` mean nothing and are deleted by the purge.
    """

    __tablename__ = "relay_suspensions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random
    tag: Mapped[str] = mapped_column(String(64), index=True)
    identity_token: Mapped[str] = mapped_column(Text)
    community_key: Mapped[str] = mapped_column(String(90))  # whose organisers suspended
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
