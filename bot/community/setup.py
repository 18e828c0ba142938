"""Organisers' per-server setup (/peer setup): who may join, the opt-in channel with its one
join-button post, the server's admin role and the round schedule.

The rules live here, not in the Discord adapter: which values are valid, what "everyone"
means, who may join and who is an admin. The adapter only turns role and channel pickers into
ids and passes each member's role ids and Manage Server flag; the hooks installed here decide
what they grant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from bot.community.models import DiscordGuildSettings
from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.errors import UserError
from bot.kernel.forms import parse_form
from bot.kernel.invocation import Actor, Invocation
from bot.kernel.messages import (
    Button,
    ChannelMention,
    Field,
    Form,
    Message,
    RoleMention,
    Sensitivity,
)
from bot.kernel.outbox import ChannelPost, Outbound

SETUP_PLATFORMS = ("discord",)
SNOWFLAKE = re.compile(r"^(?:<[@#]&?)?(\d{5,25})>?$")
EVERYONE = ("", "everyone", "@everyone")
JOIN_POST_TEXT = (
    "*Peer network for practitioners integrating services*\n"
    "Get matched with a peer from another organisation facing a similar challenge, hold "
    "regular check-ins and ask peers questions anonymously. Everything after this button is "
    "private to you."
)


@dataclass(frozen=True)
class CommunitySettings:
    """One server's choices; None means the default (everyone may join, [rounds] cron)."""

    community: str
    participant_role_id: str | None = None
    optin_channel_id: str | None = None
    join_message_id: str | None = None
    admin_role_id: str | None = None
    round_cron: str | None = None


@dataclass(frozen=True)
class RoleFacts:
    """What a member's roles mean here: admin rights and whether they may join."""

    is_admin: bool
    may_join: bool


def _from_row(row: DiscordGuildSettings | None, community: str) -> CommunitySettings:
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


def roles_grant(settings: CommunitySettings, role_ids: set[str]) -> RoleFacts:
    """Admin if the member holds the admin role; may join if no role is required or they hold it."""
    admin = settings.admin_role_id is not None and settings.admin_role_id in role_ids
    may_join = settings.participant_role_id is None or settings.participant_role_id in role_ids or admin
    return RoleFacts(is_admin=admin, may_join=may_join)


def parse_snowflake(text: str, what: str, allow_empty: bool) -> str | None:
    """An id from a pasted id or a mention (<@&id>, <#id>); empty means none when allowed."""
    text = text.strip()
    if not text and allow_empty:
        return None
    match = SNOWFLAKE.match(text)
    if match is None:
        raise ValueError(f"“{text[:40]}” is not a {what}: pick one, paste its id or mention it.")
    return match.group(1)


def parse_cron(text: str, timezone: str) -> str | None:
    """A five-field cron line the scheduler accepts, or None for the configured default."""
    text = " ".join(text.split())
    if not text:
        return None
    if len(text.split()) != 5:
        raise ValueError("Use five cron fields: minute hour day month weekday, e.g. 0 9 * * mon.")
    try:
        CronTrigger.from_crontab(text, timezone=timezone)
    except ValueError as problem:
        raise ValueError(f"“{text}” is not a schedule the bot understands ({problem}).") from None
    return text


class CommunitySetup:
    """Reads and writes per-server settings; other features ask it for the round schedule."""

    def __init__(self, core: Core):
        self._core = core

    async def settings(self, community: str) -> CommunitySettings:
        async with self._core.db.session() as session:
            return _from_row(await session.get(DiscordGuildSettings, community), community)

    async def save(self, settings: CommunitySettings) -> None:
        async with self._core.db.session() as session, session.begin():
            row = await session.get(DiscordGuildSettings, settings.community)
            if row is None:
                row = DiscordGuildSettings(guild_id=settings.community)
                session.add(row)
            row.participant_role_id = settings.participant_role_id
            row.optin_channel_id = settings.optin_channel_id
            row.join_message_id = settings.join_message_id
            row.admin_role_id = settings.admin_role_id
            row.round_cron = settings.round_cron
            row.updated_at = self._core.clock.now()

    async def role_facts(self, community: str, role_ids: set[str]) -> RoleFacts:
        """What this member's roles grant, under this server's settings."""
        return roles_grant(await self.settings(community), role_ids)


def setup_service(core: Core) -> CommunitySetup:
    """The one CommunitySetup of this core (created on first use)."""
    service = core.services.get("community_setup")
    if service is None:
        service = core.services["community_setup"] = CommunitySetup(core)
    return service


def setup_form(current: CommunitySettings, submit: str = "setup.submit") -> Form:
    """The setup form, for platforms without role and channel pickers (ids or mentions)."""
    return Form(
        title="Set up the peer network",
        submit_command=submit,
        submit_label="Save",
        fields=(
            Field(
                "participant_role",
                "Who may join (role id, or everyone)",
                required=False,
                max_length=40,
                initial=current.participant_role_id or "everyone",
                hint="A role id or mention; 'everyone' lets every member join.",
            ),
            Field(
                "optin_channel",
                "Opt-in channel id",
                required=False,
                max_length=40,
                initial=current.optin_channel_id or "",
                hint="The bot posts one join-button message there. Empty: no post.",
            ),
            Field(
                "admin_role",
                "Admin role id",
                required=False,
                max_length=40,
                initial=current.admin_role_id or "",
                hint="Members with this role may use admin commands. Empty: Manage Server only.",
            ),
            Field(
                "round_cron",
                "Round schedule (cron)",
                required=False,
                max_length=100,
                initial=current.round_cron or "",
                hint="minute hour day month weekday, e.g. 0 9 * * mon. Empty: the bot's default.",
            ),
        ),
    )


