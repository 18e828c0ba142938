"""Helpers for check-in tests: rounds and groups written straight into the tables, a stand-in
rounds service and introduction handler (the real ones live in bot/rounds.py and
bot/introductions.py), and counters over what the collecting platform received."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.checkins import on_introduced
from bot.jobs import enqueue
from bot.messages import Message, Sensitivity
from bot.outbox import GroupMessage, Outbound
from bot.scheduler import advance_clock
from bot.storage.checkin_models import Checkin
from bot.storage.job_models import Job
from bot.storage.models import Profile
from bot.storage.round_models import GroupMember, MatchGroup, Round

INTRO_TEXT = "Meet your peers"


def person(user: str, **changes) -> dict:
    """A consented profile row for the console community."""
    values = {
        "platform": "console",
        "community": "local",
        "user_id": user,
        "display_name": user.title(),
        "organisation": f"{user} org",
        "org_type": "council",
        "region": "london",
        "role": "Lead",
        "areas": ["health"],
        "challenge": "Joining up discharge.",
        "stage": "implementing",
        "timezone": "Europe/London",
        "cadence": "fortnightly",
        "accepts_questions": True,
        "status": "active",
        "dont_pair_with": [],
    }
    values.update(changes)
    return values


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
    """Make groups and do what the introduction handler does after sending: schedule check-ins."""
    made = await make_groups(core, groups)
    for group_id in made:
        await on_introduced(core, group_id)
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


class FakeRounds:
    """Stands in for the lead's RoundService: pairs active people in profile order, keeping
    pairs who both chose to continue, and enqueues one introduction job per group."""

    def __init__(self, core):
        self.core = core
        self.commits: list[str] = []

    async def commit(self, scope: str, started_by: str) -> int:
        self.commits.append(started_by)
        core = self.core
        async with core.db.session() as session:
            active = list(
                (
                    await session.execute(
                        select(Profile.id, Profile.user_id).where(Profile.status == "active")
                    )
                ).all()
            )
            keep = await self._continuing(session)
        kept_ids = {pid for pair in keep for pid in pair}
        users = {pid: user for pid, user in active}
        rest = [pid for pid, _ in active if pid not in kept_ids]
        pairs = [pair for pair in keep if all(p in users for p in pair)]
        pairs += [tuple(rest[i : i + 2]) for i in range(0, len(rest) - 1, 2)]
        made = await make_groups(core, [[users[p] for p in pair] for pair in pairs], scope)
        now = core.clock.now()
        async with core.db.session() as session, session.begin():
            for group_id in made:
                await enqueue(session, "introduction", f"intro:{group_id}", now, {"group_id": group_id}, now)
        return len(made)

    async def _continuing(self, session) -> list[tuple[int, ...]]:
        """Groups of the latest round whose members all chose to continue."""
        latest = (await session.execute(select(Round.id).order_by(Round.id.desc()).limit(1))).scalar()
        rows = await session.execute(
            select(GroupMember)
            .join(MatchGroup, MatchGroup.id == GroupMember.group_id)
            .where(MatchGroup.round_id == latest)
        )
        by_group: dict[int, list[GroupMember]] = {}
        for member in rows.scalars():
            by_group.setdefault(member.group_id, []).append(member)
        return [
            tuple(sorted(m.profile_id for m in group))
            for group in by_group.values()
            if all(m.wants_continue for m in group)
        ]


async def fake_introduction(core, job) -> None:
    """Stands in for bot/introductions.py: one group DM, then the check-in hand-off."""
    async with core.db.session() as session:
        rows = await session.execute(
            select(Profile.user_id)
            .join(GroupMember, GroupMember.profile_id == Profile.id)
            .where(GroupMember.group_id == job.payload["group_id"])
        )
        users = tuple(rows.scalars())
    message = Message(f"{INTRO_TEXT}: {', '.join(users)}")
    await core.outbox.send(
        Outbound(GroupMessage("console", "local", users), message, Sensitivity.PERSONAL, "introduction")
    )
    await on_introduced(core, job.payload["group_id"])


def install_fakes(core) -> FakeRounds:
    rounds = FakeRounds(core)
    core.services["rounds"] = rounds
    core.jobs.register("introduction", fake_introduction)
    return rounds
