"""Delivering core messages to Slack, and describing Slack conversations to the outbox.

A reply goes back the way the person came: an ephemeral message through the command's
response_url, a modal opened with the interaction's trigger_id, or the answer to a
submitted modal. What each invocation offers is kept in a small per-request context,
keyed by the invocation's dedup id, for as long as the core is handling it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.render import fallback_text, home_view, info_modal, to_blocks, to_modal
from adapters.slack.retry import CountingRateLimitHandler, delivery_failure
from bot.kernel.messages import Message
from bot.kernel.outbox import (
    ChannelPost,
    ConversationFacts,
    DeliveryFailed,
    Destination,
    DirectMessage,
    GroupMessage,
    HomeView,
    ReplyTo,
    conversation_gate,
)

log = logging.getLogger(__name__)

METADATA_TYPE = "peerbot_delivery"  # message metadata marking what a job sent, for take-over checks
HISTORY_SLACK_SECONDS = 5  # look this much further back than the attempt, for clock differences
SECONDS_BETWEEN_POSTS = 1.0  # Slack: about one message a second per conversation


class ConversationPace:
    """Spaces posts to one conversation `gap` seconds apart; other conversations are not held up."""

    def __init__(self, gap: float):
        self.gap = gap
        self._next: dict[str, float] = {}

    async def wait_turn(self, channel: str) -> None:
        now = time.monotonic()
        turn = max(now, self._next.get(channel, now))
        self._next[channel] = turn + self.gap
        if len(self._next) > 10_000:  # forget conversations whose turn has long passed
            self._next = {c: t for c, t in self._next.items() if t > now}
        if turn > now:
            await asyncio.sleep(turn - now)


@dataclass
class RequestContext:
    """What one Slack request offers for replying to it, while the core handles it.

    `kind` is "command", "action" or "view_submission". While `collecting`, replies are
    held to go in the view_submission's acknowledgement instead of being sent.
    """

    kind: str
    trigger_id: str = ""
    response_url: str = ""
    view_id: str = ""
    view_type: str = ""
    title: str = ""
    collecting: bool = False
    replies: list[Message] = field(default_factory=list)
    trigger_used: bool = False
    replaced: bool = False


def _shared(info: dict, own_team: str) -> bool:
    """Whether anyone outside this workspace can see a conversation (Slack Connect)."""
    others = [team for team in info.get("connected_team_ids") or () if team != own_team]
    return bool(
        info.get("is_ext_shared") or info.get("is_shared") or info.get("is_pending_ext_shared") or others
    )


class SlackPlatform:
    """The outbox's Slack adapter: sends with the Web API and response_urls."""

    name = "slack"

    def __init__(self, client: AsyncWebClient, rate_limits: CountingRateLimitHandler, bot_name: str):
        self.client = client
        self.rate_limits = rate_limits
        self.bot_name = bot_name
        self.contexts: dict[str, RequestContext] = {}
        self._dm_channels: dict[str, str] = {}
        self._pace = ConversationPace(SECONDS_BETWEEN_POSTS)

    @property
    def rate_limit_retries(self) -> int:
        """How many Slack calls were retried after a 429."""
        return self.rate_limits.retries

    async def deliver(self, destination: Destination, message: Message) -> str | None:
        """Send one message; Slack errors become a content-free DeliveryFailed."""
        return await self.deliver_once(destination, message, "", None)

    async def deliver_once(
        self, destination: Destination, message: Message, key: str, verify_since: datetime | None
    ) -> str | None:
        """Send one message tagged with `key` (message metadata), unless it is already there.

        With `verify_since`, an earlier attempt may have posted it (the process died, or
        Slack answered 5xx after posting): the conversation's history since then is searched
        for the key first. Returns the message's ts.
        """
        try:
            if isinstance(destination, ReplyTo):
                await self._reply(destination, message)
                return None
            if isinstance(destination, HomeView):
                await self.client.views_publish(user_id=destination.user_id, view=home_view(message))
                return None
            # Only the bot's own DMs are searched (im:history); group DMs are where peers talk,
            # and the bot never reads them, so an interrupted group post may be repeated once.
            verify_since = verify_since if isinstance(destination, DirectMessage) else None
            channel = await self._channel_for(destination, verified=verify_since is not None)
            if verify_since is not None and key:
                found = await self._posted_with_key(channel, key, verify_since)
                if found:
                    return found
            return await self._post(channel, message, key, destination)
        except SlackApiError as problem:
            raise delivery_failure(problem) from None
        except (ClientError, TimeoutError):
            raise DeliveryFailed("slack could not be reached", retryable=True) from None

    async def _channel_for(self, destination: Destination, verified: bool) -> str:
        """Where to post, admitted by the outbox's conversation gate before anything is posted.

        A DM goes to the person's user id (Slack posts it in the app's DM with them, no
        conversations.open, which is rate-limited hard) unless its channel is known, or must
        be: when the gate wants the id (a channel is blocked, or relay content) or a retry
        searches the DM's history.
        """
        gate = conversation_gate()
        if isinstance(destination, DirectMessage):
            known = self._dm_channels.get(destination.user_id)
            if not (known or verified or gate.wants_conversation_id):
                return destination.user_id
            channel = known or await self._dm_channel(destination.user_id)
        elif isinstance(destination, GroupMessage):
            opened = await self.client.conversations_open(users=",".join(destination.user_ids))
            channel = opened["channel"]["id"]
        elif isinstance(destination, ChannelPost):
            channel = destination.channel_id
        else:
            raise DeliveryFailed(f"unknown destination {type(destination).__name__}", retryable=False)
        await gate.admit(channel, lambda: self._describe(channel, destination.community))
        return channel

    async def _posted_with_key(self, channel: str, key: str, since: datetime) -> str | None:
        """The ts of a message the bot posted in `channel` since `since` carrying `key`, if any."""
        history = await self.client.conversations_history(
            channel=channel,
            oldest=f"{since.timestamp() - HISTORY_SLACK_SECONDS:.6f}",
            limit=200,
            include_all_metadata=True,
        )
        for posted in history.get("messages", []):
            metadata = posted.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_TYPE
                and metadata.get("event_payload", {}).get("key") == key
            ):
                return posted.get("ts")
        return None

    async def _dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            opened = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = opened["channel"]["id"]
        return self._dm_channels[user_id]

    async def _post(
        self, channel: str, message: Message, key: str = "", destination: Destination | None = None
    ) -> str | None:
        """Post, at most one message a second per conversation (Slack's limit), tagged with `key`."""
        await self._pace.wait_turn(channel)
        extra = {"metadata": {"event_type": METADATA_TYPE, "event_payload": {"key": key}}} if key else {}
        posted = await self.client.chat_postMessage(
            channel=channel,
            text=fallback_text(message),
            blocks=to_blocks(message),
            unfurl_links=False,
            **extra,
        )
        if isinstance(destination, DirectMessage) and posted.get("channel"):
            self._dm_channels.setdefault(destination.user_id, posted["channel"])
        return posted.get("ts")

    async def _reply(self, destination: ReplyTo, message: Message) -> None:
        invocation = destination.invocation
        context = self.contexts.get(invocation.dedup_id)
        if context is not None and context.collecting:
            context.replies.append(message)
            return
        if context is None:
            await self._reply_by_dm(destination, message)
            return
        if message.form is not None and context.trigger_id and not context.trigger_used:
            context.trigger_used = True
            view = to_modal(message.form, intro=message.text)
            if context.view_type == "modal":
                await self.client.views_push(trigger_id=context.trigger_id, view=view)
            else:
                await self.client.views_open(trigger_id=context.trigger_id, view=view)
        elif context.response_url:
            await self._respond(context, message)
        elif context.view_type == "modal" and context.view_id:
            view = info_modal(message, context.title or self.bot_name)
            await self.client.views_update(view_id=context.view_id, view=view)
        elif context.trigger_id and not context.trigger_used:
            context.trigger_used = True
            await self.client.views_open(
                trigger_id=context.trigger_id, view=info_modal(message, self.bot_name)
            )
        else:
            await self._reply_by_dm(destination, message)

    async def _reply_by_dm(self, destination: ReplyTo, message: Message) -> None:
        """A reply that can no longer go where the person invoked the bot (a form closed while
        slow work ran) goes to their DM, once the outbox's conversation gate admits it."""
        channel = await self._dm_channel(destination.invocation.actor.user_id)
        await conversation_gate().admit(channel, lambda: self._describe(channel, destination.community))
        await self._post(channel, message)

    async def _respond(self, context: RequestContext, message: Message) -> None:
        """An ephemeral reply; a button's first reply replaces the message it was on."""
        replace = context.kind == "action" and not context.replaced
        context.replaced = context.replaced or replace
        webhook = AsyncWebhookClient(
            context.response_url,
            session=self.client.session,
            retry_handlers=self.client.retry_handlers,
            logger=self.client.logger,  # the guarded one: the webhook client logs bodies at DEBUG
        )
        response = await webhook.send_dict(
            {
                "response_type": "ephemeral",
                "replace_original": replace,
                "text": fallback_text(message),
                "blocks": to_blocks(message),
            }
        )
        if response.status_code != 200:
            raise DeliveryFailed(f"slack response_url answered {response.status_code}")

    async def conversation_facts(self, destination: Destination) -> ConversationFacts:
        """Ask Slack whether a conversation is a DM and whether another organisation shares it."""
        if isinstance(destination, DirectMessage):
            channel = await self._call_for_facts(self._dm_channel(destination.user_id))
        elif isinstance(destination, ReplyTo):
            channel = destination.invocation.place.channel_id
        else:
            return ConversationFacts(is_direct_message=False)
        if not channel:
            return ConversationFacts(is_direct_message=False)
        return await self._describe(channel, destination.community)

    async def _describe(self, channel: str, community: str) -> ConversationFacts:
        """Whether `channel` is a DM and whether another organisation shares it (conversations.info)."""
        info = await self._call_for_facts(self.client.conversations_info(channel=channel))
        conversation = info["channel"]
        return ConversationFacts(
            is_direct_message=bool(conversation.get("is_im")),
            is_shared=_shared(conversation, community),
            channel_id=channel,
        )

    @staticmethod
    async def _call_for_facts(call):
        try:
            return await call
        except (SlackApiError, ClientError, TimeoutError):
            raise DeliveryFailed("slack could not describe the conversation") from None
