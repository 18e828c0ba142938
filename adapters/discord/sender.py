"""Core messages out to Discord: the outbox's "discord" platform.

Replies to an interaction are ephemeral, so only the person sees them; DirectMessage and
GroupMessage go to one DM each (bots cannot open group DMs); the one channel post is the
join button. Every DM channel is admitted by the outbox's conversation gate once it is open
and before anything is sent. Discord's refusals become content-free DeliveryFailed reasons.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import aiohttp
import discord

from adapters.discord.memory import InteractionMemory
from adapters.discord.render import build_modal, form_lead, make_files, render_text, split_text
from bot.kernel.messages import Message
from bot.kernel.outbox import (
    ChannelPost,
    ConversationFacts,
    DeliveryFailed,
    Destination,
    DirectMessage,
    GroupMessage,
    ReplyTo,
    conversation_gate,
)

PLATFORM = "discord"
DMS_CLOSED_CODES = (50007, 50278)  # cannot send messages to this user; no shared server
GONE_CODES = (10013,)  # unknown user: no retry can reach them
ALLOW_DMS_HELP = (
    "I couldn't send you a direct message, so you may miss introductions and check-ins. "
    "To allow them: open this server's menu (its name at the top left), choose *Privacy "
    "Settings* and turn on *Direct Messages*; or in *User Settings → Privacy & Safety* allow "
    "direct messages from server members. I'll try again later."
)


async def send_ephemeral(
    interaction: discord.Interaction,
    text: str,
    view: discord.ui.View | None = None,
    files: list[discord.File] | None = None,
) -> str | None:
    """Answer an interaction so only the person sees it, in 2,000-character chunks."""
    chunks = split_text(text or "…")
    sent = None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        extra: dict[str, Any] = {}
        if last and view is not None:
            extra["view"] = view
        if last and files:
            extra["files"] = files
        if not interaction.response.is_done():
            await interaction.response.send_message(chunk, ephemeral=True, **extra)
        else:
            sent = await interaction.followup.send(chunk, ephemeral=True, wait=True, **extra)
    return str(sent.id) if sent is not None else None


class DiscordSender:
    """Delivers core messages with discord.py; registered with the outbox as "discord"."""

    name = PLATFORM

    def __init__(self, bot: discord.Client, memory: InteractionMemory):
        self.bot = bot
        self.memory = memory

    async def deliver(self, destination: Destination, message: Message) -> str | None:
        """Send one message; DMs that Discord refuses raise a retryable, content-free failure."""
        return await self.deliver_once(destination, message, "", None)

    async def deliver_once(
        self, destination: Destination, message: Message, key: str, verify_since: datetime | None
    ) -> str | None:
        """Send one message with nonces made from `key`: Discord returns the first message
        instead of posting again when a send with the same nonce is repeated within minutes,
        which is how a send interrupted by a crash is not doubled by the retry."""
        try:
            if isinstance(destination, ReplyTo):
                return await self._deliver_reply(destination, message)
            if isinstance(destination, DirectMessage):
                return await self._deliver_dm(destination.community, destination.user_id, message, key)
            if isinstance(destination, GroupMessage):
                return await self._deliver_group(destination, message, key)
            if isinstance(destination, ChannelPost):
                return await self._deliver_channel(destination, message, key)
        except discord.HTTPException as problem:
            permanent = problem.code in GONE_CODES
            raise DeliveryFailed(_failure_reason(problem), retryable=not permanent) from None
        except (TimeoutError, aiohttp.ClientError, OSError):
            raise DeliveryFailed("discord_unreachable", retryable=True) from None
        raise DeliveryFailed("unknown_destination", retryable=False)

    async def conversation_facts(self, destination: Destination) -> ConversationFacts:
        """DMs are direct; an interaction reply is direct when it happened in the DM with the bot."""
        if isinstance(destination, DirectMessage):
            return ConversationFacts(is_direct_message=True, channel_id="")
        if isinstance(destination, ReplyTo):
            place = destination.invocation.place
            return ConversationFacts(is_direct_message=place.surface == "dm", channel_id=place.channel_id)
        return ConversationFacts(is_direct_message=False)

    async def _deliver_reply(self, destination: ReplyTo, message: Message) -> str | None:
        invocation = destination.invocation
        interaction = self.memory.pending.get(invocation.dedup_id)
        if interaction is None or interaction.is_expired():
            actor = invocation.actor
            return await self._deliver_dm(actor.community, actor.user_id, message)
        community = invocation.actor.community
        form = message.form
        opens_directly = (
            form is not None
            and not message.field_errors
            and not interaction.response.is_done()
            and interaction.type is not discord.InteractionType.modal_submit
        )
        if opens_directly:
            lead = form_lead(form, message.text)
            token = self.memory.start_form(invocation.actor.user_id, community, form, lead)
            session = self.memory.forms[token]
            await interaction.response.send_modal(build_modal(form, token, 0, session.values, lead))
            return None
        view = self.memory.view(community, message, invocation.actor.user_id)
        return await send_ephemeral(interaction, render_text(message, form), view, make_files(message))

    async def _open_dm(self, user_id: str) -> discord.DMChannel:
        """The DM channel with a person, once the outbox's conversation gate admits it."""
        channel = await self.bot.create_dm(discord.Object(int(user_id)))
        facts = ConversationFacts(is_direct_message=True, channel_id=str(channel.id))

        async def describe() -> ConversationFacts:
            return facts  # a DM with the bot: Discord has no shared DMs

        await conversation_gate().admit(str(channel.id), describe)
        return channel

    async def _deliver_dm(
        self,
        community: str,
        user_id: str,
        message: Message,
        key: str = "",
        channel: discord.DMChannel | None = None,
    ) -> str:
        try:
            channel = channel or await self._open_dm(user_id)
            sent = await self._send_to_channel(channel, community, message, user_id, nonce_base(key, user_id))
        except discord.Forbidden as problem:
            if problem.code in DMS_CLOSED_CODES:
                await self._dms_closed_for(community, user_id)
                raise DeliveryFailed("dms_closed", retryable=True) from None
            raise
        self.memory.dms_closed.discard((community, user_id))
        return sent

    async def _dms_closed_for(self, community: str, user_id: str) -> None:
        """Remember to tell the person; at once if they are in the middle of an interaction."""
        for interaction in list(self.memory.pending.values()):
            if str(interaction.user.id) == user_id:
                await send_ephemeral(interaction, ALLOW_DMS_HELP)
                return
        self.memory.dms_closed.add((community, user_id))

    async def _deliver_group(self, destination: GroupMessage, message: Message, key: str = "") -> None:
        """One DM each (bots cannot make group DMs), all admitted by the gate before any is
        sent, so a refusal leaves nobody with half a group; a partial failure says who got it."""
        channels = {user_id: await self._open_dm(user_id) for user_id in destination.user_ids}
        delivered: list[str] = []
        failed = False
        for user_id, channel in channels.items():
            try:
                await self._deliver_dm(destination.community, user_id, message, key, channel)
            except DeliveryFailed:
                failed = True
                continue
            delivered.append(user_id)
        if failed:
            raise DeliveryFailed("dms_closed", retryable=True, delivered_to=tuple(delivered))

    async def _deliver_channel(self, destination: ChannelPost, message: Message, key: str = "") -> str:
        guild_id = int(destination.community) if destination.community.isdigit() else None
        channel = self.bot.get_partial_messageable(int(destination.channel_id), guild_id=guild_id)
        return await self._send_to_channel(
            channel, destination.community, message, "", nonce_base(key, destination.channel_id)
        )

    async def _send_to_channel(
        self,
        channel: discord.abc.Messageable,
        community: str,
        message: Message,
        user_id: str,
        nonce: str = "",
    ) -> str:
        view = self.memory.view(community, message, user_id)
        chunks = split_text(render_text(message, message.form) or "…")
        sent = None
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            files = make_files(message) if last else []
            extra = {"nonce": f"{nonce}{index:x}"} if nonce else {}
            sent = await channel.send(chunk, view=view if last else None, files=files or None, **extra)
        return str(sent.id)


def nonce_base(key: str, where: str) -> str:
    """22 characters of nonce for one job's message to one conversation; a chunk number follows
    (Discord takes nonces of up to 25 characters)."""
    if not key:
        return ""
    return hashlib.blake2b(f"{key}|{where}".encode(), digest_size=11).hexdigest()


def _failure_reason(problem: discord.HTTPException) -> str:
    """A content-free reason for the outbox's log and counts."""
    if problem.code in DMS_CLOSED_CODES:
        return "dms_closed"
    if problem.status == 429:
        return "rate_limited"
    return f"discord_http_{problem.status}"
