"""Crypto-shredding: a data key per person and per relay thread, and no profile text in clear.

Creates `data_keys`. Each existing profile gets its own data key; its name, organisation,
role and challenge move into one token under it (`sealed`), and so does each check-in
note, under its writer's key; the clear-text columns are dropped. Migrations cannot see the
operator's key, so these data keys are stored unwrapped here and wrapped at the next start
(bot/kernel/storage/database.py `prepare_data_keys`). On PostgreSQL the upgrade then
rewrites the tables that held clear text (Database.upgrade).

Relay rows written before this version were encrypted with the operator's key itself: they
point at the row "operator-key", which stands for that key, until their thread is purged.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from bot.kernel.data_keys import OPERATOR_KEY_ID, OPERATOR_WRAPPED, DataKeys
from bot.kernel.storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PROFILE_FIELDS = ("display_name", "organisation", "role", "challenge")
RELAY_TABLES = ("relay_threads", "relay_participants", "relay_messages")
data_keys = sa.table(
    "data_keys",
    sa.column("id", sa.String),
    sa.column("wrapped", sa.Text),
    sa.column("created_at", UTCDateTime),
)


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    bind = op.get_bind()
    now = datetime.now(UTC)
    bind.execute(data_keys.insert().values(id=OPERATOR_KEY_ID, wrapped=OPERATOR_WRAPPED, created_at=now))
    _add_key_columns("profiles", sealed=True)
    _add_key_columns("checkin_responses", sealed=True)
    keys = DataKeys()
    key_of_profile = _seal_profiles(bind, keys, now)
    _seal_notes(bind, keys, key_of_profile)
    _finish_columns("profiles", drop=PROFILE_FIELDS, sealed=True)
    _finish_columns("checkin_responses", drop=("private_note",), sealed=True)
    for table in RELAY_TABLES:
        _add_key_columns(table, sealed=False)
        bind.execute(sa.text(f"UPDATE {table} SET key_id = :key"), {"key": OPERATOR_KEY_ID})
        _finish_columns(table, drop=(), sealed=False)


def _add_key_columns(table: str, sealed: bool) -> None:
    op.add_column(table, sa.Column("key_id", sa.String(32), nullable=True))
    if sealed:
        op.add_column(table, sa.Column("sealed", sa.Text(), nullable=True))


def _finish_columns(table: str, drop: tuple[str, ...], sealed: bool) -> None:
    """Index the key, drop the clear-text columns and, on PostgreSQL, require the new ones.

    In place, never by copying the table: on SQLite a copy (Alembic's batch mode) drops the
    old table, and with foreign keys on that deletes every child row (group members, check-in
    answers, relay messages). SQLite (3.35+) drops a column in place but cannot make one NOT
    NULL without a copy; the bot always sets them.
    """
    op.create_index(f"ix_{table}_key_id", table, ["key_id"])
    for column in drop:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(table, "key_id", existing_type=sa.String(32), nullable=False)
    if sealed:
        op.alter_column(table, "sealed", existing_type=sa.Text(), nullable=False)


def _seal_profiles(bind, keys: DataKeys, now: datetime) -> dict[int, object]:
    """Give every profile a data key and seal its free text under it; returns the keys."""
    rows = bind.execute(sa.text(f"SELECT id, {', '.join(PROFILE_FIELDS)} FROM profiles")).all()
    key_of_profile = {}
    for profile_id, *values in rows:
        key = keys.new(now)
        bind.execute(data_keys.insert().values(id=key.id, wrapped=key.wrapped, created_at=now))
        sealed = keys.seal(key, dict(zip(PROFILE_FIELDS, values, strict=True)))
        bind.execute(
            sa.text("UPDATE profiles SET key_id = :key, sealed = :sealed WHERE id = :id"),
            {"key": key.id, "sealed": sealed, "id": profile_id},
        )
        key_of_profile[profile_id] = key
    return key_of_profile


def _seal_notes(bind, keys: DataKeys, key_of_profile: dict) -> None:
    rows = bind.execute(sa.text("SELECT id, profile_id, private_note FROM checkin_responses")).all()
    for response_id, profile_id, note in rows:
        key = key_of_profile[profile_id]
        bind.execute(
            sa.text("UPDATE checkin_responses SET key_id = :key, sealed = :sealed WHERE id = :id"),
            {"key": key.id, "sealed": keys.seal(key, {"private_note": note}), "id": response_id},
        )


def downgrade() -> None:
    raise NotImplementedError(
        "0009 cannot be undone: profile text is now encrypted under data keys that an older "
        "peerbot cannot read. Restore the backup taken before the upgrade instead."
    )
