"""Migration 0008: stored reason sentences become facts keyed by member id; a sentence naming
someone who already left keeps nothing of them, one that cannot be read is dropped; the
downgrade writes sentences again with the names members have now."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import insert, select

from bot.kernel.groups import load_group
from bot.kernel.storage.database import Database
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round
from harness import downgrade_schema as _downgrade
from harness import person

NOW = datetime(2026, 12, 10, tzinfo=UTC)
DISCHARGE = "Hospital discharge keeps stalling over home care funding."
FRAILTY = "Hospital discharge of frail patients waits for a package of care."
ARREARS = "Rent arrears rise while universal credit claims wait."
# Dan Secretname left before the migration: his profile and membership are gone already.
OLD = {
    1: [
        "both are working on hospital discharge",
        "Ann is a stage ahead, at implementing",
        "a council and an NHS trust",
    ],
    2: [
        "both are working on rent arrears and universal credit",
        "Dan Secretname is a stage ahead, at planning",
        "both cover housing and welfare",
        "Dan Secretname's team in Secretown also did this",
    ],
}


def _profiles_at_0007(row: dict) -> sa.TableClause:
    """The profiles table as it was before 0009 sealed its free text (clear-text columns)."""
    now = Profile.__table__.c
    return sa.table(
        "profiles", *(sa.column(name, now[name].type if name in now else sa.Text()) for name in row)
    )


async def _old_rows(db: Database) -> None:
    """At 0007: Ann and Ben grouped; Cat grouped with Dan, who has been erased."""
    people = [
        person("ann", challenge=DISCHARGE, stage="implementing", id=1),
        person("ben", challenge=FRAILTY, stage="planning", org_type="nhs_trust", id=2),
        person("cat", challenge=ARREARS, stage="exploring", id=3),
    ]
    async with db.engine.begin() as connection:
        rows = [p | {"created_at": NOW, "updated_at": NOW} for p in people]
        await connection.execute(insert(_profiles_at_0007(rows[0])), rows)
        await connection.execute(
            insert(Round).values(
                id=1, scope="console:local", seed=1, rules={}, started_by="admin", created_at=NOW,
                metrics={}, baseline={},
            )
        )  # fmt: skip
        for group_id, reasons in OLD.items():
            await connection.execute(
                insert(MatchGroup).values(
                    id=group_id, round_id=1, score=1.0, similarity=0.5, reasons=reasons, created_at=NOW
                )
            )
        members = [(1, 1), (1, 2), (2, 3)]
        await connection.execute(insert(GroupMember), [{"group_id": g, "profile_id": p} for g, p in members])


async def _stored(db: Database) -> dict[int, list]:
    async with db.engine.connect() as connection:
        return dict((await connection.execute(select(MatchGroup.id, MatchGroup.reasons))).all())


async def test_stored_sentences_become_facts_that_name_nobody(empty_database):
    db = Database(empty_database)
    try:
        await db.upgrade("0007")
        await _old_rows(db)
        await db.upgrade("0008")
        stored = await _stored(db)
        assert stored[1] == [
            {"kind": "shared_work", "size": 2, "picks": [], "of": 0},
            {"kind": "stage_ahead", "member": "1", "stage": "implementing", "gap": 1},
            {"kind": "org_types", "org_types": ["council", "nhs_trust"]},
        ]
        assert stored[2] == [
            {"kind": "shared_work", "size": 2, "picks": [], "of": 0},
            {"kind": "stage_ahead", "member": None, "stage": "planning", "gap": 1},
            {"kind": "shared_areas", "size": 2, "areas": ["housing", "welfare"]},
        ]
        assert "Secret" not in json.dumps(stored) and "Ann" not in json.dumps(stored)
        rendered_second = [
            "both are working on similar challenges",
            "your peer is a stage ahead, at planning",
            "both cover housing and welfare",
        ]
        await _downgrade(db, "0007")
        assert await _stored(db) == {1: OLD[1], 2: rendered_second}
        await db.upgrade()  # through 0009, which seals the names the rendering reads
        async with db.session() as session:
            first, second = await load_group(session, 1), await load_group(session, 2)
        assert first.reasons() == OLD[1], "live members read what they read before"
        assert second.reasons() == rendered_second
    finally:
        await db.close()
