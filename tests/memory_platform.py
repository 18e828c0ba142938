"""A collecting in-memory platform: records what the outbox delivers. Used by tests and the console."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.messages import Message
from bot.kernel.outbox import (
    ChannelPost,
    ConversationFacts,
    DeliveryFailed,
    Destination,
    DirectMessage,
    GroupMessage,
    ReplyTo,
    people_reached,
)


@dataclass(frozen=True)
class Delivered:
    """One message as a person received it."""

    user_id: str
    destination: Destination
    message: Message


@dataclass
class MemoryPlatform:
    """Delivers into lists, one per person; can be told some people refuse DMs."""

    name: str = "console"
    delivered: list[Delivered] = field(default_factory=list)
    shared_conversations: set[str] = field(default_factory=set)
    refuses_dms: set[str] = field(default_factory=set)

    async def deliver(self, destination: Destination, message: Message) -> None:
        refused = [
            user
            for user in self._recipients(destination)
            if user in self.refuses_dms and not isinstance(destination, ReplyTo)
        ]
        if refused and not isinstance(destination, GroupMessage):
            raise DeliveryFailed("the person does not accept direct messages")
        delivered = [user for user in self._recipients(destination) if user not in refused]
        for user in delivered:
            self.delivered.append(Delivered(user, destination, message))
        if refused:
            raise DeliveryFailed("dms_closed", delivered_to=tuple(delivered))

    async def conversation_facts(self, destination: Destination) -> ConversationFacts:
        if isinstance(destination, DirectMessage):
            return ConversationFacts(
                is_direct_message=True,
                is_shared=destination.user_id in self.shared_conversations,
                channel_id=f"D-{destination.user_id}",
            )
        if isinstance(destination, ReplyTo) and destination.invocation.place.surface == "dm":
            place = destination.invocation.place
            user = destination.invocation.actor.user_id
            return ConversationFacts(
                is_direct_message=True,
                is_shared=place.is_shared or user in self.shared_conversations,
                channel_id=place.channel_id or f"D-{user}",
            )
        return ConversationFacts(is_direct_message=False)

    @staticmethod
    def _recipients(destination: Destination) -> tuple[str, ...]:
        """Who sees it; a channel post is recorded under "#channel"."""
        if isinstance(destination, ChannelPost):
            return (f"#{destination.channel_id}",)
        return people_reached(destination)

    def to(self, user_id: str) -> list[Message]:
        """Everything one person has received, oldest first."""
        return [d.message for d in self.delivered if d.user_id == user_id]

    def last(self, user_id: str) -> Message:
        """The newest message one person received."""
        return self.to(user_id)[-1]

    def clear(self) -> None:
        self.delivered.clear()
