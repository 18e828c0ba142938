"""Per-server settings, read and written one unit of work at a time, and the answers the core
asks of them (may this member join, are they an admin).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.community.models import DiscordGuildSettings
from bot.community.rules import (
    JOIN_REFUSED,
    SETUP_PLATFORMS,
    CommunitySettings,
    RoleFacts,
    needs_join_post,
    roles_grant,
    settings_after,
)
from bot.kernel.clock import Clock
from bot.kernel.invocation import Actor
from bot.kernel.messages import Button, Message, Sensitivity
from bot.kernel.outbox import ChannelPost, Outbound, Outbox
from bot.kernel.storage.database import Database

JOIN_POST_TEXT = (
    "*Peer network for practitioners integrating services*\n"
    "Get matched with a peer from another organisation facing a similar challenge, hold "
    "regular check-ins and ask peers questions anonymously. Everything after this button is "
    "private to you."
)


def settings_from_row(row: DiscordGuildSettings | None, community: str) -> CommunitySettings:
    if row is None:
        return CommunitySettings(community)
    return CommunitySettings(
        community,
        row.participant_role_id,
        row.optin_channel_id,
        row.join_message_id,
        row.admin_role_id,
        row.round_cron,
    )


class CommunitySetup:
    """Reads and writes per-server settings; the core asks it who may join and who is an admin."""

    def __init__(self, db: Database, clock: Clock, outbox: Outbox):
        self._db, self._clock, self._outbox = db, clock, outbox

    async def settings(self, community: str) -> CommunitySettings:
        """This server's settings (defaults when it has none yet)."""
        async with self._db.session() as session:
            return settings_from_row(await session.get(DiscordGuildSettings, community), community)

    async def save(self, settings: CommunitySettings) -> None:
        """Store the settings in one transaction."""
        async with self._db.session() as session, session.begin():
            row = await session.get(DiscordGuildSettings, settings.community)
            if row is None:
                row = DiscordGuildSettings(guild_id=settings.community)
                session.add(row)
            row.participant_role_id = settings.participant_role_id
            row.optin_channel_id = settings.optin_channel_id
            row.join_message_id = settings.join_message_id
            row.admin_role_id = settings.admin_role_id
            row.round_cron = settings.round_cron
            row.updated_at = self._clock.now()

    async def update(self, actor: Actor, values: dict[str, Any]) -> tuple[CommunitySettings, str]:
        """Apply submitted values, post the join button where it is new, and save.

        Returns the saved settings and a note for the organiser about the join post.
        """
        updated = settings_after(await self.settings(actor.community), values)
        note = ""
        if needs_join_post(updated):
            message_id, note = await self._post_join_button(actor, updated)
            updated = replace(updated, join_message_id=message_id)
        await self.save(updated)
        return updated, note

    async def role_facts(self, community: str, role_ids: set[str]) -> RoleFacts:
        """What this member's roles grant, under this server's settings."""
        return roles_grant(await self.settings(community), role_ids)

    async def join_refusal(self, actor: Actor) -> str | None:
        """Who may join a Discord server's network: a refusal to show, or None to go ahead."""
        if actor.platform != "discord" or actor.is_platform_admin:
            return None
        facts = await self.role_facts(actor.community, set(actor.roles))
        return None if facts.may_join else JOIN_REFUSED

    async def grants_admin(self, actor: Actor) -> bool:
        """Whether a Discord member holds the admin role their server's organisers chose."""
        if actor.platform not in SETUP_PLATFORMS or not actor.roles:
            return False
        return (await self.role_facts(actor.community, set(actor.roles))).is_admin

    async def _post_join_button(self, actor: Actor, settings: CommunitySettings) -> tuple[str | None, str]:
        """Post the one public join-button message; returns its id (or None) and a note for the organiser."""
        delivery = await self._outbox.send(
            Outbound(
                ChannelPost(actor.platform, actor.community, settings.optin_channel_id or ""),
                Message(JOIN_POST_TEXT, buttons=(Button("Join the peer network", "join", style="primary"),)),
                Sensitivity.PUBLIC,
                kind="setup.join_post",
            )
        )
        if delivery.sent:
            return delivery.ref or None, "\nPosted the join button in the opt-in channel."
        return None, (
            "\nI could not post the join button in that channel "
            f"({delivery.reason}); check that I can send messages there, then run setup again."
        )
