"""The outbox: the one way anything leaves the core, and the guard on where it may go.

Every message carries a sensitivity. The guard refuses, for every message of every kind
(home views included), any workspace, server or channel that [privacy] lists (central
government, regulators); and for relay content anything but the direct messages of the asker
and chosen peers, in conversations that are not shared with another organisation. Refusals
are counted without content. Logs here name the kind and outcome of a message, never its text.

A direct or group message's conversation id exists only once the platform has opened the
conversation, after the outbox has handed the message over. So the outbox also hands over a
`ConversationGate` (through `conversation_gate()`): the platform asks it once it knows the
conversation and before it posts anything, and the gate applies the same rules, here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import update

from bot.kernel.clock import Clock
from bot.kernel.config import PrivacySection
from bot.kernel.counted_log import CountedLog
from bot.kernel.destinations import (
    ChannelPost,
    ConversationFacts,
    DeliveryFailed,
    Destination,
    DirectMessage,
    GroupMessage,
    HomeView,
    ReplyTo,
    people_reached,
)
from bot.kernel.invocation import Actor, Invocation
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.send_fence import current_fence
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile, Refusal

__all__ = [  # the destinations are part of the outbox's interface
    "ChannelPost",
    "ConversationFacts",
    "ConversationRefused",
    "DeliveryFailed",
    "Destination",
    "DirectMessage",
    "GroupMessage",
    "HomeView",
    "Outbound",
    "Outbox",
    "ReplyTo",
    "conversation_gate",
    "people_reached",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outbound:
    """A message on its way out, with what the guard needs to judge it.

    `kind` names what it is ("reply", "introduction", "relay.question", …) for counts and
    logs; `recipients` lists, for relay content, the user ids allowed to receive it.
    """

    destination: Destination
    message: Message
    sensitivity: Sensitivity
    kind: str
    recipients: frozenset[str] = field(default_factory=frozenset)


class Platform(Protocol):
    """What an adapter offers the outbox: deliver a message, and describe a conversation."""

    name: str

    async def deliver(self, destination: Destination, message: Message) -> str | None: ...

    async def conversation_facts(self, destination: Destination) -> ConversationFacts: ...


@runtime_checkable
class OnceOnlyPlatform(Platform, Protocol):
    """A platform that can make a repeated send a no-op, given a stable key for the message.

    `verify_since` is set when an earlier attempt may already have delivered it: the
    platform looks for the key among what it sent since then before sending again.
    """

    async def deliver_once(
        self, destination: Destination, message: Message, key: str, verify_since: datetime | None
    ) -> str | None: ...


@dataclass(frozen=True)
class Delivery:
    """The outcome of one send: "sent", "refused" (by the guard) or "failed" (by the platform)."""

    status: str
    reason: str = ""
    ref: str = ""  # the platform's id for what was sent (e.g. a message id), when it gives one
    delivered_to: tuple[str, ...] = ()  # on a partial failure: who did receive it
    permanent: bool = False  # a failure that retrying cannot mend (user not found, account deactivated)
    retry_after: float | None = None  # seconds the platform asked us to wait, with a failure

    @property
    def sent(self) -> bool:
        return self.status == "sent"


class ConversationRefused(Exception):
    """The guard refused the conversation a platform was about to post into; nothing was posted."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


DescribeConversation = Callable[[], Awaitable[ConversationFacts]]


def _conversation_reason(facts: ConversationFacts, blocked_channels: tuple) -> str | None:
    """Why relay content may not go into this conversation, if it may not."""
    if not facts.is_direct_message:
        return "relay_not_direct"
    if facts.is_shared:
        return "relay_shared_conversation"
    if facts.channel_id and facts.channel_id in blocked_channels:
        return "blocked_channel"
    return None


