"""The /peer app-command group, built from the core's routes so it mirrors them.

Each first word of a visible route becomes a subcommand with a free-text `args` option
("/peer pause args: until 2027-01-31", "/peer admin args: round"); the core parses the
words as it does typed text. /peer setup also offers Discord's role and channel pickers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import discord
from discord import app_commands

from bot.kernel.dispatch import Route

MAX_SUBCOMMANDS = 25
SETUP = "setup"


class CommandSink(Protocol):
    """What the adapter does with a slash command: typed words, or setup's picked options."""

    async def on_text_command(self, interaction: discord.Interaction, text: str) -> None: ...

    async def on_setup_options(self, interaction: discord.Interaction, form: dict[str, str]) -> None: ...


def _describe(words: str, routes: Mapping[str, Route]) -> tuple[str, str]:
    """A subcommand's description and its args hint, from the routes under that word."""
    own = routes.get(words)
    children = sorted(
        name.split(".", 1)[1] for name, r in routes.items() if name.startswith(words + ".") and not r.hidden
    )
    summary = own.summary if own and own.summary else "commands: " + ", ".join(children)
    usages = [
        r.usage
        for name, r in sorted(routes.items())
        if name.split(".")[0] == words and not r.hidden and r.usage
    ]
    hint = "; ".join(usages) or words
    return summary[:100], ("e.g. " + hint)[:100]


def visible_words(routes: Mapping[str, Route]) -> list[str]:
    """First words of the routes people may type, in a stable order."""
    return sorted({name.split(".")[0] for name, route in routes.items() if not route.hidden})


def _text_command(name: str, description: str, hint: str, sink: CommandSink) -> app_commands.Command:
    @app_commands.describe(args=hint)
    async def callback(interaction: discord.Interaction, args: str | None = None) -> None:
        await sink.on_text_command(interaction, f"{name} {args or ''}")

    return app_commands.Command(name=name, description=description, callback=callback)


def _setup_command(description: str, hint: str, sink: CommandSink) -> app_commands.Command:
    @app_commands.describe(
        who_may_join="A role whose members may join; pick @everyone to let every member join",
        optin_channel="The channel where the bot posts its one join-button message",
        admin_role="Members with this role may use admin commands",
        round_schedule="Cron: minute hour day month weekday, e.g. 0 9 * * mon",
        args=hint,
    )
    async def callback(
        interaction: discord.Interaction,
        who_may_join: discord.Role | None = None,
        optin_channel: discord.TextChannel | None = None,
        admin_role: discord.Role | None = None,
        round_schedule: str | None = None,
        args: str | None = None,
    ) -> None:
        picked = {
            "participant_role": who_may_join,
            "optin_channel": optin_channel,
            "admin_role": admin_role,
        }
        form = {name: str(value.id) for name, value in picked.items() if value is not None}
        if round_schedule is not None:
            form["round_cron"] = round_schedule
        if form and not args:
            await sink.on_setup_options(interaction, form)
        else:
            await sink.on_text_command(interaction, f"{SETUP} {args or ''}")

    return app_commands.Command(name=SETUP, description=description, callback=callback)


def peer_group(routes: Mapping[str, Route], sink: CommandSink, name: str = "peer") -> app_commands.Group:
    """The /peer group: one subcommand per visible first word (at most 25), server-only."""
    group = app_commands.Group(
        name=name,
        description="Peer network: join, your profile, check-ins and anonymous questions",
        guild_only=True,
    )
    factories: dict[str, Callable[[str, str], app_commands.Command]] = {
        SETUP: lambda description, hint: _setup_command(description, hint, sink),
    }
    for word in visible_words(routes)[:MAX_SUBCOMMANDS]:
        description, hint = _describe(word, routes)
        factory = factories.get(word)
        group.add_command(
            factory(description, hint) if factory else _text_command(word, description, hint, sink)
        )
    return group
