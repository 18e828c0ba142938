"""Crypto-shredding: a data key per relay thread and per person, wrapped by the operator's key.

Content is encrypted with its own data key; the data key is stored in `data_keys`, wrapped
by PEERBOT_ENCRYPTION_KEYS (MultiFernet: the first key wraps, any listed key unwraps). To
delete a thread or a person for good, their data key row is deleted and the `data_keys`
table is compacted (PostgreSQL: VACUUM FULL of that one small table, so no page still holds
the wrapped key; SQLite: secure_delete already overwrites it). Every copy of the content
left behind — dead tuples, WAL, backups — then opens with no key that exists.

Rotating the operator's key re-wraps only the small `data_keys` table. Once the old
operator key is discarded, backups and WAL taken before a deletion cannot unwrap the
deleted data key either: that is how the window of older copies is closed.

Without an operator key (a deployment with the relay off), data keys are stored unwrapped
("plain:"): deletion still works the same way on the live database, but a backup holds
the keys beside the data. The bot says so at start, and wraps them once a key is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.kernel.config import Config, ConfigError
from bot.kernel.crypto import HOW_TO_MAKE_A_KEY, KEY_ENV, CannotDecrypt, KeyProblem, operator_fernets
from bot.kernel.storage.data_keys import DataKey

log = logging.getLogger(__name__)

WRAPPED, PLAIN = "f1:", "plain:"
# Relay rows written before data keys existed were encrypted with the operator's key itself:
# they name this row, which stands for that key and holds no secret. It is never shredded.
OPERATOR_KEY_ID, OPERATOR_WRAPPED = "operator-key", "operator:"
_CACHE_LIMIT = 20_000
_CHECK_SAMPLE = 50
UNWRAPPED_NOTE = (
    f"warning: no {KEY_ENV} is set, so the data keys that encrypt profiles are stored "
    "unwrapped: deleting a person still shreds their data on this database, but a backup "
    f"holds the keys beside the data. Set {KEY_ENV} (`peerbot relay new-key`)."
)


def wrong_key_problem() -> str:
    """What to do when stored data keys do not open with the configured key."""
    return (
        f"The stored data keys do not open with {KEY_ENV}: the key they were wrapped with is "
        "missing. Put it back (as NEW,OLD when rotating, then run `peerbot relay rotate-keys`). "
        "Nothing was changed."
    )


class DataKeys:
    """Makes, opens, re-wraps and shreds data keys; built once from the operator's keys."""

    def __init__(self, operator_keys: Sequence[str] = ()):
        fernets = operator_fernets(operator_keys)
        self._wrapper = MultiFernet(fernets) if fernets else None
        self._boxes: dict[str, tuple[str, Fernet]] = {}

    @property
    def wrapped_by_operator(self) -> bool:
        """Whether new data keys are wrapped by an operator key (else stored plain)."""
        return self._wrapper is not None

    def new(self, now: datetime) -> DataKey:
        """A fresh data key row (not yet added to any session)."""
        return DataKey(
            id=secrets.token_urlsafe(16), wrapped=self._wrap(Fernet.generate_key()), created_at=now
        )

    def box(self, key: DataKey | None) -> Fernet | MultiFernet:
        """The cipher of one data key; CannotDecrypt when it is gone or will not unwrap."""
        if key is None:
            raise CannotDecrypt("the data key of this row has been deleted: its content is gone.")
        if key.wrapped == OPERATOR_WRAPPED:
            return self._operator_box()
        cached = self._boxes.get(key.id)
        if cached is not None and cached[0] == key.wrapped:
            return cached[1]
        box = Fernet(self._unwrap(key.wrapped))
        if len(self._boxes) >= _CACHE_LIMIT:
            self._boxes.clear()
        self._boxes[key.id] = (key.wrapped, box)
        return box

    def _operator_box(self) -> MultiFernet:
        if self._wrapper is None:
            raise KeyProblem(wrong_key_problem())
        return self._wrapper

    def seal(self, key: DataKey, value: Any) -> str:
        """`value` (JSON-able) as one token under the data key."""
        plain = json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return self.box(key).encrypt(plain).decode("ascii")

    def open(self, key: DataKey | None, token: str) -> Any:
        """What `seal` stored; CannotDecrypt when the key is gone or the token is not its own."""
        try:
            return json.loads(self.box(key).decrypt(token.encode("ascii")))
        except (InvalidToken, UnicodeError, ValueError):
            raise CannotDecrypt("a stored token does not open with its data key. Nothing was sent.") from None

    def forget(self, key_ids: Sequence[str]) -> None:
        """Drop shredded keys from this process's cache too."""
        for key_id in key_ids:
            self._boxes.pop(key_id, None)

    async def shred(self, session: AsyncSession, key_ids: Sequence[str]) -> int:
        """Delete data keys in the caller's transaction; call `compact` after it commits."""
        ids = [k for k in dict.fromkeys(key_ids) if k and k != OPERATOR_KEY_ID]
        deleted = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            deleted += (await session.execute(delete(DataKey).where(DataKey.id.in_(chunk)))).rowcount
        self.forget(ids)
        return deleted

    async def rewrap_all(self, session: AsyncSession) -> int:
        """Wrap every data key with the first operator key (rotation, or first key set)."""
        if self._wrapper is None:
            raise KeyProblem(f"no encryption key is set. {HOW_TO_MAKE_A_KEY}")
        changed = 0
        for key in (await session.execute(select(DataKey).where(DataKey.id != OPERATOR_KEY_ID))).scalars():
            key.wrapped = self._wrap(self._unwrap(key.wrapped))
            changed += 1
        return changed

    async def startup_check(self, session: AsyncSession) -> tuple[bool, str | None]:
        """Whether stored keys need re-wrapping now, and a note for the operator.

        KeyProblem when stored keys do not open with the configured key: then nothing could be
        read, so the bot must not start.
        """
        query = select(DataKey.wrapped).where(DataKey.wrapped.like(WRAPPED + "%")).limit(_CHECK_SAMPLE)
        for wrapped in (await session.execute(query)).scalars():
            self._unwrap(wrapped)
        if self._wrapper is None:
            return False, UNWRAPPED_NOTE
        plain = await session.execute(select(DataKey.id).where(DataKey.wrapped.like(PLAIN + "%")).limit(1))
        return plain.first() is not None, None

    def _wrap(self, raw: bytes) -> str:
        if self._wrapper is None:
            return PLAIN + raw.decode("ascii")
        return WRAPPED + self._wrapper.encrypt(raw).decode("ascii")

    def _unwrap(self, wrapped: str) -> bytes:
        if wrapped.startswith(PLAIN):
            return wrapped[len(PLAIN) :].encode("ascii")
        if self._wrapper is None:
            raise KeyProblem(wrong_key_problem())
        try:
            return self._wrapper.decrypt(wrapped[len(WRAPPED) :].encode("ascii"))
        except InvalidToken:
            raise KeyProblem(wrong_key_problem()) from None


