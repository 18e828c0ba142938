"""Data keys and the rows encrypted with them (crypto-shredding).

Each relay thread and each person has a data key of their own, stored in `data_keys` wrapped
by the operator's key (PEERBOT_ENCRYPTION_KEYS). Their content is stored only as Fernet tokens
under that data key. Deleting the key row, and compacting the small `data_keys` table so no
page still holds it (bot/kernel/data_keys.py), makes every remaining copy of the content —
dead tuples, WAL, backups — unreadable, without rewriting the large tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, declared_attr, foreign, mapped_column, relationship

from bot.kernel.storage.base import Base
from bot.kernel.storage.types import UTCDateTime


class DataKey(Base):
    """One data key, wrapped: "f1:" + a token under the operator's key, or "plain:" + the key
    when no operator key is set (then only the compaction protects it; see docs/RELAY.md)."""

    __tablename__ = "data_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random
    wrapped: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KeyedRow:
    """A row whose tokens are under one data key; the key comes with every load (one join)."""

    key_id: Mapped[str] = mapped_column(String(32), index=True)

    @declared_attr
    def data_key(cls) -> Mapped[DataKey]:
        return relationship(
            DataKey,
            primaryjoin=lambda: foreign(cls.key_id) == DataKey.id,
            lazy="joined",
            innerjoin=True,
        )
