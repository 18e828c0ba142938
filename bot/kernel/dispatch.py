"""Routing invocations to command handlers: de-duplication, admin checks and safe failure.

Whatever goes wrong inside a handler, the person gets a clear reply and never a
traceback; the log records the command and the error type, never what anyone typed.
"""

from __future__ import annotations

import logging
import shlex
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from bot.kernel.clock import Clock
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor, Invocation, Place
from bot.kernel.messages import FAILED_REPLY, Message
from bot.kernel.outbox import Outbox
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import ProcessedInvocation, Profile


class Core(Protocol):
    """What the dispatcher needs of the core it runs handlers with (handlers get the whole core)."""

    db: Database
    clock: Clock
    outbox: Outbox

    def is_admin(self, actor: Actor) -> bool: ...


log = logging.getLogger(__name__)

Handler = Callable[[Any, Invocation], Awaitable[None]]  # called with the core
DEDUP_KEEP = timedelta(days=2)


@dataclass(frozen=True)
class Route:
    """A command: its handler, how to use it, one line of help, and who may use it.

    Hidden routes are the targets of forms and buttons (e.g. "join.submit"); they are not
    listed in help and cannot be typed.
    """

    handler: Handler
    usage: str = ""
    summary: str = ""
    admin: bool = False
    hidden: bool = False


def split_words(text: str) -> list[str]:
    """Split typed arguments like a shell would, but never fail on a stray quote."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


class Dispatcher:
    """Finds the route for an invocation and runs it safely."""

    def __init__(self, routes: Mapping[str, Route]):
        self.routes = dict(routes)

    def add(self, routes: Mapping[str, Route]) -> None:
        """Add a feature's routes; a name may be registered only once."""
        clash = set(routes) & set(self.routes)
        if clash:
            raise ValueError(f"routes registered twice: {sorted(clash)}")
        self.routes.update(routes)

    def from_text(
        self, actor: Actor, text: str, dedup_id: str = "", place: Place | None = None
    ) -> Invocation:
        """Turn typed text after `/peer` into an invocation ("admin set x 1" → admin.set)."""
        words = split_words(text.strip())
        if words and words[0].lstrip("/") == "peer":
            words = words[1:]
        if not words:
            return Invocation(actor, "help", (), None, dedup_id, place or Place())
        command, args = words[0].casefold(), tuple(words[1:])
        if args:
            dotted = f"{command}.{args[0].casefold()}"
            route = self.routes.get(dotted)
            if route is not None and not route.hidden:
                command, args = dotted, args[1:]
        return Invocation(actor, command, args, None, dedup_id, place or Place())

    async def handle(self, core: Core, invocation: Invocation) -> None:
        """Run one invocation once; a repeated dedup id is ignored."""
        if invocation.dedup_id and not await self._first_time(core, invocation.dedup_id, invocation.actor):
            log.info("ignored a repeated delivery of %s", invocation.command)
            return
        try:
            await self._run(core, invocation)
        except Exception:
            if invocation.dedup_id:
                await self._forget(core, invocation.dedup_id)
            raise

    async def _run(self, core: Core, invocation: Invocation) -> None:
        route = self.routes.get(invocation.command)
        if route is None:
            await core.outbox.reply(
                invocation,
                Message(
                    f"I don't know the command “{invocation.command[:40]}”. "
                    "Type `/peer help` to see what I can do."
                ),
            )
            return
        if route.admin and not core.is_admin(invocation.actor):
            await core.outbox.reply(
                invocation,
                Message(
                    "Only this community's admins can use that command. "
                    "Ask your community organiser if you think you should be one."
                ),
            )
            return
        try:
            await route.handler(core, invocation)
        except UserError as problem:
            await core.outbox.reply(invocation, Message(str(problem)))
        except Exception as problem:
            frames = "".join(traceback.format_tb(problem.__traceback__))
            log.error("command %s failed with %s\n%s", invocation.command, type(problem).__name__, frames)
            await core.outbox.reply(invocation, Message(FAILED_REPLY))

    async def _first_time(self, core: Core, dedup_id: str, actor: Actor) -> bool:
        """Record the invocation (False if it was seen before); someone who uses the bot is
        reachable again, so a platform's earlier "account inactive" no longer keeps them out."""
        now = core.clock.now()
        try:
            async with core.db.session() as session, session.begin():
                session.add(ProcessedInvocation(dedup_id=dedup_id[:200], seen_at=now))
                await session.execute(
                    update(Profile)
                    .where(
                        (Profile.platform == actor.platform)
                        & (Profile.community == actor.community)
                        & (Profile.user_id == actor.user_id)
                        & Profile.unreachable_reason.is_not(None)
                    )
                    .values(unreachable_reason=None, unreachable_since=None)
                )
        except IntegrityError:
            return False
        return True

    async def _forget(self, core: Core, dedup_id: str) -> None:
        async with core.db.session() as session, session.begin():
            await session.execute(
                delete(ProcessedInvocation).where(ProcessedInvocation.dedup_id == dedup_id[:200])
            )

    @staticmethod
    async def prune(core: Core) -> int:
        """Forget old dedup ids: platforms stop retrying within minutes."""
        async with core.db.session() as session, session.begin():
            result = await session.execute(
                delete(ProcessedInvocation).where(ProcessedInvocation.seen_at < core.clock.now() - DEDUP_KEEP)
            )
        return result.rowcount
