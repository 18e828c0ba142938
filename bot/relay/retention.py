"""Keeping relay data no longer than needed, and re-encrypting it when keys rotate.

Threads quiet or closed for longer than `[relay] retention` are deleted with everything in
them and about them: messages, participants, every job row and every report row (reports
are kept only as a per-community count). On SQLite every connection has secure_delete on
(bot/kernel/storage/database.py), so the freed space is overwritten with zeros.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.crypto import RelayCrypto
from bot.kernel.data_keys import OPERATOR_KEY_ID
from bot.kernel.storage.database import Database
from bot.relay.keys import RelayKeys
from bot.relay.models import RelayKeyCheck, RelayParticipant, RelayThread
from bot.relay.parties import Identity
from bot.relay.rekey import TOKEN_COLUMNS
from bot.relay.store import delete_threads
from bot.relay.suspensions import retag_suspensions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeCounts:
    threads: int
    messages: int
    participants: int


class Retention:
    """Purges old threads and rotates the key of everything stored."""

    def __init__(self, config: Config, db: Database, clock: Clock, keys: RelayKeys):
        self._config, self._db, self._clock, self._keys = config, db, clock, keys

    async def purge(self, everything: bool = False) -> PurgeCounts:
        """Delete every thread quiet or closed for longer than the retention period."""
        cutoff = self._clock.now() - self._config.relay.retention
        async with self._db.session() as session, session.begin():
            query = select(RelayThread.id)
            if not everything:
                query = query.where(RelayThread.last_activity_at < cutoff)
            ids = list((await session.execute(query)).scalars())
            counts = await delete_threads(session, ids)
        await self._db.compact_data_keys(only_if_owed=not ids)
        log.log(
            logging.INFO if any(counts) else logging.DEBUG,
            "relay purge: %d threads, %d messages, %d handles",
            *counts,
        )
        return PurgeCounts(*counts)

    async def rotate_keys(self) -> int:
        """Wrap every data key with the first operator key, re-tag every participant and
        re-encrypt what was written before data keys existed, in one transaction; returns
        how many stored values changed."""
        crypto = self._keys.require()
        changed = 0
        async with self._db.session() as session, session.begin():
            for row in (await session.execute(select(RelayParticipant))).scalars():
                identity = Identity.from_json(self._keys.content(row).decrypt_json(row.identity_token))
                row.tag = crypto.tag(identity.key)
                changed += 1
            changed += await retag_suspensions(session, self._keys)
            changed += await _rotate_operator_tokens(session, crypto)
            changed += await self._db.data_keys.rewrap_all(session)
            check = await session.get(RelayKeyCheck, 1)
            if check is not None:
                check.token = crypto.rotate(check.token)
                changed += 1
        await self._db.compact_data_keys()
        return changed


async def _rotate_operator_tokens(session: AsyncSession, crypto: RelayCrypto) -> int:
    """Tokens of threads written before data keys, still under the operator's key itself."""
    changed = 0
    for model, columns in TOKEN_COLUMNS.items():
        rows = await session.execute(select(model).where(model.key_id == OPERATOR_KEY_ID))
        for row in rows.scalars():
            for column in columns:
                setattr(row, column, crypto.rotate(getattr(row, column)))
                changed += 1
    return changed
