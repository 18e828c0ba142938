"""Rows whose free text is never stored in clear: one token under the owner's data key.

A sealed row keeps its free-text fields (a profile's name, organisation, role and
challenge; a check-in note) as ordinary attributes in memory. In the database they are one
Fernet token in `sealed`, under the data key `key_id` names (bot/kernel/data_keys.py):
opened when the row is loaded, written again at flush when a field changed. Shredding the
data key makes the token, and every old copy of it, unreadable.

The session's `info["data_keys"]` holds the DataKeys that open them (set by the Database).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, event
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column
from sqlalchemy.orm.base import instance_state

from bot.kernel.data_keys import DataKeys
from bot.kernel.storage.data_keys import DataKey, KeyedRow

_CLEAR, _CHANGED = "_sealed_clear", "_sealed_changed"
_PLAIN_KEYS = DataKeys()


def data_keys_of(session: Session) -> DataKeys:
    """The DataKeys of a session (the unwrapped default for a bare one, as in migrations)."""
    return session.info.get("data_keys", _PLAIN_KEYS)


class SealedField:
    """One free-text field kept in memory and stored only inside the row's token."""

    def __init__(self, default: Any = ""):
        self._default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return obj.__dict__.get(_CLEAR, {}).get(self._name, self._default)

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__.setdefault(_CLEAR, {})[self._name] = value
        obj.__dict__[_CHANGED] = True
        state = instance_state(obj)
        if state.key is not None and "sealed" in state.dict:
            attributes.flag_modified(obj, "sealed")


class SealedRow(KeyedRow):
    """Mixin: `sealed` holds the row's SealedFields; give the class `SealedField`s.

    A row that owns its key (`owns_data_key`, a profile) takes the key with it when deleted
    through the session: that deletion is the shredding. Call Database.compact_data_keys
    after the commit.
    """

    owns_data_key = False

    sealed: Mapped[str] = mapped_column(Text)

    @classmethod
    def sealed_fields(cls) -> list[str]:
        """The names of this row's sealed fields."""
        return [name for name in dir(cls) if isinstance(cls.__dict__.get(name), SealedField)]

    def clear_fields(self) -> dict[str, Any]:
        """The sealed fields' values, as they will be stored."""
        return {name: getattr(self, name) for name in type(self).sealed_fields()}

    def use_key_of(self, owner: KeyedRow) -> None:
        """Seal this row under another row's data key (a note under its writer's key), so
        shredding the owner's key shreds it too."""
        self.key_id = owner.key_id
        self.data_key = owner.data_key


def _open_on_load(target: SealedRow, context: Any, *_: Any) -> None:
    keys = data_keys_of(context.session)
    target.__dict__[_CLEAR] = dict(keys.open(target.data_key, target.sealed))
    target.__dict__[_CHANGED] = False


def _seal_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    keys = data_keys_of(session)
    for row in list(session.deleted):
        if isinstance(row, SealedRow) and row.owns_data_key and row.data_key is not None:
            keys.forget([row.data_key.id])
            session.delete(row.data_key)
    for row in list(session.new) + list(session.dirty):
        if not isinstance(row, SealedRow) or not (row in session.new or row.__dict__.get(_CHANGED)):
            continue
        if row.data_key is None:
            row.data_key = _key_for(session, keys, row)
            row.key_id = row.data_key.id
        row.sealed = keys.seal(row.data_key, row.clear_fields())
        row.__dict__[_CHANGED] = False


def _key_for(session: Session, keys: DataKeys, row: SealedRow) -> DataKey:
    """The row's named key, or a new one for a new owner (a new profile)."""
    if getattr(row, "key_id", None):
        key = session.get(DataKey, row.key_id)
        if key is not None:
            return key
    key = keys.new(datetime.now(UTC))
    session.add(key)
    return key


def seal_fields_of(model: type[SealedRow]) -> type[SealedRow]:
    """Class decorator: open the row's token on load and refresh."""
    event.listen(model, "load", _open_on_load)
    event.listen(model, "refresh", _open_on_load)
    return model


event.listen(Session, "before_flush", _seal_before_flush)
