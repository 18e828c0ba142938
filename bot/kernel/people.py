"""Who someone is here: finding a person's profile row from the actor an adapter gave us.

Every feature needs this (a reminder's recipient, the relay's asker), so it lives in the
kernel; joining, editing and leaving are the profiles feature's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile


def owned_by(actor: Actor):
    """The SQL condition selecting this actor's profile row."""
    return (
        (Profile.platform == actor.platform)
        & (Profile.community == actor.community)
        & (Profile.user_id == actor.user_id)
    )


async def find_profile(session: AsyncSession, actor: Actor) -> Profile | None:
    """The actor's profile in this session, pending or not."""
    return (await session.execute(select(Profile).where(owned_by(actor)))).scalar_one_or_none()


async def require_member(session: AsyncSession, actor: Actor) -> Profile:
    """The actor's consented profile, or a UserError telling them how to join."""
    profile = await find_profile(session, actor)
    if profile is None or profile.status == "pending":
        raise UserError("You haven't joined yet. Use `/peer join` to create your profile.")
    return profile


class People:
    """Looks people up by the actor adapters pass in; reads only."""

    def __init__(self, db: Database):
        self._db = db

    async def find(self, actor: Actor) -> Profile | None:
        """The caller's profile, pending or not."""
        async with self._db.session() as session:
            return await find_profile(session, actor)

    async def require(self, actor: Actor) -> Profile:
        """The caller's consented profile, or a UserError telling them how to join."""
        async with self._db.session() as session:
            return await require_member(session, actor)
