"""`/peer setup`: the organiser's form for who may join, the opt-in channel, the admin role
and the round schedule. Handlers parse, call the service and reply; the rules are in rules.py.
"""

from __future__ import annotations

from typing import Any

from bot.community.rules import (
    CommunitySettings,
    may_set_up,
    parse_cron,
    parse_participant_role,
    parse_snowflake,
)
from bot.community.service import CommunitySetup
from bot.kernel.config import Config
from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.errors import UserError
from bot.kernel.forms import parse_form
from bot.kernel.invocation import Invocation
from bot.kernel.messages import ChannelMention, Field, Form, Message, RoleMention


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


def describe(config: Config, settings: CommunitySettings) -> str:
    """The settings as the organiser reads them."""
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
    cron = settings.round_cron or f"{config.rounds.cron} (the bot's default)"
    return "\n".join(
        [
            "*Peer network setup for this server*",
            f"• Who may join: {who}",
            f"• Opt-in channel: {channel}{posted}",
            f"• Admin role: {admin}",
            f"• Round schedule: {cron}, {config.rounds.timezone}",
        ]
    )


def parse_submitted(config: Config, raw: dict[str, Any], community: str) -> tuple[dict, dict]:
    """Values for the fields present in `raw` (absent ones keep their setting), and errors."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    parsers = {
        "participant_role": parse_participant_role,
        "optin_channel": lambda t: parse_snowflake(t, "channel", allow_empty=True),
        "admin_role": lambda t: parse_snowflake(t, "role", allow_empty=True),
        "round_cron": lambda t: parse_cron(t, config.rounds.timezone),
    }
    text_form = setup_form(CommunitySettings(community))
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
    if values.get("participant_role") == community:
        values["participant_role"] = None  # the @everyone role's id is the server's id
    return values, errors


def _require_setup_platform(inv: Invocation) -> None:
    if not may_set_up(inv.actor.platform):
        raise UserError(
            "Server setup is for Discord servers; elsewhere the config file holds these settings."
        )


class CommunityCommands:
    """The setup commands, bound to the community settings service."""

    def __init__(self, service: CommunitySetup):
        self.service = service

    def routes(self) -> dict[str, Route]:
        """The setup routes; all of them are for admins."""
        return {
            "setup": Route(
                self.setup,
                "setup",
                "choose who may join, the opt-in channel, admin role and round schedule",
                admin=True,
            ),
            "setup.submit": Route(self.submit, admin=True, hidden=True),
            "setup.show": Route(
                self.show, "setup show", "show this server's peer-network settings", admin=True
            ),
        }

    async def setup(self, core: Core, inv: Invocation) -> None:
        """Show the settings with the form to change them."""
        _require_setup_platform(inv)
        if inv.args:
            raise UserError("Use `/peer setup` to change the settings or `/peer setup show` to see them.")
        current = await self.service.settings(inv.actor.community)
        await core.outbox.reply(inv, Message(describe(core.config, current), form=setup_form(current)))

    async def submit(self, core: Core, inv: Invocation) -> None:
        """Save a submitted form, or show it again with what to fix (nothing saved)."""
        _require_setup_platform(inv)
        values, errors = parse_submitted(core.config, dict(inv.form or {}), inv.actor.community)
        if errors:
            current = await self.service.settings(inv.actor.community)
            await core.outbox.reply(
                inv,
                Message(
                    "Nothing was saved: please fix these.", form=setup_form(current), field_errors=errors
                ),
            )
            return
        updated, note = await self.service.update(inv.actor, values)
        await core.outbox.reply(inv, Message("Saved.\n" + describe(core.config, updated) + note))

    async def show(self, core: Core, inv: Invocation) -> None:
        """The settings, without the form."""
        _require_setup_platform(inv)
        current = await self.service.settings(inv.actor.community)
        await core.outbox.reply(inv, Message(describe(core.config, current)))
