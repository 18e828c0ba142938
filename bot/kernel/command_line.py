"""How a feature adds its own `peerbot` subcommands without knowing how the bot is built.

The command line (bot/app/cli.py) hands each feature a `FeatureCommands` bound to that
feature's service; the feature declares its subcommands and the work each does with the
service. Building, preparing and closing the bot around that work is the command line's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from bot.kernel.core import Core

Service = TypeVar("Service")
# What a subcommand does: the parsed arguments, the feature's service and the core → exit code.
Work = Callable[[argparse.Namespace, Service, "Core"], Awaitable[int]]
# Checks the arguments before the bot is built (raising a clear error); see FeatureCommands.add.
Check = Callable[[argparse.Namespace], None]


def print_problem(text: str) -> None:
    """One line on standard error, the way every peerbot command reports a problem."""
    print(f"peerbot: {text}", file=sys.stderr)


class FeatureCommands(Generic[Service]):
    """Subcommands of one feature, each run on a prepared bot with that feature's service."""

    def __init__(self, parent, run: Callable[[Work[Service], Check | None], Callable]):
        self._parent = parent
        self._run = run

    def add(
        self, name: str, work: Work[Service], help_text: str, parent=None, check: Check | None = None
    ) -> argparse.ArgumentParser:
        """A subcommand whose work runs with the service (`parent` nests it under a group).

        `check` runs first, before anything is built: a bad input file is reported without
        touching the database.
        """
        sub = (parent or self._parent).add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(runner=self._run(work, check))
        return sub

    def add_offline(
        self, name: str, runner: Callable, help_text: str, parent=None
    ) -> argparse.ArgumentParser:
        """A subcommand that needs no database (e.g. printing a new key): `runner(args, config)`."""
        sub = (parent or self._parent).add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(runner=runner)
        return sub

    def group(self, name: str, help_text: str):
        """A group of subcommands (`peerbot relay …`), to pass as `parent`."""
        group = self._parent.add_parser(name, help=help_text, description=help_text)
        return group.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)
