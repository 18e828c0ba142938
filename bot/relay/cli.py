"""`peerbot purge`, `peerbot relay new-key` and `peerbot relay rotate-keys`.

Key rotation: put a new key first in PEERBOT_ENCRYPTION_KEYS and keep the old one after
it ("NEW,OLD"), run `peerbot relay rotate-keys` (every stored token is re-encrypted with
the new key in one transaction), then remove the old key.
"""

from __future__ import annotations

import argparse
import sys

from bot.kernel.config import Config
from bot.kernel.core import Core
from bot.kernel.crypto import new_key
from bot.kernel.durations import describe_duration
from bot.relay.service import RelayService


async def _started_service(core: Core) -> RelayService:
    """The relay for a one-off command on a prepared core, its key checked against stored data."""
    relay = RelayService(core.config, core.db, core.clock, core.outbox, core.people, None)
    await relay.keys.check()
    return relay


async def cmd_purge(args: argparse.Namespace, config: Config) -> int:
    from bot.app.cli import with_core

    async def work(core: Core) -> int:
        counts = await (await _started_service(core)).purge(everything=args.everything)
        age = (
            "every"
            if args.everything
            else f"{describe_duration(config.relay.retention)} after close or last activity:"
        )
        print(
            f"Purged anonymous questions ({age} threads): {counts.threads} thread(s), "
            f"{counts.messages} message(s), {counts.participants} handle(s)."
        )
        return 0

    return await with_core(config, work)


async def cmd_new_key(args: argparse.Namespace, config: Config) -> int:
    print(new_key())
    print(
        "Set it as PEERBOT_ENCRYPTION_KEYS in the bot's environment and keep a copy somewhere safe.",
        file=sys.stderr,
    )
    return 0


async def cmd_rotate_keys(args: argparse.Namespace, config: Config) -> int:
    from bot.app.cli import err, with_core
    from bot.kernel.crypto import CannotDecrypt
    from bot.relay.keys import RelayUnavailable

    async def work(core: Core) -> int:
        try:
            changed = await (await _started_service(core)).rotate_keys()
        except (RelayUnavailable, CannotDecrypt) as problem:
            err(str(problem))
            return 1
        print(
            f"Re-encrypted {changed} stored token(s) with the first key in PEERBOT_ENCRYPTION_KEYS. "
            "You can now remove the old key(s)."
        )
        return 0

    return await with_core(config, work)


def register(commands, add) -> None:
    """Add the relay's subcommands to the `peerbot` parser."""
    purge = add(
        "purge",
        cmd_purge,
        "Delete anonymous-question threads past the retention period now (it also runs hourly).",
    )
    purge.add_argument(
        "--everything",
        action="store_true",
        help="delete every thread, whatever its age (e.g. after losing a key)",
    )
    relay = commands.add_parser(
        "relay", help="Anonymous relay keys.", description="Encryption keys of the anonymous relay."
    )
    relay_commands = relay.add_subparsers(dest="relay_command", metavar="COMMAND", required=True)
    add(
        "new-key",
        cmd_new_key,
        "Print a new random encryption key for PEERBOT_ENCRYPTION_KEYS.",
        relay_commands,
    )
    add(
        "rotate-keys",
        cmd_rotate_keys,
        "Re-encrypt everything stored with the first key in PEERBOT_ENCRYPTION_KEYS (list NEW,OLD first).",
        relay_commands,
    )