def _describe(core: Core, settings: CommunitySettings) -> str:
    who = (
        f"members with role {RoleMention(settings.participant_role_id)}"
        if settings.participant_role_id
        else "everyone"
    )
    channel = (
        str(ChannelMention(settings.optin_channel_id)) if settings.optin_channel_id else "none (no join post)"
    )
    posted = " (join button posted)" if settings.join_message_id else ""
    admin = (
        str(RoleMention(settings.admin_role_id)) if settings.admin_role_id else "none (Manage Server only)"
    )
    cron = settings.round_cron or f"{core.config.rounds.cron} (the bot's default)"
    return "\n".join(
        [
            "*Peer network setup for this server*",
            f"• Who may join: {who}",
            f"• Opt-in channel: {channel}{posted}",
            f"• Admin role: {admin}",
            f"• Round schedule: {cron}, {core.config.rounds.timezone}",
        ]
    )


def _parse_participant_role(text: str) -> str | None:
    if text.strip().casefold() in EVERYONE:
        return None
    return parse_snowflake(text, "role", allow_empty=True)


def _parse_submitted(core: Core, raw: dict[str, Any], current: CommunitySettings) -> tuple[dict, dict]:
    """Values for the fields present in `raw` (absent ones keep their setting), and errors."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    parsers = {
        "participant_role": _parse_participant_role,
        "optin_channel": lambda t: parse_snowflake(t, "channel", allow_empty=True),
        "admin_role": lambda t: parse_snowflake(t, "role", allow_empty=True),
        "round_cron": lambda t: parse_cron(t, core.config.rounds.timezone),
    }
    text_form = setup_form(current)
    present = {f.name: raw[f.name] for f in text_form.fields if f.name in raw}
    texts, text_errors = parse_form(
        Form(
            text_form.title, tuple(f for f in text_form.fields if f.name in present), text_form.submit_command
        ),
        present,
    )
    errors.update(text_errors)
    for name, text in texts.items():
        try:
            values[name] = parsers[name](text)
        except ValueError as problem:
            errors[name] = str(problem)
    if values.get("participant_role") == current.community:
        values["participant_role"] = None  # the @everyone role's id is the server's id
    return values, errors


async def _post_join_button(
    core: Core, inv: Invocation, settings: CommunitySettings
) -> tuple[str | None, str]:
    """Post the one public join-button message; returns its id (or None) and a note for the organiser."""
    delivery = await core.outbox.send(
        Outbound(
            ChannelPost(inv.actor.platform, inv.actor.community, settings.optin_channel_id or ""),
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


def _require_setup_platform(inv: Invocation) -> None:
    if inv.actor.platform not in SETUP_PLATFORMS:
        raise UserError(
            "Server setup is for Discord servers; elsewhere the config file holds these settings."
        )


async def setup(core: Core, inv: Invocation) -> None:
    _require_setup_platform(inv)
    if inv.args:
        raise UserError("Use `/peer setup` to change the settings or `/peer setup show` to see them.")
    current = await setup_service(core).settings(inv.actor.community)
    await core.outbox.reply(inv, Message(_describe(core, current), form=setup_form(current)))


async def setup_submit(core: Core, inv: Invocation) -> None:
    _require_setup_platform(inv)
    service = setup_service(core)
    current = await service.settings(inv.actor.community)
    values, errors = _parse_submitted(core, dict(inv.form or {}), current)
    if errors:
        await core.outbox.reply(
            inv,
            Message("Nothing was saved: please fix these.", form=setup_form(current), field_errors=errors),
        )
        return
    updated = CommunitySettings(
        current.community,
        values.get("participant_role", current.participant_role_id),
        values.get("optin_channel", current.optin_channel_id),
        current.join_message_id,
        values.get("admin_role", current.admin_role_id),
        values.get("round_cron", current.round_cron),
    )
    note = ""
    if updated.optin_channel_id != current.optin_channel_id:
        updated = replace(updated, join_message_id=None)
    if updated.optin_channel_id and updated.join_message_id is None:
        message_id, note = await _post_join_button(core, inv, updated)
        updated = replace(updated, join_message_id=message_id)
    await service.save(updated)
    await core.outbox.reply(inv, Message("Saved.\n" + _describe(core, updated) + note))


async def setup_show(core: Core, inv: Invocation) -> None:
    _require_setup_platform(inv)
    await core.outbox.reply(
        inv, Message(_describe(core, await setup_service(core).settings(inv.actor.community)))
    )


JOIN_REFUSED = (
    "This server's organisers have limited the peer network to members with a particular "
    "role. Ask an organiser if you would like to take part."
)


async def join_gate(core: Core, actor: Actor) -> str | None:
    """Who may join a Discord server's network: a refusal to show, or None to go ahead."""
    if actor.platform != "discord" or actor.is_platform_admin:
        return None
    facts = await setup_service(core).role_facts(actor.community, set(actor.roles))
    return None if facts.may_join else JOIN_REFUSED


async def admin_by_role(core: Core, actor: Actor) -> bool:
    """Whether a Discord member holds the admin role their server's organisers chose."""
    if actor.platform not in SETUP_PLATFORMS or not actor.roles:
        return False
    facts = await setup_service(core).role_facts(actor.community, set(actor.roles))
    return facts.is_admin


def install(core: Core) -> None:
    """Let the core ask this server's settings who may join and who is an admin."""
    core.hooks.join_gates.append(partial(join_gate, core))
    core.hooks.admin_grants.append(partial(admin_by_role, core))


ROUTES: dict[str, Route] = {
    "setup": Route(
        setup, "setup", "choose who may join, the opt-in channel, admin role and round schedule", admin=True
    ),
    "setup.submit": Route(setup_submit, admin=True, hidden=True),
    "setup.show": Route(setup_show, "setup show", "show this server's peer-network settings", admin=True),
}
