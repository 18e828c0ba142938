"""Starting the bot: prepare the database, start the adapters the config enables, run."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from adapters.console.adapter import ConsoleCommand, ConsolePlatform, ConsoleSession
from bot.app.bootstrap import App, build_app, prepare
from bot.app.demo import load_demo
from bot.app.platforms import enabled_platforms, run_platforms
from bot.kernel.clock import FakeClock
from bot.kernel.config import Config
from bot.kernel.core import Core
from bot.kernel.logging_setup import configure_logging, same_output
from bot.kernel.scheduler import Scheduler, clock_console_command
from bot.kernel.shutdown import StopSignals, cancel_and_wait
from bot.kernel.storage.data_lock import hold_data_folder
from bot.relay.keys import with_console_key

ConsoleCommands = dict[str, ConsoleCommand]  # extra console commands, e.g. /clock
EXIT_INTERRUPTED = 130  # the shell's code for a program ended by Ctrl-C
LOG_FILE = "peerbot.log"  # in data_dir, when the console needs standard error for itself


async def offer_demo(app: App, session, interactive: bool) -> None:
    """On a first run, offer the demo community (asked only at a terminal)."""
    if not app.core.config.console.offer_demo or await app.profiles.existing_keys():
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
        loaded = await load_demo(app.profiles, app.core.clock)
        session.say(f"Loaded {loaded} demo practitioners. Try /peer join, then /peer help.")


def keep_logs_out_of_the_console(config: Config) -> None:
    """Send log records to a file in data_dir when standard error is the console's own screen.

    On a terminal (or with `2>&1`) standard error and standard output are the same place, and
    log lines landed inside the conversation; a separate standard error keeps them.
    """
    if not same_output(sys.stdout, sys.stderr):
        return
    path = Path(config.bot.data_dir) / LOG_FILE
    configure_logging(config.bot.log_level, path)
    print(f"peerbot: log records go to {path}.", file=sys.stderr)


async def run_console(
    app: App,
    stdin: TextIO,
    stdout: TextIO,
    interactive: bool,
    console_commands: ConsoleCommands,
) -> None:
    """The terminal chat, until /quit or end of input."""
    core = app.core
    platform = ConsolePlatform(stdout, attachments_dir=Path(core.config.bot.data_dir) / "attachments")
    core.outbox.register(platform)
    session = ConsoleSession(core, platform, stdin, core.config.console.user, interactive)

    async def demo(session_: ConsoleSession, _words: list[str]) -> None:
        session_.say(f"Loaded {await load_demo(app.profiles, core.clock)} demo practitioners.")

    session.extra_commands["/demo"] = demo
    session.extra_commands.update(console_commands)
    session.say(
        f"{core.config.bot.name}: console. You are {session.user}. "
        "Type /help for console commands, /peer help for the bot's."
    )
    await offer_demo(app, session, interactive)
    await session.run()


async def start_core(core: Core, scheduler: Scheduler) -> None:
    """Prepare the database (saying what was done) and start the clock."""
    done, *notes = await prepare(core)
    print(f"peerbot: {done} ({core.config.database_url().split('://')[0]}).", file=sys.stderr)
    for note in notes:
        print(f"peerbot: {note}", file=sys.stderr)
    await scheduler.start()


async def serve(
    app: App, scheduler: Scheduler, platforms: list[str], console_commands: ConsoleCommands
) -> None:
    """Start, then chat in the terminal (no platforms) or run the platform adapters."""
    await start_core(app.core, scheduler)
    if platforms:
        await run_platforms(app.core, platforms)
    else:
        await run_console(app, sys.stdin, sys.stdout, sys.stdin.isatty(), console_commands)


def exit_code(received: signal.Signals | None, console: bool) -> int:
    """0 for /quit, end of input and any stop of a service; 130 when Ctrl-C ended a console chat."""
    return EXIT_INTERRUPTED if console and received == signal.SIGINT else 0


async def run_bot(config: Config, console_only: bool, fake_clock: bool = False) -> int:
    """Run until stopped: the console when asked or when no platform is configured.

    With `fake_clock` (console only) time stands still until `/clock +2h` moves it, so a
    whole round of introductions, reminders and follow-ups can be walked through in a minute.

    SIGTERM or Ctrl-C stop it cleanly. With platforms, the clock stops first and deliveries
    under way finish (for up to the scheduler's grace period) while the adapters can still
    send, then the adapters stop. The console is stopped first, so its one line comes at once.
    """
    with hold_data_folder(config.database_url()):
        return await _run_holding_data(config, console_only, fake_clock)


async def _run_holding_data(config: Config, console_only: bool, fake_clock: bool) -> int:
    platforms = [] if console_only else enabled_platforms(config)
    if not platforms and not console_only:
        print(
            "peerbot: no Slack or Discord credentials set "
            "(SLACK_BOT_TOKEN, DISCORD_BOT_TOKEN): starting the console.",
            file=sys.stderr,
        )
    if not platforms:
        keep_logs_out_of_the_console(config)
        config, key_note = with_console_key(config)
        if key_note:
            print(f"peerbot: {key_note}", file=sys.stderr)
    clock = FakeClock(datetime.now(UTC).replace(second=0, microsecond=0)) if fake_clock else None
    app = build_app(config, clock=clock)
    core = app.core
    console_commands = {"/clock": clock_console_command(core)}
    scheduler = Scheduler(core, cron_rounds=not fake_clock)
    with StopSignals() as stop:
        work = asyncio.ensure_future(serve(app, scheduler, platforms, console_commands))
        try:
            await stop.until_stopped(work)
        finally:
            if stop.received is not None and platforms:
                print(f"peerbot: {stop.received.name}: stopping.", file=sys.stderr)
            await shut_down(core, scheduler, work, console=not platforms)
    return exit_code(stop.received, console=not platforms)


async def shut_down(core: Core, scheduler: Scheduler, work: asyncio.Task, console: bool) -> None:
    """Stop the work and the clock in the order described in `run_bot`, then close the core.

    Each step runs even if an earlier one fails; a failure of the work itself is raised.
    """

    async def stop_work() -> None:
        await cancel_and_wait(work)

    first, second = (stop_work, scheduler.stop) if console else (scheduler.stop, stop_work)
    try:
        try:
            await first()
        finally:
            await second()
    finally:
        await core.close()
