"""A new data key for a thread that stays when someone leaves it.

A leaver's rows in others' threads are deleted, but old copies of them (dead rows, WAL,
backups) stay under the thread's data key while the thread lives. Re-encrypting what
remains under a new key and shredding the old one makes those copies unreadable at once,
instead of at the thread's purge.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.crypto import TokenBox
from bot.kernel.storage.sealed import data_keys_of
from bot.relay.models import RelayMessage, RelayParticipant, RelayThread

# Every token column of the relay's rows, by table.
TOKEN_COLUMNS = {
    RelayThread: ("context_token",),
    RelayParticipant: ("identity_token", "handle_token"),
    RelayMessage: ("body_token",),
}


async def rekey_threads(session: AsyncSession, thread_ids: list[str], now: datetime) -> None:
    """Move each thread's remaining content to a fresh data key and shred the old key
    (compact after the commit)."""
    keys = data_keys_of(session.sync_session)
    for thread_id in dict.fromkeys(thread_ids):
        thread = await session.get(RelayThread, thread_id)
        if thread is None:
            continue
        old, new = thread.data_key, keys.new(now)
        session.add(new)
        old_box, new_box = TokenBox(keys.box(old)), TokenBox(keys.box(new))
        for model, columns in TOKEN_COLUMNS.items():
            rows = [thread] if model is RelayThread else await _rows_of(session, model, thread_id)
            for row in rows:
                for column in columns:
                    setattr(row, column, new_box.encrypt(old_box.decrypt(getattr(row, column))))
                row.key_id, row.data_key = new.id, new
        await keys.shred(session, [old.id])


async def _rows_of(session: AsyncSession, model, thread_id: str) -> list:
    return list((await session.execute(select(model).where(model.thread_id == thread_id))).scalars())
