"""Where a message may go, and how a platform reports on a conversation or a failed send.

These are the outbox's vocabulary (bot.kernel.outbox re-exports them): features name a
destination, adapters deliver to it, and the outbox's guard judges it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.invocation import Invocation


@dataclass(frozen=True)
class DirectMessage:
    """A one-to-one conversation between the bot and a person."""

    platform: str
    community: str
    user_id: str


@dataclass(frozen=True)
class GroupMessage:
    """A private conversation of the bot and a few people (Slack group DM; elsewhere one DM each)."""

    platform: str
    community: str
    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class ChannelPost:
    """A post in a channel: only public messages may go here."""

    platform: str
    community: str
    channel_id: str


@dataclass(frozen=True)
class ReplyTo:
    """A private answer to an invocation, on the surface where the person invoked the bot."""

    invocation: Invocation

    @property
    def platform(self) -> str:
        return self.invocation.actor.platform

    @property
    def community(self) -> str:
        return self.invocation.actor.community


@dataclass(frozen=True)
class HomeView:
    """A person's own home page on the platform (Slack's App Home tab), replaced whole each time."""

    platform: str
    community: str
    user_id: str


Destination = DirectMessage | GroupMessage | ChannelPost | ReplyTo | HomeView


def people_reached(destination: Destination) -> tuple[str, ...]:
    """The user ids a destination reaches directly (none for a channel post)."""
    if isinstance(destination, DirectMessage | HomeView):
        return (destination.user_id,)
    if isinstance(destination, GroupMessage):
        return destination.user_ids
    if isinstance(destination, ReplyTo):
        return (destination.invocation.actor.user_id,)
    return ()


@dataclass(frozen=True)
class ConversationFacts:
    """What a platform says about a conversation before relay content goes into it."""

    is_direct_message: bool
    is_shared: bool = False
    channel_id: str = ""


class DeliveryFailed(Exception):
    """A platform could not deliver (e.g. the person does not accept DMs); retry later.

    A message to several people that reached some of them names them in `delivered_to`, so
    a retry goes only to the others.
    """

    def __init__(
        self,
        reason: str,
        retryable: bool = True,
        delivered_to: tuple[str, ...] = (),
        retry_after: float | None = None,
    ):
        super().__init__(reason)
        self.reason, self.retryable, self.delivered_to = reason, retryable, delivered_to
        self.retry_after = retry_after
