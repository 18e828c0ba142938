"""Platform-neutral input: who asked the bot to do what, translated by an adapter.

No Slack or Discord object crosses into the core: adapters build these small values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """A person on one platform, in one community (Slack workspace, Discord server, console)."""

    platform: str  # "slack" | "discord" | "console"
    community: str  # workspace (team) id, guild id, or "local" for the console
    user_id: str
    display_name: str = ""
    is_platform_admin: bool = False  # the adapter's word: workspace admin/owner, Manage Server
    roles: frozenset[str] = frozenset()  # platform role ids (Discord), for rules the core applies

    @property
    def community_key(self) -> str:
        """Platform-qualified community id, e.g. "slack:T0123", used in config and scopes."""
        return f"{self.platform}:{self.community}"


@dataclass(frozen=True)
class Place:
    """Where an invocation happened, as far as the adapter knows; the outbox checks it."""

    surface: str = "dm"  # "dm" (direct message) | "form" (a modal or prompt) | "channel"
    channel_id: str = ""
    is_shared: bool = False  # Slack Connect / externally shared / cross-organisation

    @property
    def is_private(self) -> bool:
        """Only the person can see what is shown here (a DM or a form), and it is not shared."""
        return self.surface in ("dm", "form") and not self.is_shared


@dataclass(frozen=True)
class Invocation:
    """One thing a person asked: a command with arguments, or a submitted form or button.

    `command` is a dotted route such as "join", "join.submit", "admin.round"; `args` are the
    remaining words; `form` the submitted fields (multi-choice values joined by commas are
    accepted too); `dedup_id` lets the core ignore a platform's retried delivery.
    """

    actor: Actor
    command: str
    args: tuple[str, ...] = ()
    form: Mapping[str, str | list[str]] | None = None
    dedup_id: str = ""
    place: Place = field(default_factory=Place)
