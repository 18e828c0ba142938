"""The `peerbot` command line: run the bot, the console, migrations, import and export.

Every failure a person can cause (bad config, bad file, unreachable database) ends with
one clear line on standard error and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from asyncpg import PostgresError
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.app.bootstrap import App, build_app, build_core, prepare
from bot.kernel.config import Config, ConfigError, CredentialsError, load_config, render_example
from bot.kernel.core import Core
from bot.kernel.durations import format_duration
from bot.kernel.errors import PlatformError, file_problem
from bot.kernel.logging_setup import configure_logging
from bot.kernel.storage.data_lock import DataFolderInUse
from bot.kernel.storage.database import SchemaError, known_revision
from bot.profiles.import_export import ImportFileError, check_rows, export_rows, read_rows, render_export

EXIT_CONFIG = 2
EXIT_SCHEMA_NOT_CURRENT = 3  # `peerbot db status`: the schema is empty, behind or ahead of the code
CommandRunner = Callable[[argparse.Namespace, Config], Awaitable[int]]


def err(text: str) -> None:
    """One line on standard error, the way every peerbot command reports a problem."""
    print(f"peerbot: {text}", file=sys.stderr)


async def with_app(config: Config, work: Callable[[App], Awaitable[int]]) -> int:
    """Run one command's work on a prepared app, and close it afterwards whatever happens."""
    app = build_app(config)
    try:
        await prepare(app.core)
        return await work(app)
    finally:
        await app.core.close()


async def with_core(config: Config, work: Callable[[Core], Awaitable[int]]) -> int:
    """Run one command's work on a prepared core (see `with_app`)."""
    return await with_app(config, lambda app: work(app.core))


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


async def cmd_import(args: argparse.Namespace, config: Config) -> int:
    rows = read_rows(Path(args.file))

    async def work(app: App) -> int:
        plan = check_rows(
            rows,
            platform=args.platform,
            community=args.community,
            now=app.core.clock.now(),
            existing=await app.profiles.existing_keys(),
        )
        if plan.ignored_columns:
            err("ignored unknown columns: " + ", ".join(plan.ignored_columns))
        for problem in plan.problems:
            err(f"{args.file}: {problem}")
        if plan.problems and not args.skip_bad:
            err(
                f"{len(plan.problems)} bad row(s); nothing was loaded. Fix them, or use "
                "--skip-bad to load the good rows only."
            )
            return 1
        if args.dry_run:
            print(
                f"Checked {len(rows)} row(s): {len(plan.records)} would load, "
                f"{len(plan.problems)} bad. Nothing was loaded (--dry-run)."
            )
            return 0 if not plan.problems else 1
        loaded = await app.profiles.insert_many(plan.records)
        skipped = f", skipped {len(plan.problems)} bad row(s)" if plan.problems else ""
        print(f"Loaded {loaded} profile(s){skipped}.")
        return 0

    return await with_app(config, work)


async def cmd_export(args: argparse.Namespace, config: Config) -> int:
    async def work(app: App) -> int:
        profiles = await app.profiles.listing(args.platform, args.community)
        text = render_export(export_rows(profiles), args.format)
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as problem:
                err(file_problem("write", args.output, problem))
                return 1
            print(f"Exported {len(profiles)} profile(s) to {args.output}.", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0

    return await with_app(config, work)


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
    imp = add(
        "import",
        cmd_import,
        "Load practitioner profiles from a CSV or JSON file "
        "(e.g. a sign-up form export). Every row is checked first; a file with bad rows "
        "loads nothing unless --skip-bad.",
    )
    imp.add_argument("file", help="a .csv (header row of column names) or .json (array) file")
    imp.add_argument(
        "--platform",
        default="console",
        choices=("console", "slack", "discord"),
        help="platform for rows without a platform column (default: console)",
    )
    imp.add_argument(
        "--community", default="local", help="workspace or server id for rows without a community column"
    )
    imp.add_argument("--skip-bad", action="store_true", help="load the good rows, skip bad ones")
    imp.add_argument("--dry-run", action="store_true", help="check the file, load nothing")
    exp = add("export", cmd_export, "Write profiles as CSV or JSON (the import format).")
    exp.add_argument("--format", choices=("csv", "json"), default="csv", help="default: csv")
    exp.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")
    exp.add_argument("--platform", choices=("console", "slack", "discord"), help="only this platform")
    exp.add_argument("--community", help="only this workspace or server id")
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
    for register in _feature_cli():
        register(commands, add)
    return parser


def _feature_cli() -> list[Callable]:
    """Features add their own subcommands here (matching, relay, …)."""
    from bot.relay import cli as relay_cli
    from bot.rounds import cli as round_cli

    return [round_cli.register, relay_cli.register]


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
        err(str(problem))
        return EXIT_CONFIG
    configure_logging(config.bot.log_level)
    try:
        return asyncio.run(args.runner(args, config))
    except CredentialsError as problem:
        err(str(problem))
        return EXIT_CONFIG
    except (SchemaError, ImportFileError, PlatformError, DataFolderInUse) as problem:
        err(str(problem))
        return 1
    except OSError as problem:
        err(os_problem(problem, config))
        return 1
    except (SQLAlchemyError, PostgresError) as problem:
        first_line = str(getattr(problem, "orig", None) or problem).splitlines()[0]
        err(f"could not use the database {shown_url(config)} ({type(problem).__name__}): {first_line}")
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
