"""The `peerbot` command line: run the bot, the console, migrations, import and export.

Every failure a person can cause (bad config, bad file, unreachable database) ends with
one clear line on standard error and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence

from asyncpg import PostgresError
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.app.bootstrap import App, build_app, build_core, prepare
from bot.kernel.command_line import Check, FeatureCommands, Service, Work, print_problem
from bot.kernel.config import Config, ConfigError, CredentialsError, load_config, render_example
from bot.kernel.durations import format_duration
from bot.kernel.errors import PlatformError, file_problem
from bot.kernel.logging_setup import configure_logging
from bot.kernel.storage.data_lock import DataFolderInUse
from bot.kernel.storage.database import SchemaError, known_revision
from bot.profiles import cli as profile_cli
from bot.profiles.import_export import ImportFileError
from bot.relay import cli as relay_cli
from bot.rounds import cli as round_cli

EXIT_CONFIG = 2
EXIT_SCHEMA_NOT_CURRENT = 3  # `peerbot db status`: the schema is empty, behind or ahead of the code
CommandRunner = Callable[[argparse.Namespace, Config], Awaitable[int]]


async def with_app(config: Config, work: Callable[[App], Awaitable[int]]) -> int:
    """Run one command's work on a prepared bot, and close it afterwards whatever happens."""
    app = build_app(config)
    try:
        await prepare(app.core)
        return await work(app)
    finally:
        await app.core.close()


def on_feature(select: Callable[[App], Service]) -> Callable[[Work[Service], Check | None], CommandRunner]:
    """Turn a feature's subcommand work into a runner: check, build, prepare, work, close."""

    def runner_for(work: Work[Service], check: Check | None) -> CommandRunner:
        async def run(args: argparse.Namespace, config: Config) -> int:
            if check is not None:
                check(args)
            return await with_app(config, lambda app: work(args, select(app), app.core))

        return run

    return runner_for


async def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from bot.app.runner import run_bot

    return await run_bot(config, console_only=False)


async def cmd_console(args: argparse.Namespace, config: Config) -> int:
    from bot.app.runner import run_bot

    return await run_bot(config, console_only=True, fake_clock=args.fake_clock)


async def cmd_db_upgrade(args: argparse.Namespace, config: Config) -> int:
    core = build_core(config)
    try:
        before = await core.db.schema_state()
        await core.db.upgrade()
        after = await core.db.schema_state()
    finally:
        await core.close()
    if before.current == after.current:
        print(f"Database schema already at the newest version ({after.head}).")
    else:
        print(f"Database schema upgraded from {before.current or 'empty'} to {after.current}.")
    return 0


async def cmd_db_status(args: argparse.Namespace, config: Config) -> int:
    core = build_core(config)
    try:
        state = await core.db.schema_state()
    finally:
        await core.close()
    if state.up_to_date:
        print(f"Schema {state.current}; code {state.head}: up to date.")
        return 0
    if state.empty:
        status = "empty: `peerbot run` or `peerbot db upgrade` creates it"
    elif known_revision(state.current):
        status = "behind: run `peerbot db upgrade`"
    else:
        status = "ahead: written by a newer peerbot; upgrade peerbot"
    print(f"Schema {state.current or 'empty'}; code {state.head}: {status}.")
    return EXIT_SCHEMA_NOT_CURRENT


async def cmd_config_example(args: argparse.Namespace, config: Config) -> int:
    sys.stdout.write(render_example())
    return 0


async def cmd_config_check(args: argparse.Namespace, config: Config) -> int:
    print(f"Config OK ({config.source}); database: {config.database_url().split('://')[0]}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with help on every command."""
    parser = argparse.ArgumentParser(
        prog="peerbot",
        description="A peer-only mentoring bot for practitioners integrating health, care, "
        "welfare and housing services. With no Slack or Discord credentials it runs in "
        "the terminal.",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="TOML config file (default: $PEERBOT_CONFIG, else ./peerbot.toml if present, "
        "else the built-in defaults)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, runner: CommandRunner, help_text: str, parent=commands):
        sub = parent.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(runner=runner)
        return sub

    add(
        "run",
        cmd_run,
        "Start every adapter the config enables (the console if no Slack or Discord credentials are set).",
    )
    console = add("console", cmd_console, "Start the terminal console (also works with piped input).")
    console.add_argument(
        "--fake-clock",
        action="store_true",
        help="time stands still until /clock +2h (or +3d …) moves it: walk a whole round in a minute",
    )
    db = commands.add_parser("db", help="Database schema commands.", description="Database schema commands.")
    db_commands = db.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    add("upgrade", cmd_db_upgrade, "Create or upgrade the database schema.", db_commands)
    add("status", cmd_db_status, "Show whether the schema is up to date.", db_commands)
    profile_cli.register(FeatureCommands(commands, on_feature(lambda app: app.profiles)))
    config_cmd = commands.add_parser(
        "config", help="Configuration helpers.", description="Configuration helpers."
    )
    config_commands = config_cmd.add_subparsers(dest="config_command", metavar="COMMAND", required=True)
    add(
        "example",
        cmd_config_example,
        "Print a config file documenting every key and default.",
        config_commands,
    )
    add("check", cmd_config_check, "Validate the configuration and exit.", config_commands)
    round_cli.register(FeatureCommands(commands, on_feature(lambda app: app.rounds)))
    relay_cli.register(FeatureCommands(commands, on_feature(lambda app: app.relay)))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `peerbot` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "runner", None):
        parser.print_help()
        return 0
    try:
        config = load_config(args.config)
    except ConfigError as problem:
        print_problem(str(problem))
        return EXIT_CONFIG
    configure_logging(config.bot.log_level)
    try:
        return asyncio.run(args.runner(args, config))
    except CredentialsError as problem:
        print_problem(str(problem))
        return EXIT_CONFIG
    except (SchemaError, ImportFileError, PlatformError, DataFolderInUse) as problem:
        print_problem(str(problem))
        return 1
    except OSError as problem:
        print_problem(os_problem(problem, config))
        return 1
    except (SQLAlchemyError, PostgresError) as problem:
        first_line = str(getattr(problem, "orig", None) or problem).splitlines()[0]
        print_problem(
            f"could not use the database {shown_url(config)} ({type(problem).__name__}): {first_line}"
        )
        return 1
    except KeyboardInterrupt:
        return 130


def shown_url(config: Config) -> str:
    """The database URL as it may be shown: without its password."""
    return make_url(config.database_url()).render_as_string(hide_password=True)


def os_problem(problem: OSError, config: Config) -> str:
    """Name what could not be reached: the file the error names, else the database.

    Files and chat services are named where they are used (export, import, the adapters);
    the OSError left over comes from connecting to the database, which names nothing itself.
    """
    if problem.filename is not None:
        return file_problem("use", problem.filename, problem)
    if isinstance(problem, TimeoutError):
        reason = (
            f"it did not answer within [database] connect_timeout "
            f"({format_duration(config.database.connect_timeout)})"
        )
    else:
        reason = problem.strerror or str(problem) or type(problem).__name__
    return (
        f"could not reach the database {shown_url(config)}: {reason}. "
        "Check that it is running and that PEERBOT_DATABASE_URL or [database] url is right."
    )
