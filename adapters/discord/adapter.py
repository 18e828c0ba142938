"""The Discord adapter: slash commands, buttons and modals in; ephemeral replies, DMs and the
one join-button post out. It only translates; every rule lives in the core.

Interactions become Invocations (who, which route, which form values, the interaction id
for de-duplication); core Messages become Discord messages, buttons and modal pages (see
adapters/discord/render.py). Replies to an interaction are ephemeral, so only the person
sees them; DirectMessage and GroupMessage go to one DM each (bots cannot open group DMs).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from adapters.discord.commands import peer_group
from adapters.discord.render import (
    FORM_MODAL_PREFIX,
    FORM_PAGE_PREFIX,
    STORED_PREFIX,
    ButtonPress,
    build_modal,
    button_custom_id,
    form_lead,
    form_pages,
    form_value,
    make_files,
    make_view,
    modal_values,
    parse_button_custom_id,
    parse_form_ids,
    render_text,
    split_text,
)
from bot.community.setup import setup_service
from bot.kernel.core import Core
from bot.kernel.invocation import Actor, Invocation, Place
from bot.kernel.logging_setup import guard_library_loggers
from bot.kernel.messages import Form, Message
from bot.kernel.outbox import (
    ChannelPost,
    ConversationFacts,
    DeliveryFailed,
    Destination,
    DirectMessage,
    GroupMessage,
    ReplyTo,
)

log = logging.getLogger(__name__)

PLATFORM = "discord"
DMS_CLOSED_CODES = (50007, 50278)  # cannot send messages to this user; no shared server
GONE_CODES = (10013,)  # unknown user: no retry can reach them
REMEMBERED = 2000  # form sessions, long buttons and group deliveries kept in memory
EXPIRED = (
    "This form or button has expired (the bot may have restarted). Please start again with the "
    "command you used, e.g. `/peer join` or `/peer threads`."
)
ALLOW_DMS_HELP = (
    "I couldn't send you a direct message, so you may miss introductions and check-ins. "
    "To allow them: open this server's menu (its name at the top left), choose *Privacy "
    "Settings* and turn on *Direct Messages*; or in *User Settings → Privacy & Safety* allow "
    "direct messages from server members. I'll try again later."
)


def _remember(store: OrderedDict, key: Any, value: Any) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > REMEMBERED:
        store.popitem(last=False)


@dataclass
class FormSession:
    """A form being filled in over several modal pages; values kept until the last page."""

    user_id: str
    community: str
    form: Form
    values: dict[str, Any] = field(default_factory=dict)
    lead: str = ""  # the text above the first page's inputs


class DiscordAdapter:
    """Translates between discord.py and the core; registered with the outbox as "discord"."""

    name = PLATFORM

    def __init__(self, core: Core, bot: discord.Client):
        self.core = core
        self.bot = bot
        self._pending: dict[str, discord.Interaction] = {}
        self._forms: OrderedDict[str, FormSession] = OrderedDict()
        self._stored_buttons: OrderedDict[str, ButtonPress] = OrderedDict()
        self._dms_closed: set[tuple[str, str]] = set()
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    # --- in: interactions → invocations ---------------------------------------------------

    async def actor_for(self, interaction: discord.Interaction, community: str) -> Actor:
        """The person as the core sees them, with their roles for the core's rules."""
        user = interaction.user
        member = user if isinstance(user, discord.Member) and str(user.guild.id) == community else None
        manage = bool(member and interaction.permissions.manage_guild)
        if member is None:
            member = await self._fetch_member(community, user.id)
            manage = bool(member and member.guild_permissions.manage_guild)
        roles = {str(role.id) for role in member.roles} if member else set()
        facts = await setup_service(self.core).role_facts(community, roles)
        name = getattr(user, "display_name", "") or user.name
        return Actor(
            PLATFORM,
            community,
            str(user.id),
            name,
            is_platform_admin=manage or facts.is_admin,
            roles=frozenset(roles),
        )

    async def _fetch_member(self, community: str, user_id: int) -> discord.Member | None:
        guild = self.bot.get_guild(int(community)) if community.isdigit() else None
        if guild is None:
            return None
        try:
            return guild.get_member(user_id) or await guild.fetch_member(user_id)
        except discord.HTTPException:
            return None

    @staticmethod
    def place_for(interaction: discord.Interaction) -> Place:
        """A DM with the bot, or (in a server) a private ephemeral exchange: never a channel post."""
        channel_id = str(interaction.channel_id or "")
        return Place("form" if interaction.guild_id else "dm", channel_id)

    async def invoke(
        self,
        interaction: discord.Interaction,
        community: str,
        command: str,
        args: tuple[str, ...] = (),
        form: dict[str, Any] | None = None,
    ) -> None:
        """Run one route for the person behind an interaction, replying to that interaction."""
        actor = await self.actor_for(interaction, community)
        invocation = Invocation(
            actor, command, args, form, f"discord:{interaction.id}", self.place_for(interaction)
        )
        await self._run(interaction, invocation)

    async def on_text_command(self, interaction: discord.Interaction, text: str) -> None:
        """A /peer subcommand: the words go through the core's own parser."""
        community = str(interaction.guild_id)
        actor = await self.actor_for(interaction, community)
        parsed = self.core.dispatcher.from_text(actor, text)
        await self.invoke(interaction, community, parsed.command, parsed.args)

    async def on_setup_options(self, interaction: discord.Interaction, form: dict[str, str]) -> None:
        """/peer setup with pickers: the picked ids are the setup form's values."""
        await self.invoke(interaction, str(interaction.guild_id), "setup.submit", (), form)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons and modal submissions (slash commands arrive through the command tree)."""
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if interaction.type is discord.InteractionType.component:
            await self._on_component(interaction, custom_id)
        elif interaction.type is discord.InteractionType.modal_submit:
            await self._on_modal_submit(interaction, custom_id)

    async def _on_component(self, interaction: discord.Interaction, custom_id: str) -> None:
        press = parse_button_custom_id(custom_id)
        if press is None and custom_id.startswith(STORED_PREFIX + ":"):
            press = self._stored_buttons.get(custom_id)
        if press is not None:
            await self.invoke(interaction, press.community, press.command, press.args)
            return
        page = parse_form_ids(custom_id, FORM_PAGE_PREFIX)
        if page is not None:
            await self._open_form_page(interaction, *page)
        else:
            await interaction.response.send_message(EXPIRED, ephemeral=True)

    async def _open_form_page(self, interaction: discord.Interaction, token: str, page: int) -> None:
        session = self._forms.get(token)
        if session is None or session.user_id != str(interaction.user.id):
            await interaction.response.send_message(EXPIRED, ephemeral=True)
            return
        await interaction.response.send_modal(
            build_modal(session.form, token, page, session.values, session.lead)
        )

    async def _on_modal_submit(self, interaction: discord.Interaction, custom_id: str) -> None:
        ids = parse_form_ids(custom_id, FORM_MODAL_PREFIX)
        session = self._forms.get(ids[0]) if ids else None
        if ids is None or session is None or session.user_id != str(interaction.user.id):
            await interaction.response.send_message(EXPIRED, ephemeral=True)
            return
        token, page = ids
        pages = form_pages(session.form, session.lead)
        submitted = modal_values((interaction.data or {}).get("components", ()))
        for spec in pages[page]:
            if spec.name in submitted:
                session.values[spec.name] = form_value(spec, submitted[spec.name])
        if page + 1 < len(pages):
            view = make_view([("Continue", f"{FORM_PAGE_PREFIX}:{token}:{page + 1}", "primary")])
            await interaction.response.send_message(
                f"Step {page + 1} of {len(pages)} saved.", view=view, ephemeral=True
            )
            return
        self._forms.pop(token, None)
        form = session.form
        await self.invoke(
            interaction, session.community, form.submit_command, form.args, dict(session.values)
        )

    async def _run(self, interaction: discord.Interaction, invocation: Invocation) -> None:
        self._busy += 1
        self._idle.clear()
        self._pending[invocation.dedup_id] = interaction
        try:
            await self.core.handle(invocation)
            await self._tell_if_dms_closed(interaction, invocation.actor)
            if not interaction.response.is_done():
                await interaction.response.defer(ephemeral=True, thinking=False)
        finally:
            self._pending.pop(invocation.dedup_id, None)
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    async def wait_idle(self) -> None:
        """Until no interaction is being handled (tests use it to know a journey step is done)."""
        await self._idle.wait()

    async def _tell_if_dms_closed(self, interaction: discord.Interaction, actor: Actor) -> None:
        key = (actor.community, actor.user_id)
        if key in self._dms_closed:
            self._dms_closed.discard(key)
            await self._send_to_interaction(interaction, ALLOW_DMS_HELP, None, [])

    # --- out: core messages → Discord ----------------------------------------------------

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
        interaction = self._pending.get(invocation.dedup_id)
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
            token = self._start_form(invocation.actor.user_id, community, form, lead)
            session = self._forms[token]
            await interaction.response.send_modal(build_modal(form, token, 0, session.values, lead))
            return None
        view = self._view(community, message, invocation.actor.user_id)
        return await self._send_to_interaction(
            interaction, render_text(message, form), view, make_files(message)
        )

    async def _send_to_interaction(
        self,
        interaction: discord.Interaction,
        text: str,
        view: discord.ui.View | None,
        files: list[discord.File],
    ) -> str | None:
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

    async def _deliver_dm(self, community: str, user_id: str, message: Message, key: str = "") -> str:
        try:
            channel = await self.bot.create_dm(discord.Object(int(user_id)))
            sent = await self._send_to_channel(channel, community, message, user_id, nonce_base(key, user_id))
        except discord.Forbidden as problem:
            if problem.code in DMS_CLOSED_CODES:
                await self._dms_closed_for(community, user_id)
                raise DeliveryFailed("dms_closed", retryable=True) from None
            raise
        self._dms_closed.discard((community, user_id))
        return sent

    async def _dms_closed_for(self, community: str, user_id: str) -> None:
        """Remember to tell the person; at once if they are in the middle of an interaction."""
        for interaction in list(self._pending.values()):
            if str(interaction.user.id) == user_id:
                await self._send_to_interaction(interaction, ALLOW_DMS_HELP, None, [])
                return
        self._dms_closed.add((community, user_id))

    async def _deliver_group(self, destination: GroupMessage, message: Message, key: str = "") -> None:
        """One DM each (bots cannot make group DMs); a partial failure says who did get it."""
        delivered: list[str] = []
        failed = False
        for user_id in destination.user_ids:
            try:
                await self._deliver_dm(destination.community, user_id, message, key)
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
        view = self._view(community, message, user_id)
        chunks = split_text(render_text(message, message.form) or "…")
        sent = None
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            files = make_files(message) if last else []
            extra = {"nonce": f"{nonce}{index:x}"} if nonce else {}
            sent = await channel.send(chunk, view=view if last else None, files=files or None, **extra)
        return str(sent.id)

    def _view(self, community: str, message: Message, user_id: str) -> discord.ui.View | None:
        items = [(b.label, self._button_id(community, b), b.style) for b in message.buttons]
        if message.form is not None:
            lead = form_lead(message.form)
            token = self._start_form(user_id, community, message.form, lead)
            page = _first_page_with_error(message.form, message.field_errors, lead)
            label = "Fix the form" if message.field_errors else "Open the form"
            items.insert(0, (label, f"{FORM_PAGE_PREFIX}:{token}:{page}", "primary"))
        return make_view(items)

    def _button_id(self, community: str, button) -> str:
        custom_id = button_custom_id(community, button)
        if custom_id is None:
            custom_id = f"{STORED_PREFIX}:{secrets.token_hex(8)}"
            _remember(self._stored_buttons, custom_id, ButtonPress(community, button.command, button.args))
        return custom_id

    def _start_form(self, user_id: str, community: str, form: Form, lead: str = "") -> str:
        token = secrets.token_hex(6)
        initial = {f.name: f.initial for f in form.fields if f.initial not in ("", ())}
        _remember(self._forms, token, FormSession(user_id, community, form, initial, lead))
        return token


def _first_page_with_error(form: Form, errors, lead: str) -> int:
    for index, page in enumerate(form_pages(form, lead)):
        if any(spec.name in errors for spec in page):
            return index
    return 0


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


class PeerBot(commands.Bot):
    """discord.py's Bot with the /peer group, the gateway taken from the REST endpoint, and the
    adapter receiving buttons and modal submissions. No privileged intents."""

    def __init__(self, core: Core, **options: Any):
        intents = discord.Intents.default()
        intents.message_content = False
        super().__init__(
            command_prefix=commands.when_mentioned, intents=intents, help_command=None, **options
        )
        self.adapter = DiscordAdapter(core, self)
        self.peer_core = core

    async def setup_hook(self) -> None:
        """Before connecting: find the gateway the REST endpoint names, and sync /peer."""
        _shards, url, _limits = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self.tree.add_command(peer_group(self.peer_core.dispatcher.routes, self.adapter))
        await self.tree.sync()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.adapter.on_interaction(interaction)


class ShardedPeerBot(commands.AutoShardedBot, PeerBot):
    """The same bot over several gateway connections, for large servers ([discord] shards)."""


def build_bot(core: Core) -> PeerBot:
    """Point discord.py at [discord] api_url, build the bot and register it with the outbox."""
    settings = core.config.discord
    guard_library_loggers()  # discord.py logs request bodies and gateway events at DEBUG
    discord.http.Route.BASE = settings.api_url.rstrip("/")
    bot = ShardedPeerBot(core, shard_count=settings.shards) if settings.shards else PeerBot(core)
    core.outbox.register(bot.adapter)
    return bot


async def run_discord(core: Core) -> None:
    """Run the Discord bot until stopped (the platforms table in bot/app/platforms.py calls this)."""
    bot = build_bot(core)
    async with bot:
        await bot.start(core.config.secrets.discord_bot_token)
