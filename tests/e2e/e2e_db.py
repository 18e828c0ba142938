"""Reading the database the bot processes share, from the test process: the database is the
truth about what was decided (groups, answers, erasures), the fakes about what was sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.checkins.models import Checkin, CheckinResponse
from bot.kernel.storage.groups import GroupMember
from bot.kernel.storage.job_models import Job
from bot.kernel.storage.models import Profile


class SharedDatabase:
    """A read-mostly view of the bots' database through its own small engine."""

    def __init__(self, url: str):
        self.engine = create_async_engine(url, pool_size=2) if url.startswith("postgresql") else None
        self.engine = self.engine or create_async_engine(url)

    async def close(self) -> None:
        await self.engine.dispose()

    async def all(self, statement) -> list[Any]:
        async with self.engine.connect() as connection:
            return list(await connection.execute(statement))

    async def count(self, model, *where) -> int:
        statement = select(func.count()).select_from(model)
        for condition in where:
            statement = statement.where(condition)
        [(total,)] = await self.all(statement)
        return total

    async def groups(self) -> list[set[str]]:
        """Matched groups as sets of user ids, sorted."""
        rows = await self.all(
            select(GroupMember.group_id, Profile.user_id).join(Profile, Profile.id == GroupMember.profile_id)
        )
        groups: dict[int, set[str]] = {}
        for group_id, user in rows:
            groups.setdefault(group_id, set()).add(user)
        return sorted(groups.values(), key=sorted)

    async def checkins(self) -> list[Any]:
        return await self.all(select(Checkin.id, Checkin.group_id, Checkin.status, Checkin.scheduled_at))

    async def responses(self, user: str) -> list[Any]:
        """One person's answers to check-ins (met, rating, wants_continue)."""
        return await self.all(
            select(CheckinResponse.met, CheckinResponse.rating, CheckinResponse.wants_continue)
            .join(Profile, Profile.id == CheckinResponse.profile_id)
            .where(Profile.user_id == user)
        )

    async def wants_continue(self, user: str) -> list[bool | None]:
        rows = await self.all(
            select(GroupMember.wants_continue)
            .join(Profile, Profile.id == GroupMember.profile_id)
            .where(Profile.user_id == user)
        )
        return [wants for (wants,) in rows]

    async def pending(self, *kinds: str) -> int:
        """Jobs of these kinds still waiting (the queue has not settled while this is above 0)."""
        return await self.count(Job, Job.status == "pending", Job.kind.in_(kinds))

    async def jobs(self) -> list[Any]:
        return await self.all(select(Job.kind, Job.status, Job.attempts, Job.last_error, Job.payload))
