"""Suspensions from the relay: after a report, organisers may stop its sender asking and answering
anonymous questions for a while, without ever learning who that is.

A suspension row holds the person's keyed HMAC tag (the one their participant rows carry,
bot/kernel/crypto.py), so it is found from whoever acts next, and no organiser, log or
database column shows a user id. It ends on its own at `ends_at`; the purge deletes it after.
It is the person's data: `/peer mydata` shows it and `/peer leave` deletes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.relay import report_texts
from bot.relay.keys import RelayKeys
from bot.relay.models import RelaySuspension
from bot.relay.parties import Identity
from bot.relay.rules import is_suspended, suspension_end
from bot.relay.store import new_id


class Suspensions:
    """Who may not use the relay now, found by tag; suspending, and forgetting ended suspensions."""

    def __init__(self, db: Database, clock: Clock, keys: RelayKeys):
        self._db, self._clock, self._keys = db, clock, keys

    async def check(self, actor: Actor) -> None:
        """Refuse, saying plainly until when, someone suspended who tries to ask or answer."""
        async with self._db.session() as session:
            until = await self.until(session, Identity.of(actor))
        if until is not None:
            raise UserError(report_texts.suspended_refusal(until))

    async def until(self, session: AsyncSession, identity: Identity) -> datetime | None:
        """When this person's suspension ends, or None when they are not suspended now."""
        ends = await session.scalars(
            select(RelaySuspension.ends_at).where(RelaySuspension.tag.in_(self._keys.tags(identity)))
        )
        return is_suspended(list(ends), self._clock.now())

    async def suspend(
        self, session: AsyncSession, identity: Identity, days: int, community_key: str
    ) -> datetime:
        """Suspend a person for `days` (or longer, when already suspended); returns the end."""
        crypto = self._keys.require()
        now = self._clock.now()
        rows = list(
            await session.scalars(
                select(RelaySuspension).where(RelaySuspension.tag.in_(self._keys.tags(identity)))
            )
        )
        person = await session.get(Profile, identity.profile_id)
        if person is None:
            raise UserError(report_texts.REPORTED_PERSON_LEFT)
        until = suspension_end(now, days, is_suspended([row.ends_at for row in rows], now))
        for row in rows:
            await session.delete(row)
        session.add(
            RelaySuspension(
                id=new_id(),
                tag=crypto.tag(identity.key),
                key_id=person.key_id,
                data_key=person.data_key,
                identity_token=self._keys.content_of_key(person.data_key).encrypt_json(identity.as_json()),
                community_key=community_key,
                ends_at=until,
                created_at=now,
            )
        )
        return until

    async def forget_ended(self, everything: bool = False) -> int:
        """Delete suspensions that have ended (or all, with a purge of everything)."""
        query = delete(RelaySuspension)
        if not everything:
            query = query.where(RelaySuspension.ends_at <= self._clock.now())
        async with self._db.session() as session, session.begin():
            return (await session.execute(query)).rowcount


async def retag_suspensions(session: AsyncSession, keys: RelayKeys) -> int:
    """On key rotation: each suspension re-tagged with the first key, like the participant rows,
    so it still finds its person once the old key is dropped (its token is under the person's
    data key, which the rotation re-wraps)."""
    crypto = keys.require()
    changed = 0
    for row in await session.scalars(select(RelaySuspension)):
        identity = Identity.from_json(keys.content(row).decrypt_json(row.identity_token))
        row.tag = crypto.tag(identity.key)
        changed += 1
    return changed


class SuspensionData:
    """A person's suspension, their share of `/peer mydata` and `/peer leave` (the relay's other
    part, RelayPersonalData, covers their threads)."""

    name = "anonymous_questions_suspension"

    def __init__(self, keys: RelayKeys):
        self._keys = keys

    def _owned(self, profile: Profile):
        identity = Identity(profile.platform, profile.community, profile.user_id, profile.id)
        return RelaySuspension.tag.in_(self._keys.tags(identity))

    async def export(self, session: AsyncSession, profile: Profile) -> Any:
        """Until when the person is suspended from anonymous questions, if they are."""
        if self._keys.crypto is None:
            return None
        ends = await session.scalars(select(RelaySuspension.ends_at).where(self._owned(profile)))
        latest = max(ends, default=None)
        return {"suspended_until": latest.isoformat()} if latest else None

    async def erase(self, session: AsyncSession, profile: Profile) -> None:
        """Delete the person's suspension with the rest of their data."""
        if self._keys.crypto is not None:
            await session.execute(delete(RelaySuspension).where(self._owned(profile)))