class ConversationGate:
    """The guard's word on one message's conversation, asked by the platform once it knows it.

    The platform calls `admit` after opening the conversation and before posting: a blocked
    conversation id refuses every message; relay content also needs a direct message that no
    other organisation shares (unless the outbox already checked that very conversation).
    A refusal raises ConversationRefused, which the outbox counts.
    """

    def __init__(self, blocked_channels: tuple, out: Outbound | None, checked_channel: str = ""):
        self._blocked = blocked_channels
        self._relay = out is None or out.sensitivity is Sensitivity.RELAY
        self._open = out is not None
        self.checked_channel = checked_channel

    @property
    def wants_conversation_id(self) -> bool:
        """Whether the platform must learn the conversation id before posting: only when a
        channel is blocked or the content is relay, so otherwise the gate costs no API call."""
        return bool(self._blocked) or self._relay

    async def admit(self, channel_id: str, describe: DescribeConversation | None = None) -> None:
        """Return if the message may be posted in `channel_id`; raise ConversationRefused if not."""
        if not self._open:
            raise ConversationRefused("outside_outbox")
        if channel_id in self._blocked:
            raise ConversationRefused("blocked_channel")
        if not self._relay or (channel_id and channel_id == self.checked_channel):
            return
        try:
            facts = await describe() if describe is not None else None
        except DeliveryFailed:
            facts = None
        if facts is None:
            raise ConversationRefused("relay_conversation_unknown")
        reason = _conversation_reason(facts, self._blocked)
        if reason is not None:
            raise ConversationRefused(reason)


_current_gate: ContextVar[ConversationGate | None] = ContextVar("conversation_gate", default=None)


def conversation_gate() -> ConversationGate:
    """The gate for the message being delivered; outside the outbox, one that refuses everything."""
    return _current_gate.get() or ConversationGate((), None)


