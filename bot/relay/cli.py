"""`peerbot purge`, `peerbot relay new-key` and `peerbot relay rotate-keys`.

Key rotation: put a new key first in PEERBOT_ENCRYPTION_KEYS and keep the old one after
it ("NEW,OLD"), run `peerbot relay rotate-keys` (every stored token is re-encrypted with
the new key in one transaction), then remove the old key.
"""

from __future__ import annotations

import argparse
import sys

from bot.kernel.command_line import FeatureCommands, print_problem
from bot.kernel.config import Config
from bot.kernel.core import Core
from bot.kernel.crypto import CannotDecrypt, new_key
from bot.kernel.durations import describe_duration
from bot.relay.keys import RelayUnavailable
from bot.relay.service import RelayService


async def cmd_purge(args: argparse.Namespace, relay: RelayService, core: Core) -> int:
    """Delete threads past retention now (or every thread), and say how much went."""
    counts = await relay.purge(everything=args.everything)
    age = (
        "every"
        if args.everything
        else f"{describe_duration(core.config.relay.retention)} after close or last activity:"
    )
    print(
        f"Purged anonymous questions ({age} threads): {counts.threads} thread(s), "
        f"{counts.messages} message(s), {counts.participants} handle(s)."
    )
    return 0


async def cmd_new_key(args: argparse.Namespace, config: Config) -> int:
    """Print a fresh key; it needs no database, so it runs before anything is built."""
    print(new_key())
    print(
        "Set it as PEERBOT_ENCRYPTION_KEYS in the bot's environment and keep a copy somewhere safe.",
        file=sys.stderr,
    )
    return 0


async def cmd_rotate_keys(args: argparse.Namespace, relay: RelayService, core: Core) -> int:
    """Re-encrypt every stored token with the first key, so the old one can be retired."""
    try:
        changed = await relay.rotate_keys()
    except (RelayUnavailable, CannotDecrypt) as problem:
        print_problem(problem.reason if isinstance(problem, RelayUnavailable) else str(problem))
        return 1
    print(
        f"Re-encrypted {changed} stored token(s) with the first key in PEERBOT_ENCRYPTION_KEYS. "
        "You can now remove the old key(s)."
    )
    return 0


def register(commands: FeatureCommands[RelayService]) -> None:
    """Add `peerbot purge` and `peerbot relay new-key|rotate-keys` to the command line."""
    purge = commands.add(
        "purge",
        cmd_purge,
        "Delete anonymous-question threads past the retention period now (it also runs hourly).",
    )
    purge.add_argument(
        "--everything",
        action="store_true",
        help="delete every thread, whatever its age (e.g. after losing a key)",
    )
    keys = commands.group("relay", "Encryption keys of the anonymous relay.")
    commands.add_offline(
        "new-key", cmd_new_key, "Print a new random encryption key for PEERBOT_ENCRYPTION_KEYS.", keys
    )
    commands.add(
        "rotate-keys",
        cmd_rotate_keys,
        "Re-encrypt everything stored with the first key in PEERBOT_ENCRYPTION_KEYS (list NEW,OLD first).",
        keys,
    )
