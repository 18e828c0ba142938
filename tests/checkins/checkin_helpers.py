"""Helpers for check-in tests: rounds and groups written straight into the tables, a recorder
around the real rounds service, and counters over what the collecting platform received."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.checkins.models import Checkin
from bot.kernel.scheduler import advance_clock
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.job_models import Job
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round
from harness import person

INTRO_TEXT = "Hello "


async def add_people(core, users, **changes) -> dict[str, int]:
    """Insert profiles directly (fast, for many people); returns user → profile id."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        rows = [Profile(**person(user, **changes), created_at=now, updated_at=now) for user in users]
        session.add_all(rows)
        await session.flush()
        return {row.user_id: row.id for row in rows}


async def profile_ids(core) -> dict[str, int]:
    async with core.db.session() as session:
        return {user: pid for user, pid in await session.execute(select(Profile.user_id, Profile.id))}


async def make_groups(core, groups, scope="console:local") -> list[int]:
    """A committed round whose groups are the given lists of user ids; returns group ids."""
    ids = await profile_ids(core)
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        round_ = Round(
            scope=scope, seed=1, rules={}, started_by="test", created_at=now, metrics={}, baseline={}
        )
        session.add(round_)
        await session.flush()
        made = []
        for users in groups:
            group = MatchGroup(round_id=round_.id, score=1.0, similarity=0.5, reasons=[], created_at=now)
            session.add(group)
            await session.flush()
            session.add_all(GroupMember(group_id=group.id, profile_id=ids[u]) for u in users)
            made.append(group.id)
    return made


async def introduce(core, groups) -> list[int]:
    """Make groups and do what the introduction handler does after sending: announce each group
    introduced, which the check-ins feature answers by scheduling its first check-in."""
    made = await make_groups(core, groups)
    for group_id in made:
        await core.hooks.introduced(group_id)
    return made


async def checkins_of(core, group_id) -> list[Checkin]:
    async with core.db.session() as session:
        rows = await session.execute(
            select(Checkin).where(Checkin.group_id == group_id).order_by(Checkin.sequence)
        )
        return list(rows.scalars())


async def group(core, group_id) -> MatchGroup:
    async with core.db.session() as session:
        return await session.get(MatchGroup, group_id)


async def members(core, group_id) -> dict[int, bool | None]:
    async with core.db.session() as session:
        rows = await session.execute(select(GroupMember).where(GroupMember.group_id == group_id))
        return {m.profile_id: m.wants_continue for m in rows.scalars()}


async def job_statuses(core) -> Counter:
    async with core.db.session() as session:
        return Counter((kind, status) for kind, status in await session.execute(select(Job.kind, Job.status)))


async def advance(h, **delta) -> dict[str, int]:
    """Move the harness's fake clock, running due work at each due moment."""
    return await advance_clock(h.core, h.clock, timedelta(**delta))


async def advance_to(h, moment: datetime) -> dict[str, int]:
    return await advance_clock(h.core, h.clock, moment - h.clock.now())


def kinds_received(platform, user) -> list[str]:
    """What kind of message each delivery to `user` was, by its opening words."""
    out = []
    for message in platform.to(user):
        text = message.text
        for prefix, kind in (
            ("Reminder:", "reminder"),
            ("Did you meet", "followup"),
            (INTRO_TEXT, "introduction"),
            ("You haven't answered", "paused"),
            ("You and ", "continue"),
        ):
            if text.startswith(prefix):
                out.append(kind)
                break
        else:
            out.append("other")
    return out


def record_rounds(service) -> list[str]:
    """Record who starts each round, around the real rounds service (`h.app.rounds`)."""
    started: list[str] = []
    real_commit = service.commit

    async def commit(scope: str, started_by: str, seed: int | None = None):
        started.append(started_by)
        return await real_commit(scope, started_by, seed)

    service.commit = commit
    return started
