"""`peerbot import` and `peerbot export`: profiles in and out as CSV or JSON files.

Every row of an import is checked first; a file with bad rows loads nothing unless
--skip-bad, so a half-loaded community never happens by accident.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.kernel.command_line import FeatureCommands, print_problem
from bot.kernel.core import Core
from bot.kernel.errors import file_problem
from bot.profiles.import_export import check_rows, export_rows, read_rows, render_export
from bot.profiles.service import ProfileService

PLATFORMS = ("console", "slack", "discord")


def read_import_file(args: argparse.Namespace) -> None:
    """Read and parse the file before anything is built (ImportFileError says what is wrong)."""
    args.rows = read_rows(Path(args.file))


async def cmd_import(args: argparse.Namespace, profiles: ProfileService, core: Core) -> int:
    """Load the checked rows (or only report, with --dry-run)."""
    rows = args.rows
    plan = check_rows(
        rows,
        platform=args.platform,
        community=args.community,
        now=core.clock.now(),
        existing=await profiles.existing_keys(),
    )
    if plan.ignored_columns:
        print_problem("ignored unknown columns: " + ", ".join(plan.ignored_columns))
    for problem in plan.problems:
        print_problem(f"{args.file}: {problem}")
    if plan.problems and not args.skip_bad:
        print_problem(
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
    loaded = await profiles.insert_many(plan.records)
    skipped = f", skipped {len(plan.problems)} bad row(s)" if plan.problems else ""
    print(f"Loaded {loaded} profile(s){skipped}.")
    return 0


async def cmd_export(args: argparse.Namespace, profiles: ProfileService, core: Core) -> int:
    """Write the profiles in the import format, to a file or standard output."""
    listed = await profiles.listing(args.platform, args.community)
    text = render_export(export_rows(listed), args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as problem:
            print_problem(file_problem("write", args.output, problem))
            return 1
        print(f"Exported {len(listed)} profile(s) to {args.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register(commands: FeatureCommands[ProfileService]) -> None:
    """Add `peerbot import` and `peerbot export` to the command line."""
    imp = commands.add(
        "import",
        cmd_import,
        "Load practitioner profiles from a CSV or JSON file "
        "(e.g. a sign-up form export). Every row is checked first; a file with bad rows "
        "loads nothing unless --skip-bad.",
        check=read_import_file,
    )
    imp.add_argument("file", help="a .csv (header row of column names) or .json (array) file")
    imp.add_argument(
        "--platform",
        default="console",
        choices=PLATFORMS,
        help="platform for rows without a platform column (default: console)",
    )
    imp.add_argument(
        "--community", default="local", help="workspace or server id for rows without a community column"
    )
    imp.add_argument("--skip-bad", action="store_true", help="load the good rows, skip bad ones")
    imp.add_argument("--dry-run", action="store_true", help="check the file, load nothing")
    exp = commands.add("export", cmd_export, "Write profiles as CSV or JSON (the import format).")
    exp.add_argument("--format", choices=("csv", "json"), default="csv", help="default: csv")
    exp.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")
    exp.add_argument("--platform", choices=PLATFORMS, help="only this platform")
    exp.add_argument("--community", help="only this workspace or server id")
