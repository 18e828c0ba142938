"""Starting the bot: prepare the database, start the adapters the config enables, run."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.app import build_core, prepare
from bot.clock import FakeClock
from bot.config import Config
from bot.core import Core
from bot.demo import load_demo
from bot.scheduler import Scheduler, clock_console_command
from bot.storage.data_lock import hold_data_folder


def enabled_platforms(config: Config) -> list[str]:
    """Platforms whose credentials are set in the environment."""
    secrets = config.secrets
    platforms = []
    if secrets.slack_bot_token and (secrets.slack_app_token or secrets.slack_signing_secret):
        platforms.append("slack")
    if secrets.discord_bot_token:
        platforms.append("discord")
    return platforms


async def offer_demo(core: Core, session, interactive: bool) -> None:
    """On a first run, offer the demo community (asked only at a terminal)."""
    if not core.config.console.offer_demo or await core.profiles.existing_keys():
        return
    if not interactive:
        session.say(
            "The database is empty. Type /demo to load a demo community of 30 "
            "practitioners, or /peer join to start your own."
        )
        return
    answer = await session.read_line(
        "The database is empty. Load a demo community of 30 fictional practitioners so you "
        "can try matching, check-ins and anonymous questions? [Y/n] "
    )
    if answer is not None and answer.strip().casefold() in ("", "y", "yes"):
        loaded = await load_demo(core)
        session.say(f"Loaded {loaded} demo practitioners. Try /peer join, then /peer help.")


async def run_console(
    core: Core,
    stdin: TextIO,
    stdout: TextIO,
    interactive: bool,
) -> None:
    """The terminal chat, until /quit or end of input."""
    from adapters.console_adapter import ConsolePlatform, ConsoleSession

    platform = ConsolePlatform(stdout)
    core.outbox.register(platform)
    session = ConsoleSession(core, platform, stdin, core.config.console.user, interactive)

    async def demo(session_: ConsoleSession, _words: list[str]) -> None:
        session_.say(f"Loaded {await load_demo(core)} demo practitioners.")

    session.extra_commands["/demo"] = demo
    for name, command in core.services.get("console_commands", {}).items():
        session.extra_commands[name] = command
    session.say(
        f"{core.config.bot.name}: console. You are {session.user}. "
        "Type /help for console commands, /peer help for the bot's."
    )
    await offer_demo(core, session, interactive)
    await session.run()


async def run_bot(config: Config, console_only: bool, fake_clock: bool = False) -> int:
    """Run until stopped: the console when asked or when no platform is configured.

    With `fake_clock` (console only) time stands still until `/clock +2h` moves it, so a
    whole round of introductions, reminders and follow-ups can be walked through in a minute.
    """
    with hold_data_folder(config.database_url()):
        return await _run_holding_data(config, console_only, fake_clock)


async def _run_holding_data(config: Config, console_only: bool, fake_clock: bool) -> int:
    clock = FakeClock(datetime.now(UTC).replace(second=0, microsecond=0)) if fake_clock else None
    core = build_core(config, clock=clock)
    core.services.setdefault("console_commands", {})["/clock"] = clock_console_command(core)
    scheduler = Scheduler(core, cron_rounds=not fake_clock)
    try:
        done, *notes = await prepare(core)
        print(f"peerbot: {done} ({config.database_url().split('://')[0]}).", file=sys.stderr)
        for note in notes:
            print(f"peerbot: {note}", file=sys.stderr)
        await scheduler.start()
        platforms = [] if console_only else enabled_platforms(config)
        if not platforms:
            if not console_only:
                print(
                    "peerbot: no Slack or Discord credentials set "
                    "(SLACK_BOT_TOKEN, DISCORD_BOT_TOKEN): starting the console.",
                    file=sys.stderr,
                )
            await run_console(core, sys.stdin, sys.stdout, sys.stdin.isatty())
            return 0
        from bot.platforms import run_platforms

        await run_platforms(core, platforms)
        return 0
    finally:
        await scheduler.stop()
        await core.close()
