"""The Slack adapter: a slack-bolt async app that turns Slack requests into invocations.

Every command and button is acknowledged at once and handled after the ack, so Slack's
3-second limit is met however long the work takes. A submitted modal is the exception:
its field errors must travel in the acknowledgement, so it is handled before the ack,
within a time budget, falling back to closing the modal and replying by DM.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.http_endpoint import start_http
from adapters.slack.platform import RequestContext, SlackPlatform
from adapters.slack.render import (
    ACTION_PREFIX,
    FORM_CALLBACK,
    decode_button,
    errors_response,
    form_values,
    info_modal,
    submitted_command,
    to_modal,
)
from adapters.slack.retry import CountingRateLimitHandler, retry_handlers
from bot.kernel.config import Config, CredentialsError, slack_credentials_problem
from bot.kernel.core import Core
from bot.kernel.invocation import Actor, Invocation, Place
from bot.kernel.logging_setup import guarded_logger
from bot.kernel.messages import Message

log = logging.getLogger(__name__)

ACK_BUDGET_SECONDS = 2.5  # a submitted modal must be answered within Slack's 3 s
ADMIN_CACHE_SECONDS = 300
EVENT_MEMORY = 2000
BACKGROUND_SLOTS = 8  # work after acks runs at most this many at a time; the rest queues


@dataclass(frozen=True)
class _Person:
    display_name: str
    is_admin: bool
    expires: float


def _place_from_channel(channel_id: str, channel_name: str, is_shared: Any) -> Place:
    direct = channel_name == "directmessage" or channel_id.startswith("D")
    shared = is_shared in (True, "true", "1")
    return Place(surface="dm" if direct else "channel", channel_id=channel_id, is_shared=shared)


class SlackAdapter:
    """The bolt app, its listeners and the platform the outbox delivers through."""

    def __init__(self, core: Core, config: Config):
        self.core = core
        self.config = config
        secrets = config.secrets
        call_timeout = config.send_timeout().total_seconds()
        self.rate_limits = CountingRateLimitHandler(
            longest_wait_in_job=config.checkins.lease.total_seconds() / 3
        )
        self.session = aiohttp.ClientSession()  # one connection pool for every Slack call
        self.client = AsyncWebClient(
            token=secrets.slack_bot_token,
            session=self.session,
            base_url=config.slack.api_url,
            timeout=max(1, round(call_timeout)),
            retry_handlers=retry_handlers(self.rate_limits),
            logger=guarded_logger("slack_sdk.peerbot"),  # it logs request bodies at DEBUG
        )
        self.platform = SlackPlatform(self.client, self.rate_limits, config.bot.name)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=secrets.slack_signing_secret or None,
            # The HTTP endpoint verifies every request before bolt sees it (bolt would log the
            # body of one it rejects), so bolt does not verify a second time.
            request_verification_enabled=False,
            # Our listeners only ack and start a task, so bolt may run them inline; otherwise it
            # runs each in a task and polls every 10 ms for the ack, which under load costs
            # each request up to a poll interval and the loop a wake-up per waiting request.
            process_before_response=True,
            logger=guarded_logger("slack_bolt.peerbot"),  # Socket Mode logs envelopes through it
        )
        self._people: dict[tuple[str, str], _Person] = {}
        self._seen_events: dict[str, None] = {}
        self._tasks: set[asyncio.Task] = set()
        self._slots = asyncio.Semaphore(BACKGROUND_SLOTS)
        self._runner = None
        self._socket: AsyncSocketModeHandler | None = None
        self.port = 0
        self.app.command("/peer")(self._on_command)
        self.app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self._on_action)
        self.app.view_submission(FORM_CALLBACK)(self._on_view_submission)
        self.app.event("app_home_opened")(self._on_home_opened)
        self.app.options(re.compile(".*"))(self._on_options)

    # --- starting and stopping -------------------------------------------------------

    async def start(self) -> None:
        """Register with the outbox and connect (Socket Mode) or listen (HTTP mode)."""
        self.core.outbox.register(self.platform)
        slack = self.config.slack
        if slack.mode == "http":
            self._runner, self.port = await start_http(
                self.app, self.config.secrets.slack_signing_secret, slack.http_host, slack.http_port
            )
            log.info("Slack HTTP mode: listening on %s:%d", slack.http_host, self.port)
        else:
            self._socket = AsyncSocketModeHandler(self.app, self.config.secrets.slack_app_token)
            await self._socket.connect_async()
            log.info("Slack Socket Mode: connected")

    async def stop(self) -> None:
        """Stop listening and let handling already under way finish."""
        if self._socket is not None:
            await self._socket.close_async()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.drain()
        await self.session.close()

    async def drain(self) -> None:
        """Wait for the work started after acknowledgements (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work, queued: bool = True) -> asyncio.Task:
        """Run work after the ack; queued work takes a slot so acks stay fast under load."""
        task = asyncio.ensure_future(self._in_slot(work) if queued else work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _in_slot(self, work) -> None:
        async with self._slots:
            await work

    # --- translating in ----------------------------------------------------------------

    async def actor(self, team_id: str, user_id: str, name: str = "") -> Actor:
        """The person, with workspace admin/owner status from users.info (cached briefly)."""
        key = (team_id, user_id)
        person = self._people.get(key)
        if person is None or person.expires < time.monotonic():
            person = await self._look_up(user_id, name)
            self._people[key] = person
        return Actor("slack", team_id, user_id, person.display_name or name, person.is_admin)

    async def _look_up(self, user_id: str, name: str) -> _Person:
        try:
            user = (await self.client.users_info(user=user_id))["user"]
        except (SlackApiError, OSError, TimeoutError) as problem:
            log.warning("users.info failed (%s); treating the person as not an admin", type(problem).__name__)
            return _Person(name, False, time.monotonic() + 30)
        profile = user.get("profile") or {}
        display = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or name
        is_admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        return _Person(display, is_admin, time.monotonic() + ADMIN_CACHE_SECONDS)

    @staticmethod
    def _team(body: dict) -> str:
        return (
            body.get("team_id")
            or (body.get("team") or {}).get("id")
            or (body.get("user") or {}).get("team_id", "")
        )

    # --- listeners ------------------------------------------------------------------------

    async def _on_command(self, ack, body: dict) -> None:
        await ack()
        self._spawn(self._command(body))

    async def _command(self, body: dict) -> None:
        team = self._team(body)
        dedup = f"slack:{team}:{body.get('trigger_id', '')}"
        if dedup in self.platform.contexts:
            return
        context = RequestContext("command", body.get("trigger_id", ""), body.get("response_url", ""))
        self.platform.contexts[dedup] = context
        try:
            actor = await self.actor(team, body.get("user_id", ""), body.get("user_name", ""))
            place = _place_from_channel(
                body.get("channel_id", ""), body.get("channel_name", ""), body.get("is_ext_shared_channel")
            )
            await self.core.handle(self.core.dispatcher.from_text(actor, body.get("text", ""), dedup, place))
        finally:
            self._forget(dedup, context)

    async def _on_action(self, ack, body: dict, action: dict) -> None:
        await ack()
        self._spawn(self._action(body, action))

    async def _action(self, body: dict, action: dict) -> None:
        command, args = decode_button(action.get("value", ""))
        if not command:
            return
        team = self._team(body)
        trigger = body.get("trigger_id", "")
        dedup = f"slack:{team}:{trigger or action.get('action_ts', '')}"
        if dedup in self.platform.contexts:
            return
        view = body.get("view") or {}
        context = RequestContext(
            "action",
            trigger,
            body.get("response_url", ""),
            view_id=view.get("id", ""),
            view_type=view.get("type", ""),
            title=((view.get("title") or {}).get("text", "")),
        )
        self.platform.contexts[dedup] = context
        try:
            user = body.get("user") or {}
            actor = await self.actor(team, user.get("id", ""), user.get("username") or user.get("name", ""))
            if view:
                place = Place(surface="form")
            else:
                channel = body.get("channel") or {}
                place = _place_from_channel(
                    channel.get("id", ""), channel.get("name", ""), body.get("is_ext_shared_channel")
                )
            await self.core.handle(Invocation(actor, command, args, None, dedup, place))
        finally:
            self._forget(dedup, context)

    @staticmethod
    async def _on_options(ack) -> None:
        """The bot offers no external selects, so a search typed into one (block_suggestion) is
        answered with no options, and never left unhandled for slack-bolt to log its value."""
        await ack(options=[])

    async def _on_view_submission(self, ack, body: dict, view: dict) -> None:
        team = self._team(body)
        dedup = f"slack:{team}:{body.get('trigger_id') or view.get('id', '')}:{view.get('hash', '')}"
        if dedup in self.platform.contexts:
            await ack()
            return
        title = (view.get("title") or {}).get("text", "")
        context = RequestContext(
            "view_submission",
            body.get("trigger_id", ""),
            view_id=view.get("id", ""),
            view_type="modal",
            title=title,
            collecting=True,
        )
        self.platform.contexts[dedup] = context
        work = self._spawn(self._handle_submission(team, body, view, dedup), queued=False)
        try:
            await asyncio.wait_for(asyncio.shield(work), ACK_BUDGET_SECONDS)
        except TimeoutError:
            log.warning("a form took longer than %.1f s; closing it and replying by DM", ACK_BUDGET_SECONDS)
            context.view_id, context.view_type, context.trigger_used = "", "", True
        context.collecting = False
        replies, context.replies = context.replies, []
        await ack(**self._submission_answer(replies, view, title))
        if work.done():
            self._forget(dedup, context)
        else:
            work.add_done_callback(lambda _task: self._forget(dedup, context))

    async def _handle_submission(self, team: str, body: dict, view: dict, dedup: str) -> None:
        user = body.get("user") or {}
        actor = await self.actor(team, user.get("id", ""), user.get("username") or user.get("name", ""))
        command, args = submitted_command(view)
        await self.core.handle(
            Invocation(actor, command, args, form_values(view), dedup, Place(surface="form"))
        )

    def _submission_answer(self, replies: list[Message], view: dict, title: str) -> dict:
        """The acknowledgement for a submitted modal: errors, a next form, a message, or close."""
        if not replies:
            return {}
        last = replies[-1]
        fields = set((view.get("state") or {}).get("values") or {})
        errors = {name: text for name, text in last.field_errors.items() if name in fields}
        if errors:
            return errors_response(errors)
        if last.form is not None:
            return {"response_action": "update", "view": to_modal(last.form, intro=last.text)}
        combined = Message(
            "\n\n".join(r.text for r in replies if r.text),
            buttons=tuple(b for r in replies for b in r.buttons),
        )
        return {"response_action": "update", "view": info_modal(combined, title or self.config.bot.name)}

    async def _on_home_opened(self, body: dict, event: dict) -> None:
        if event.get("tab") != "home":
            return
        event_id = body.get("event_id", "")
        if event_id in self._seen_events:
            return
        self._seen_events[event_id] = None
        while len(self._seen_events) > EVENT_MEMORY:
            self._seen_events.pop(next(iter(self._seen_events)))
        self._spawn(self._home(self._team(body), event.get("user", "")))

    async def _home(self, team: str, user: str) -> None:
        """Show the person their own home page on the App Home tab (through the outbox)."""
        await self.core.show_home(await self.actor(team, user))

    def _forget(self, dedup: str, context: RequestContext) -> None:
        if self.platform.contexts.get(dedup) is context:
            del self.platform.contexts[dedup]


async def run_slack(core: Core) -> None:
    """Start Slack from the config and run until cancelled."""
    problem = slack_credentials_problem(core.config)
    if problem:
        raise CredentialsError(problem)
    adapter = SlackAdapter(core, core.config)
    await adapter.start()
    try:
        await asyncio.Event().wait()
    finally:
        await adapter.stop()
