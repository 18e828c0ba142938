"""The database connection and its schema state; Alembic migrations are the only schema source."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.kernel.crypto import KEY_ENV, KeyProblem
from bot.kernel.data_keys import DataKeys, compact_tables

REWRITTEN_ON_UPGRADE = ("profiles", "checkin_responses", "match_groups", "data_keys")
# Package data (pyproject.toml): an installed wheel ships them beside this module.
MIGRATIONS = resources.files("bot.kernel.storage").joinpath("migrations")


class SchemaError(Exception):
    """The database cannot be used as it is; str() says what to do."""


@dataclass(frozen=True)
class SchemaState:
    """Where the database's schema stands against the code's."""

    current: str | None
    head: str

    @property
    def empty(self) -> bool:
        return self.current is None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    """Set on every new SQLite connection: foreign keys, a busy wait, and secure_delete.

    secure_delete makes SQLite overwrite with zeros what a DELETE or an UPDATE frees (the old
    cell and freed pages), so erased profiles, edited drafts and purged threads leave no
    readable bytes in the file. Many SQLite builds leave it off by default; it is a
    per-connection setting, so it is set here rather than only around the purge.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def known_revision(revision: str | None) -> bool:
    """Whether this code knows a schema revision (an unknown one was written by a newer peerbot)."""
    if revision is None:
        return True
    return revision in {
        rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    }


def advisory_key(name: str) -> int:
    """A stable signed 64-bit number for a lock name (PostgreSQL advisory locks take a bigint)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Database:
    """One engine and session factory for the process; built by the composition root."""

    def __init__(self, url: str, connect_timeout: float = 10.0):
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        # asyncpg's timeout covers the whole handshake, so a server that accepts the
        # connection but never answers fails within it, with a reason, instead of hanging.
        connect_args = {} if self.is_sqlite else {"timeout": connect_timeout}
        self.engine: AsyncEngine = create_async_engine(
            url, echo=False, hide_parameters=True, connect_args=connect_args
        )
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _configure_sqlite_connection)
        self.data_keys = DataKeys()
        self.compaction_owed = False
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={"data_keys": self.data_keys}
        )

    def use_data_keys(self, data_keys: DataKeys) -> None:
        """Open and seal rows with these keys (built from the operator's key) from now on."""
        self.data_keys = data_keys
        self.sessions.configure(info={"data_keys": data_keys})

    def session(self) -> AsyncSession:
        """A new unit of work; use as `async with db.session() as s, s.begin(): ...`."""
        return self.sessions()

    async def lock_for_transaction(self, session: AsyncSession, name: str) -> None:
        """Hold a named lock until the session's transaction ends, across every bot process.

        On PostgreSQL this is a transaction-scoped advisory lock, so replicas deciding the
        same thing (a round for one community) take turns. SQLite needs none: one process
        owns the data folder (see bot/kernel/storage/data_lock.py).
        """
        if not self.is_sqlite:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(name)})

    async def schema_state(self) -> SchemaState:
        """Compare the database's Alembic revision with the newest one in the code."""
        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        async with self.engine.connect() as connection:
            current = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
        return SchemaState(current=current, head=head)

    async def upgrade(self, target: str = "head") -> None:
        """Bring the schema up to the newest migration (creates it on an empty database).

        An existing PostgreSQL database then has the tables that held clear text before
        0009 rewritten, so the old text is in no page of theirs (see compact_tables).
        """
        config = _alembic_config()
        before = (await self.schema_state()).current

        def run(sync_connection) -> None:
            config.attributes["connection"] = sync_connection
            command.upgrade(config, target)

        async with self.engine.begin() as connection:
            await connection.run_sync(run)
        if before is not None:
            await compact_tables(self.engine, REWRITTEN_ON_UPGRADE)

    async def prepare(self, on_old_schema: str) -> str:
        """Make the schema usable at start-up, or raise SchemaError saying what to do.

        An empty database is always created; one behind the code is upgraded or refused
        per the setting; one ahead of the code (a newer version wrote it) is refused.
        """
        if self.is_sqlite:
            return await self._prepare_schema(on_old_schema)
        async with self.engine.connect() as holder:
            # Replicas starting together take turns: the first creates or upgrades the schema,
            # the others then find it ready (without this, CREATE TYPE collided on pg_type).
            key = {"key": advisory_key("peerbot:schema")}
            await holder.execute(text("SELECT pg_advisory_lock(:key)"), key)
            try:
                return await self._prepare_schema(on_old_schema)
            finally:
                await holder.execute(text("SELECT pg_advisory_unlock(:key)"), key)

    async def _prepare_schema(self, on_old_schema: str) -> str:
        state = await self.schema_state()
        if state.up_to_date:
            return "database schema is up to date"
        if not known_revision(state.current):
            raise SchemaError(
                f"the database is at schema version {state.current}, which this version of "
                "peerbot does not know: it was written by a newer version. Upgrade peerbot."
            )
        if state.empty:
            await self.upgrade()
            return "created the database schema"
        if on_old_schema == "refuse" or (on_old_schema == "auto" and not self.is_sqlite):
            raise SchemaError(
                f"the database schema ({state.current}) is older than this code ({state.head}). "
                "Back it up, then run `peerbot db upgrade` once (with the other bot processes "
                'stopped), or set [database] on_old_schema = "upgrade".'
            )
        await self.upgrade()
        return f"upgraded the database schema from {state.current} to {state.head}"

    async def prepare_data_keys(self) -> str | None:
        """Refuse to run when stored data keys do not open with the configured key (nothing
        could be read); wrap unwrapped ones once a key is set. Returns a note for the operator.
        """
        try:
            async with self.session() as session, session.begin():
                rewrap, note = await self.data_keys.startup_check(session)
                wrapped = await self.data_keys.rewrap_all(session) if rewrap else 0
        except KeyProblem as problem:
            raise SchemaError(str(problem)) from None
        if wrapped:
            await compact_tables(self.engine)
            return f"wrapped {wrapped} stored data key(s) with the first key in {KEY_ENV}"
        return note

    async def compact_data_keys(self, only_if_owed: bool = False) -> None:
        """After a transaction that shredded data keys commits: leave no page holding them.

        A compaction that could not finish (an older transaction held a deleted key back) is
        owed: `only_if_owed` (the purge, when it deleted nothing) does just that one.
        """
        if only_if_owed and not self.compaction_owed:
            return
        self.compaction_owed = not await compact_tables(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()
