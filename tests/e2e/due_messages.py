"""Many scheduled messages due at once, for delivery-engine tests and the benchmark: `count`
people on Slack in pairs, each pair with a check-in tomorrow, and every person's reminder due
now. The database is prepared by the real code (profiles, groups, check-ins and their jobs),
then only the reminders are moved to now, so each person is owed exactly one message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.app import build_core, prepare
from bot.checkins import on_introduced
from bot.clock import FakeClock
from bot.config import parse_config
from bot.storage.job_models import Job
from bot.storage.models import Profile
from bot.storage.round_models import GroupMember, MatchGroup, Round

REMINDER = "checkin.reminder"


def user_ids(count: int) -> list[str]:
    return [f"U{index:05d}" for index in range(count)]


async def seed_due_reminders(database_url: str, data_dir: str, team: str, count: int) -> list[str]:
    """Prepare the schema and `count` people owed one reminder each, due now; returns their ids."""
    config = parse_config({"bot": {"data_dir": data_dir}}, {"PEERBOT_DATABASE_URL": database_url}, "seed")
    now = datetime.now(UTC)
    core = build_core(config, clock=FakeClock(now - timedelta(days=6, hours=12)))
    try:
        await prepare(core)
        users = user_ids(count)
        group_ids = await _pairs(core, team, users)
        for group_id in group_ids:
            await on_introduced(core, group_id)
        async with core.db.session() as session, session.begin():
            await session.execute(update(Job).where(Job.kind == REMINDER).values(due_at=now))
        return users
    finally:
        await core.close()


async def _pairs(core, team: str, users: list[str]) -> list[int]:
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        profiles = [
            Profile(
                platform="slack",
                community=team,
                user_id=user,
                display_name=f"Person {user}",
                organisation=f"Organisation {user}",
                org_type="council",
                region="london",
                role="Lead",
                areas=["health"],
                challenge="Joining up discharge.",
                stage="implementing",
                timezone="Europe/London",
                cadence="fortnightly",
                accepts_questions=True,
                status="active",
                dont_pair_with=[],
                created_at=now,
                updated_at=now,
            )
            for user in users
        ]
        session.add_all(profiles)
        round_ = Round(
            scope=f"slack:{team}",
            seed=1,
            rules={},
            started_by="seed",
            created_at=now,
            metrics={},
            baseline={},
        )
        session.add(round_)
        await session.flush()
        groups = [
            MatchGroup(
                round_id=round_.id,
                score=1.0,
                similarity=0.5,
                reasons=["both work on discharge"],
                created_at=now,
            )
            for _ in range(len(profiles) // 2)
        ]
        session.add_all(groups)
        await session.flush()
        session.add_all(
            GroupMember(group_id=group.id, profile_id=profile.id)
            for index, group in enumerate(groups)
            for profile in profiles[2 * index : 2 * index + 2]
        )
        return [group.id for group in groups]
