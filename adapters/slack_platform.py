"""Delivering core messages to Slack, and describing Slack conversations to the outbox.

A reply goes back the way the person came: an ephemeral message through the command's
response_url, a modal opened with the interaction's trigger_id, or the answer to a
submitted modal. What each invocation offers is kept in a small per-request context,
keyed by the invocation's dedup id, for as long as the core is handling it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack_render import fallback_text, info_modal, to_blocks, to_modal
from bot.messages import Message
from bot.outbox import (
    ChannelPost,
    ConversationFacts,
    DeliveryFailed,
    Destination,
    DirectMessage,
    GroupMessage,
    ReplyTo,
)

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 100  # in effect, never give up on a rate-limited message


class CountingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits Retry-After, then retries), counting each retry."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=RATE_LIMIT_RETRIES)
        self.retries = 0

    async def prepare_for_next_attempt_async(self, *, state, request, response=None, error=None) -> None:
        self.retries += 1
        log.warning("Slack rate-limited a call; waiting Retry-After before retry %d", self.retries)
        await super().prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )


def retry_handlers(rate_limits: CountingRateLimitHandler) -> list[AsyncRetryHandler]:
    """Retries for every Slack call: dropped connections, and 429s after Retry-After."""
    return [AsyncConnectionErrorRetryHandler(max_retry_count=2), rate_limits]


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

    @property
    def rate_limit_retries(self) -> int:
        """How many Slack calls were retried after a 429."""
        return self.rate_limits.retries

    async def deliver(self, destination: Destination, message: Message) -> None:
        """Send one message; Slack errors become a content-free DeliveryFailed."""
        try:
            await self._deliver(destination, message)
        except SlackApiError as problem:
            error = str(problem.response.get("error", "unknown")) if problem.response else "unknown"
            raise DeliveryFailed(f"slack error {error[:60]}", retryable=error == "ratelimited") from None
        except (ClientError, TimeoutError):
            raise DeliveryFailed("slack could not be reached", retryable=True) from None

    async def _deliver(self, destination: Destination, message: Message) -> None:
        if isinstance(destination, ReplyTo):
            await self._reply(destination, message)
        elif isinstance(destination, DirectMessage):
            await self._post(await self._dm_channel(destination.user_id), message)
        elif isinstance(destination, GroupMessage):
            opened = await self.client.conversations_open(users=",".join(destination.user_ids))
            await self._post(opened["channel"]["id"], message)
        elif isinstance(destination, ChannelPost):
            await self._post(destination.channel_id, message)
        else:
            raise DeliveryFailed(f"unknown destination {type(destination).__name__}", retryable=False)

    async def _dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            opened = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = opened["channel"]["id"]
        return self._dm_channels[user_id]

    async def _post(self, channel: str, message: Message) -> None:
        await self.client.chat_postMessage(
            channel=channel, text=fallback_text(message), blocks=to_blocks(message), unfurl_links=False
        )

    async def _reply(self, destination: ReplyTo, message: Message) -> None:
        invocation = destination.invocation
        context = self.contexts.get(invocation.dedup_id)
        if context is not None and context.collecting:
            context.replies.append(message)
            return
        if context is None:
            await self._post(await self._dm_channel(invocation.actor.user_id), message)
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
            await self._post(await self._dm_channel(invocation.actor.user_id), message)

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
        info = await self._call_for_facts(self.client.conversations_info(channel=channel))
        conversation = info["channel"]
        return ConversationFacts(
            is_direct_message=bool(conversation.get("is_im")),
            is_shared=_shared(conversation, destination.community),
            channel_id=channel,
        )

    @staticmethod
    async def _call_for_facts(call):
        try:
            return await call
        except (SlackApiError, ClientError, TimeoutError):
            raise DeliveryFailed("slack could not describe the conversation") from None
