"""The Discord adapter: slash commands, buttons and modals in; it only translates, and every
rule lives in the core.

Interactions become Invocations (who, with the facts the core's rules need: role ids and the
Manage Server permission; which route, which form values; the interaction id for
de-duplication). Messages go out through adapters/discord/sender.py, which the outbox calls;
the client itself is built in adapters/discord/bot.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord

from adapters.discord.memory import EXPIRED, InteractionMemory
from adapters.discord.render import (
    FORM_MODAL_PREFIX,
    FORM_PAGE_PREFIX,
    STORED_PREFIX,
    build_modal,
    form_pages,
    form_value,
    make_view,
    modal_values,
    parse_button_custom_id,
    parse_form_ids,
)
from adapters.discord.sender import ALLOW_DMS_HELP, PLATFORM, DiscordSender, send_ephemeral
from bot.kernel.core import Core
from bot.kernel.invocation import Actor, Invocation, Place


class DiscordAdapter:
    """Translates interactions into invocations; its `sender` is the outbox's Discord platform."""

    def __init__(self, core: Core, bot: discord.Client):
        self.core = core
        self.bot = bot
        self.memory = InteractionMemory()
        self.sender = DiscordSender(bot, self.memory)
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def actor_for(self, interaction: discord.Interaction, community: str) -> Actor:
        """The person as the core sees them, with the facts its rules need: their role ids and
        whether Discord lets them manage the server. What those grant, the core decides."""
        user = interaction.user
        member = user if isinstance(user, discord.Member) and str(user.guild.id) == community else None
        manage = bool(member and interaction.permissions.manage_guild)
        if member is None:
            member = await self._fetch_member(community, user.id)
            manage = bool(member and member.guild_permissions.manage_guild)
        roles = frozenset(str(role.id) for role in member.roles) if member else frozenset()
        name = getattr(user, "display_name", "") or user.name
        return Actor(PLATFORM, community, str(user.id), name, is_platform_admin=manage, roles=roles)

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
            press = self.memory.stored_buttons.get(custom_id)
        if press is not None:
            await self.invoke(interaction, press.community, press.command, press.args)
            return
        page = parse_form_ids(custom_id, FORM_PAGE_PREFIX)
        if page is not None:
            await self._open_form_page(interaction, *page)
        else:
            await interaction.response.send_message(EXPIRED, ephemeral=True)

    async def _open_form_page(self, interaction: discord.Interaction, token: str, page: int) -> None:
        session = self.memory.forms.get(token)
        if session is None or session.user_id != str(interaction.user.id):
            await interaction.response.send_message(EXPIRED, ephemeral=True)
            return
        await interaction.response.send_modal(
            build_modal(session.form, token, page, session.values, session.lead)
        )

    async def _on_modal_submit(self, interaction: discord.Interaction, custom_id: str) -> None:
        ids = parse_form_ids(custom_id, FORM_MODAL_PREFIX)
        session = self.memory.forms.get(ids[0]) if ids else None
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
        self.memory.forms.pop(token, None)
        form = session.form
        await self.invoke(
            interaction, session.community, form.submit_command, form.args, dict(session.values)
        )

    async def _run(self, interaction: discord.Interaction, invocation: Invocation) -> None:
        self._busy += 1
        self._idle.clear()
        self.memory.pending[invocation.dedup_id] = interaction
        try:
            await self.core.handle(invocation)
            await self._tell_if_dms_closed(interaction, invocation.actor)
            if not interaction.response.is_done():
                await interaction.response.defer(ephemeral=True, thinking=False)
        finally:
            self.memory.pending.pop(invocation.dedup_id, None)
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    async def wait_idle(self) -> None:
        """Until no interaction is being handled (tests use it to know a journey step is done)."""
        await self._idle.wait()

    async def _tell_if_dms_closed(self, interaction: discord.Interaction, actor: Actor) -> None:
        key = (actor.community, actor.user_id)
        if key in self.memory.dms_closed:
            self.memory.dms_closed.discard(key)
            await send_ephemeral(interaction, ALLOW_DMS_HELP)