def data_keys_from_config(config: Config) -> DataKeys:
    """The DataKeys for this run; ConfigError, never showing a key, when one is not valid."""
    try:
        return DataKeys(config.secrets.encryption_keys)
    except KeyProblem:
        raise ConfigError(
            KEY_ENV, ConfigError.NO_VALUE, "comma-separated keys made by `peerbot relay new-key`"
        ) from None


async def compact_tables(engine: AsyncEngine, tables: Sequence[str] = ("data_keys",)) -> bool:
    """Rewrite tables (by default `data_keys`) so no page holds a deleted row; True once done.

    PostgreSQL keeps deleted rows in the table's pages until a vacuum, and a plain VACUUM
    leaves their bytes in the page's free space: VACUUM FULL writes a new file with the live
    rows only — unless a transaction that started before the deletion may still see them
    (a long query, a backup, autovacuum), in which case it copies them too. So the rewrite
    is checked (VACUUM's own report of rows it had to keep) and retried, briefly here, and
    again at the next purge or deletion. `data_keys` holds one short row per live thread and person, so each
    rewrite takes milliseconds under a capped lock wait. SQLite needs none of this:
    secure_delete overwrites deleted rows on every connection.
    """
    if engine.dialect.name != "postgresql":
        return True
    for pause in COMPACT_RETRY_PAUSES:
        try:
            if await _rewrite(engine, tables):
                return True
        except (SQLAlchemyError, OSError) as problem:
            log.warning("%s not compacted now (%s)", ", ".join(tables), type(problem).__name__)
        await asyncio.sleep(pause)
    log.warning(
        "%s still holds deleted rows an older transaction may see; the next purge or deletion compacts it",
        ", ".join(tables),
    )
    return False


COMPACT_RETRY_PAUSES = (0.05, 0.2, 0.5)  # under a second in the request; then owed to the purge


KEPT_BACK = re.compile(r"(\d+) dead row versions cannot be removed yet")


async def _rewrite(engine: AsyncEngine, tables: Sequence[str]) -> bool:
    """One VACUUM FULL; whether it kept no deleted row (its report says how many it had to
    keep for transactions that might still see them)."""
    reports: list[str] = []
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        raw = (await connection.get_raw_connection()).driver_connection
        listener = lambda _connection, message: reports.append(str(getattr(message, "detail", "") or ""))  # noqa: E731
        raw.add_log_listener(listener)
        try:
            # Short: while VACUUM FULL waits for its lock, every reader of data_keys (each
            # profile load) queues behind it. Better to give up and try again later.
            await connection.execute(text("SET lock_timeout = '250ms'"))
            await connection.execute(text(f"VACUUM (FULL, VERBOSE) {', '.join(tables)}"))
        finally:
            raw.remove_log_listener(listener)
    kept = [int(found) for report in reports for found in KEPT_BACK.findall(report)]
    return bool(reports) and not any(kept)