class Outbox:
    """Guards and delivers every outbound message; adapters register as platforms."""

    def __init__(self, privacy: PrivacySection, db: Database, clock: Clock, per_platform: int = 0):
        self._privacy = privacy
        self._db = db
        self._clock = clock
        self._platforms: dict[str, Platform] = {}
        self._per_platform = per_platform
        self._slots: dict[str, asyncio.Semaphore] = {}
        self.failures = CountedLog(log, "messages could not be sent (will retry unless permanent)")

    def register(self, platform: Platform) -> None:
        """Let messages for `platform.name` go out through this adapter."""
        self._platforms[platform.name] = platform

    def platforms(self) -> list[str]:
        return sorted(self._platforms)

    async def send(self, out: Outbound) -> Delivery:
        """Deliver one message if the guard allows it; count and report a refusal otherwise."""
        reason = self._blocked_reason(out) or self._relay_reason(out)
        platform = self._platforms.get(out.destination.platform)
        if reason is None and platform is None:
            return await self._fail(out, DeliveryFailed("no adapter is running for this platform"))
        gate = ConversationGate(self._privacy.blocked_channels, out)
        if reason is None and out.sensitivity is Sensitivity.RELAY:
            reason = await self._relay_conversation_reason(platform, out, gate)
        try:
            if reason is not None:
                raise ConversationRefused(reason)
            async with self._slot(out.destination.platform):
                ref = await self._deliver(platform, out, gate)
        except ConversationRefused as refusal:
            await self._count_refusal(out, refusal.reason)
            return Delivery("refused", refusal.reason)
        except DeliveryFailed as failure:
            return await self._fail(out, failure)
        log.debug("sent %s (%s) on %s", out.kind, type(out.destination).__name__, out.destination.platform)
        return Delivery("sent", ref=str(ref or ""))

    def _slot(self, platform: str) -> contextlib.AbstractAsyncContextManager:
        """A place among the scheduled sends allowed at once to one platform (replies never wait)."""
        if not self._per_platform or current_fence.get() is None:
            return contextlib.nullcontext()
        if platform not in self._slots:
            self._slots[platform] = asyncio.Semaphore(self._per_platform)
        return self._slots[platform]

    @staticmethod
    async def _deliver(platform: Platform, out: Outbound, gate: ConversationGate) -> str | None:
        """Hand the message and its conversation gate to the platform; inside a job, only while
        the job is still ours.

        The fence renews the job's lease first (raising LeaseLost if another process has
        taken it over), and a platform that can gets a stable key, so a send that a crash
        interrupted is not repeated.
        """
        token = _current_gate.set(gate)
        try:
            fence = current_fence.get()
            if fence is None:
                return await platform.deliver(out.destination, out.message)
            await fence.renew()
            if not isinstance(platform, OnceOnlyPlatform):
                return await platform.deliver(out.destination, out.message)
            return await platform.deliver_once(
                out.destination, out.message, fence.key_for(out.destination), fence.verify_since
            )
        finally:
            _current_gate.reset(token)

    async def reply(
        self,
        invocation: Invocation,
        message: Message,
        sensitivity: Sensitivity = Sensitivity.PERSONAL,
        kind: str = "reply",
    ) -> Delivery:
        """Answer the person who invoked the bot, privately, where they invoked it."""
        recipients = frozenset({invocation.actor.user_id})
        return await self.send(Outbound(ReplyTo(invocation), message, sensitivity, kind, recipients))

    async def show_home(self, actor: Actor, message: Message) -> Delivery:
        """Show a person their own home page; guarded like every other message."""
        return await self.send(
            Outbound(
                HomeView(actor.platform, actor.community, actor.user_id),
                message,
                Sensitivity.PERSONAL,
                "home",
                frozenset({actor.user_id}),
            )
        )

    def _blocked_reason(self, out: Outbound) -> str | None:
        destination = out.destination
        privacy = self._privacy
        blocked_communities = {
            "slack": privacy.blocked_workspaces,
            "discord": privacy.blocked_guilds,
        }.get(destination.platform, ())
        if destination.community in blocked_communities:
            return "blocked_community"
        channel = ""
        if isinstance(destination, ChannelPost):
            channel = destination.channel_id
        elif isinstance(destination, ReplyTo):
            channel = destination.invocation.place.channel_id
        if channel and channel in privacy.blocked_channels:
            return "blocked_channel"
        if isinstance(destination, ChannelPost) and out.sensitivity is not Sensitivity.PUBLIC:
            return "private_to_channel"
        return None

    def _relay_reason(self, out: Outbound) -> str | None:
        if out.sensitivity is not Sensitivity.RELAY:
            return None
        destination = out.destination
        if isinstance(destination, DirectMessage):
            user = destination.user_id
        elif isinstance(destination, ReplyTo) and destination.invocation.place.is_private:
            user = destination.invocation.actor.user_id
        else:
            return "relay_not_direct"
        return None if user in out.recipients else "relay_not_recipient"

    async def _relay_conversation_reason(
        self, platform: Platform, out: Outbound, gate: ConversationGate
    ) -> str | None:
        """Check a DM or DM reply's conversation before relay content is handed over; the gate
        then knows it is checked. A form's reply is checked by the gate if it falls back to a DM."""
        if isinstance(out.destination, ReplyTo) and out.destination.invocation.place.surface == "form":
            return None
        try:
            facts = await platform.conversation_facts(out.destination)
        except DeliveryFailed:
            return "relay_conversation_unknown"
        reason = _conversation_reason(facts, self._privacy.blocked_channels)
        if reason is None:
            gate.checked_channel = facts.channel_id
        return reason

    async def _count_refusal(self, out: Outbound, reason: str) -> None:
        log.warning("refused %s (%s): %s", out.kind, out.sensitivity.value, reason)
        destination = out.destination
        async with self._db.session() as session, session.begin():
            session.add(
                Refusal(
                    at=self._clock.now(),
                    community_key=f"{destination.platform}:{destination.community}",
                    kind=out.kind[:40],
                    sensitivity=out.sensitivity.value,
                    reason=reason,
                )
            )

    async def _fail(self, out: Outbound, failure: DeliveryFailed) -> Delivery:
        self.failures.add(f"{out.kind} on {out.destination.platform}: {failure.reason}")
        if not failure.retryable:
            await self._mark_unreachable(out.destination, failure.reason)
        return Delivery(
            "failed",
            failure.reason,
            delivered_to=failure.delivered_to,
            permanent=not failure.retryable,
            retry_after=failure.retry_after,
        )

    async def _mark_unreachable(self, destination: Destination, reason: str) -> None:
        """Remember why a person cannot be reached, so rounds leave them out until they return."""
        if not isinstance(destination, DirectMessage):
            return
        async with self._db.session() as session, session.begin():
            await session.execute(
                update(Profile)
                .where(
                    (Profile.platform == destination.platform)
                    & (Profile.community == destination.community)
                    & (Profile.user_id == destination.user_id)
                )
                .values(unreachable_reason=reason[:60], unreachable_since=self._clock.now())
            )
