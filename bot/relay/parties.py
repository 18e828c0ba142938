"""Who takes part in a thread, decrypted for one action: identities, parties and thread views.

Plaintext exists only in memory while a message is in flight; `in_flight` registers it
with the log scrubber for exactly that long, so no log line can carry it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot.kernel.invocation import Actor
from bot.kernel.logging_setup import SENSITIVE
from bot.kernel.outbox import DirectMessage
from bot.relay.models import RelayParticipant, RelayThread


@dataclass(frozen=True)
class Identity:
    """Who a participant is; only ever stored encrypted."""

    platform: str
    community: str
    user_id: str
    profile_id: int | None = None

    @classmethod
    def of(cls, actor: Actor, profile_id: int | None = None) -> Identity:
        return cls(actor.platform, actor.community, actor.user_id, profile_id)

    @property
    def key(self) -> str:
        return f"{self.platform}\x1f{self.community}\x1f{self.user_id}"

    def as_json(self) -> dict[str, Any]:
        return {"p": self.platform, "c": self.community, "u": self.user_id, "id": self.profile_id}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Identity:
        return cls(value["p"], value["c"], value["u"], value.get("id"))

    def dm(self) -> DirectMessage:
        return DirectMessage(self.platform, self.community, self.user_id)


@dataclass
class Party:
    """A decrypted participant: handle and identity, with the row to change flags on."""

    row: RelayParticipant
    identity: Identity
    handle: str

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def role(self) -> str:
        return self.row.role

    @property
    def delivered(self) -> bool:
        """Whether the question reached this party (always true for the asker's own row)."""
        return self.role == "asker" or self.row.delivered_at is not None


@dataclass
class ThreadView:
    """A thread with its participants decrypted, for one action by one of them."""

    thread: RelayThread
    parties: dict[str, Party]

    @property
    def asker(self) -> Party:
        return next(p for p in self.parties.values() if p.role == "asker")

    @property
    def peers(self) -> list[Party]:
        return [p for p in self.parties.values() if p.role == "peer"]

    @property
    def recipients(self) -> frozenset[str]:
        """The user ids the guard may let this thread's content reach."""
        return frozenset(p.identity.user_id for p in self.parties.values())


@contextmanager
def in_flight(*texts: str) -> Iterator[None]:
    """Mark plaintext as sensitive for as long as it is in memory, so no log can carry it."""
    for value in texts:
        SENSITIVE.add(value)
    try:
        yield
    finally:
        for value in texts:
            SENSITIVE.discard(value)
