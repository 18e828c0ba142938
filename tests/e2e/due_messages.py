"""Many scheduled messages due at once, for delivery-engine tests and the benchmark: `count`
people on Slack in pairs, each pair with a check-in tomorrow, each person owed exactly one
reminder. Rows are written in bulk in the shapes the code writes them (a round, groups,
members, check-ins and one reminder job per person); `make_due` then brings every reminder
due at once, so a benchmark can start its bots first and time only the delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update

from bot.app.bootstrap import build_core, prepare
from bot.checkins.job_kinds import REMINDER
from bot.checkins.models import Checkin
from bot.kernel.config import parse_config
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.job_models import Job
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round
from harness import person

NOT_YET = timedelta(days=365)


def user_ids(count: int) -> list[str]:
    return [f"U{index:05d}" for index in range(count)]


def _profile(index: int, user: str, team: str, at: datetime, platform: str) -> dict:
    return person(
        user,
        id=index + 1,
        platform=platform,
        community=team,
        display_name=f"Person {user}",
        organisation=f"Organisation {user}",
        created_at=at,
        updated_at=at,
    )


async def seed_reminders(
    database_url: str,
    data_dir: str,
    team: str,
    count: int,
    due: bool = True,
    platform: str = "slack",
    users: list[str] | None = None,
) -> list[str]:
    """Create the schema and `count` people owed one reminder each (due now, or only after
    `make_due`), on Slack by default or on `platform` with the given user ids; returns the ids."""
    config = parse_config({"bot": {"data_dir": data_dir}}, {"PEERBOT_DATABASE_URL": database_url}, "seed")
    now = datetime.now(UTC)
    core = build_core(config)
    users, pairs = users or user_ids(count), count // 2
    group = {
        "round_id": 1,
        "score": 1.0,
        "similarity": 0.5,
        "reasons": [{"kind": "same_stage", "size": 2, "stage": "implementing"}],
        "created_at": now,
    }
    checkin = {
        "sequence": 1,
        "scheduled_at": now + timedelta(days=1),
        "timezone": "Europe/London",
        "version": 1,
    }
    checkin |= {"cadence": "fortnightly", "status": "scheduled", "created_at": now, "updated_at": now}
    try:
        await prepare(core)
        async with core.db.session() as session, session.begin():
            # Objects, not a bulk insert: each profile is sealed under a data key of its own.
            session.add_all(Profile(**_profile(i, u, team, now, platform)) for i, u in enumerate(users))
            await session.flush()
            await session.execute(
                insert(Round),
                [
                    {"id": 1, "scope": f"{platform}:{team}", "seed": 1, "rules": {}, "started_by": "seed"}
                    | {"created_at": now, "metrics": {}, "baseline": {}}
                ],
            )
            await session.execute(insert(MatchGroup), [{**group, "id": g + 1} for g in range(pairs)])
            members = [{"group_id": g + 1, "profile_id": 2 * g + k + 1} for g in range(pairs) for k in (0, 1)]
            await session.execute(insert(GroupMember), members)
            await session.execute(
                insert(Checkin), [{**checkin, "id": g + 1, "group_id": g + 1} for g in range(pairs)]
            )
            await session.execute(
                insert(Job),
                [
                    {
                        "kind": REMINDER,
                        "key": f"p{m['profile_id']}:checkin:{m['group_id']}:v1:reminder",
                        "due_at": now if due else now + NOT_YET,
                        "status": "pending",
                        "attempts": 0,
                        "failures": 0,
                        "created_at": now,
                        "payload": {"checkin_id": m["group_id"], "version": 1, "profile_id": m["profile_id"]},
                    }
                    for m in members
                ],
            )
        return users[: pairs * 2]
    finally:
        await core.close()


async def make_due(database_url: str, data_dir: str) -> datetime:
    """Bring every reminder due now; returns the moment."""
    config = parse_config({"bot": {"data_dir": data_dir}}, {"PEERBOT_DATABASE_URL": database_url}, "seed")
    core = build_core(config)
    now = datetime.now(UTC)
    try:
        async with core.db.session() as session, session.begin():
            await session.execute(update(Job).where(Job.kind == REMINDER).values(due_at=now))
    finally:
        await core.close()
    return now
