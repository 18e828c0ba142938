"""`peerbot match`: preview (--dry-run) or commit a round from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from bot.kernel.command_line import FeatureCommands, print_problem
from bot.kernel.core import Core
from bot.kernel.errors import UserError
from bot.rounds.commands import recent_round_question
from bot.rounds.report import plan_as_json, render_plan
from bot.rounds.service import RecentRound, RoundService


async def cmd_match(args: argparse.Namespace, service: RoundService, core: Core) -> int:
    """Preview or commit a round for each scope (or the one named), printed or as JSON."""
    scopes = [args.scope] if args.scope else await service.scopes()
    if not scopes:
        print_problem("no one has joined yet: nothing to match.")
        return 1
    results = []
    for scope in scopes:
        try:
            if args.dry_run:
                results.append(await service.preview(scope, args.seed))
            else:
                results.append(await commit_asking_first(service, core, scope, args))
        except UserError as problem:
            print_problem(f"{scope}: {problem}")
    if args.json:
        json.dump([plan_as_json(p) for p in results], sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        for planned in results:
            print(render_plan(planned).replace("*", "") + "\n")
    return 0 if results else 1


async def commit_asking_first(service: RoundService, core: Core, scope: str, args: argparse.Namespace):
    """Commit a round; just after another one, ask at a terminal (or need --again) first."""
    try:
        return await service.commit(scope, "cli", args.seed, again=args.again)
    except RecentRound as recent:
        question = f"{scope}: {recent_round_question(recent, core.clock.now())}"
        if not sys.stdin.isatty():
            raise UserError(
                question.removesuffix("Start another anyway?") + "Add --again to start it."
            ) from None
        if input(f"{question} [y/N] ").strip().casefold() not in ("y", "yes"):
            raise UserError("no round started.") from None
        return await service.commit(scope, "cli", args.seed, again=True)


def register(commands: FeatureCommands[RoundService]) -> None:
    """Add `peerbot match` to the command line."""
    match = commands.add(
        "match",
        cmd_match,
        "Plan a matching round for each community (or --scope) and commit it, queueing "
        "introductions for the running bot to deliver; --dry-run only shows the plan.",
    )
    match.add_argument("--dry-run", action="store_true", help="show the plan; store and send nothing")
    match.add_argument("--json", action="store_true", help="print the plan as JSON")
    match.add_argument("--scope", help='one scope, e.g. "console:local", "slack:T0123" or "federation:north"')
    match.add_argument("--seed", type=int, help="seed for a reproducible plan (stored with the round)")
    match.add_argument(
        "--again",
        action="store_true",
        help="start the round even if one was committed shortly before ([rounds] confirm_repeat_within)",
    )
