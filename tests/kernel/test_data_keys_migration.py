"""Upgrading to 0009 seals existing profile text and check-in notes under per-person data keys,
drops the clear-text columns, and the next start wraps those keys with the operator's key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import insert, select, text

from bot.checkins.models import Checkin, CheckinResponse
from bot.kernel.data_keys import PLAIN, WRAPPED, DataKeys
from bot.kernel.groups import load_group
from bot.kernel.storage.data_keys import DataKey
from bot.kernel.storage.database import Database
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round

NAME, ORGANISATION = "Ottoline Migrationcanary", "Migrationcanary District Council"
OLD_PROFILE = text(
    "INSERT INTO profiles (platform, community, user_id, display_name, organisation, org_type, region, "
    "role, areas, challenge, stage, timezone, cadence, accepts_questions, status, dont_pair_with, "
    "created_at, updated_at) VALUES ('console', 'local', 'otto', :name, :org, 'council', 'london', "
    "'Lead', '[]', 'Migrationcanary challenge text', 'exploring', 'Europe/London', 'fortnightly', "
    "true, 'active', '[]', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
)


NOTE = "Migrationcanary note: we met at the hub."
NOW = "2026-01-01T00:00:00+00:00"


async def _old_group_and_note(connection) -> None:
    """At 0007: the profile is in a group with a check-in, and its answer has a private note."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    await connection.execute(
        insert(Round).values(
            id=1, scope="console:local", seed=1, rules={}, started_by="admin", created_at=now,
            metrics={}, baseline={},
        )
    )  # fmt: skip
    await connection.execute(
        insert(MatchGroup).values(id=1, round_id=1, score=1.0, similarity=0.5, reasons=[], created_at=now)
    )
    await connection.execute(insert(GroupMember).values(group_id=1, profile_id=1))
    await connection.execute(
        insert(Checkin).values(
            id=1, group_id=1, sequence=1, scheduled_at=now, timezone="Europe/London", cadence="monthly",
            status="done", version=1, created_at=now, updated_at=now,
        )
    )  # fmt: skip
    await connection.execute(
        text(
            "INSERT INTO checkin_responses (checkin_id, profile_id, met, private_note, responded_at) "
            "VALUES (1, 1, 'met', :note, :now)"
        ),
        {"note": NOTE, "now": NOW},
    )


async def test_0009_seals_old_profiles_notes_keeps_their_groups_and_the_next_start_wraps_keys(tmp_path):
    path = tmp_path / "old.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade("0007")
        async with db.engine.begin() as connection:
            await connection.execute(OLD_PROFILE, {"name": NAME, "org": ORGANISATION})
            await _old_group_and_note(connection)
        assert NAME.encode() in Path(path).read_bytes(), "control: the old schema kept it in clear"
        await db.upgrade()
        async with db.session() as session:
            profile = (await session.execute(select(Profile))).scalar_one()
            assert (profile.display_name, profile.organisation) == (NAME, ORGANISATION)
            assert NAME not in profile.sealed and profile.data_key.wrapped.startswith(PLAIN)
            group = await load_group(session, 1)
            assert [member.display_name for member in group.members] == [NAME], "children kept"
            response = (await session.execute(select(CheckinResponse))).scalar_one()
            assert response.private_note == NOTE and response.key_id == profile.key_id
        old_bytes = Path(path).read_bytes()
        assert NAME.encode() not in old_bytes and NOTE.encode() not in old_bytes, "the old rows were zeroed"
        operator_key = Fernet.generate_key().decode()
        db.use_data_keys(DataKeys((operator_key,)))
        assert "wrapped 1 stored data key" in await db.prepare_data_keys()
        async with db.session() as session:
            key = (
                await session.execute(select(DataKey).where(DataKey.wrapped.like(WRAPPED + "%")))
            ).scalar_one()
            profile = (await session.execute(select(Profile))).scalar_one()
            assert profile.key_id == key.id and profile.display_name == NAME
    finally:
        await db.close()
