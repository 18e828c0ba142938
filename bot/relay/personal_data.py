"""The relay's share of /peer mydata (the person's own words only) and of /peer leave.

An export shows what the person wrote and their handles, never what others wrote to them;
erasure deletes the threads they asked and their part in threads they were asked in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.storage.models import Profile
from bot.relay.keys import RelayKeys
from bot.relay.models import RelayMessage, RelayParticipant, RelayThread
from bot.relay.parties import Identity
from bot.relay.rekey import rekey_threads
from bot.relay.store import delete_participants, delete_threads


def _identity(profile: Profile) -> Identity:
    return Identity(profile.platform, profile.community, profile.user_id, profile.id)


class RelayPersonalData:
    """The relay's part of a person's data, registered in `core.hooks.personal_data`."""

    name = "anonymous_questions"

    def __init__(self, keys: RelayKeys, clock: Clock):
        self._keys, self._clock = keys, clock

    async def export(self, session: AsyncSession, profile: Profile) -> Any:
        """Each of the person's threads: role, handle, dates, and what they wrote (not thanks)."""
        if not self._keys.available:
            return {"note": "Anonymous question threads cannot be read while the relay's key is missing."}
        rows = (await session.execute(self._keys.select_owned(_identity(profile)))).scalars()
        return [await _thread_export(session, self._keys, row) for row in rows]

    async def erase(self, session: AsyncSession, profile: Profile) -> None:
        """Delete the threads the person asked, and their messages and rows in others' threads."""
        if self._keys.crypto is None:
            return
        rows = list((await session.execute(self._keys.select_owned(_identity(profile)))).scalars())
        await delete_threads(session, [row.thread_id for row in rows if row.role == "asker"])
        peer_rows = [row for row in rows if row.role == "peer"]
        await delete_participants(session, peer_rows)
        await rekey_threads(session, [row.thread_id for row in peer_rows], self._clock.now())


async def _thread_export(session: AsyncSession, keys: RelayKeys, row: RelayParticipant) -> dict[str, Any]:
    thread = await session.get(RelayThread, row.thread_id)
    written = (
        await session.execute(
            select(RelayMessage).where(RelayMessage.sender_id == row.id).order_by(RelayMessage.created_at)
        )
    ).scalars()
    return {
        "role": row.role,
        "your_handle": keys.content(row).decrypt(row.handle_token),
        "status": thread.status,
        "started": thread.created_at.isoformat(),
        "last_activity": thread.last_activity_at.isoformat(),
        "what_you_wrote": [
            {"kind": m.kind, "at": m.created_at.isoformat(), "text": keys.content(m).decrypt(m.body_token)}
            for m in written
            if m.kind != "thanks"
        ],
    }
