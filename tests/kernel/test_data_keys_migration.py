"""Upgrading to 0009 seals existing profile text and check-in notes under per-person data keys,
drops the clear-text columns, and the next start wraps those keys with the operator's key."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select, text

from bot.kernel.data_keys import PLAIN, WRAPPED, DataKeys
from bot.kernel.storage.data_keys import DataKey
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile

NAME, ORGANISATION = "Ottoline Migrationcanary", "Migrationcanary District Council"
OLD_PROFILE = text(
    "INSERT INTO profiles (platform, community, user_id, display_name, organisation, org_type, region, "
    "role, areas, challenge, stage, timezone, cadence, accepts_questions, status, dont_pair_with, "
    "created_at, updated_at) VALUES ('console', 'local', 'otto', :name, :org, 'council', 'london', "
    "'Lead', '[]', 'Migrationcanary challenge text', 'exploring', 'Europe/London', 'fortnightly', "
    "true, 'active', '[]', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
)


async def test_0008_seals_old_profiles_and_the_next_start_wraps_their_keys(tmp_path):
    path = tmp_path / "old.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade("0007")
        async with db.engine.begin() as connection:
            await connection.execute(OLD_PROFILE, {"name": NAME, "org": ORGANISATION})
        assert NAME.encode() in Path(path).read_bytes(), "control: the old schema kept it in clear"
        await db.upgrade()
        async with db.session() as session:
            profile = (await session.execute(select(Profile))).scalar_one()
            assert (profile.display_name, profile.organisation) == (NAME, ORGANISATION)
            assert NAME not in profile.sealed and profile.data_key.wrapped.startswith(PLAIN)
        assert NAME.encode() not in Path(path).read_bytes(), "secure_delete zeroed the old row"
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
