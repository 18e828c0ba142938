"""The core: the kernel's parts, built once by the composition root (bot/app/bootstrap.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.dispatch import Dispatcher
from bot.kernel.hooks import Hooks
from bot.kernel.invocation import Actor, Invocation
from bot.kernel.jobs import JobQueue
from bot.kernel.messages import FAILED_REPLY, Message, without_inline_markers
from bot.kernel.outbox import Delivery, Outbox
from bot.kernel.people import People
from bot.kernel.storage.database import Database

log = logging.getLogger(__name__)


@dataclass
class Core:
    """What every feature may use. Adapters call `handle` and `show_home` and nothing else."""

    config: Config
    db: Database
    clock: Clock
    outbox: Outbox
    dispatcher: Dispatcher
    jobs: JobQueue
    people: People
    hooks: Hooks = field(default_factory=Hooks)

    async def handle(self, invocation: Invocation) -> None:
        """Run one invocation; replies and other messages leave through the outbox.

        Adapters pass facts (a platform's admin flag, role ids); whether those make the
        person an admin is decided here, with the features' grants (a server's admin role).
        Whatever fails on the way (the database, a grant), the person gets the one "something
        went wrong" reply, never a traceback, whichever platform they are on.
        """
        typed = _without_inline_markers(invocation)
        try:
            await self.dispatcher.handle(self, await self._with_admin_rights(typed))
        except Exception as problem:
            log.error("handling %s failed with %s", invocation.command, type(problem).__name__)
            await self.outbox.reply(invocation, Message(FAILED_REPLY))

    async def _with_admin_rights(self, invocation: Invocation) -> Invocation:
        actor = invocation.actor
        if actor.is_platform_admin or not await self.hooks.grants_admin(actor):
            return invocation
        return replace(invocation, actor=replace(actor, is_platform_admin=True))

    async def home(self, actor: Actor) -> Message:
        """The person's own home page (Slack's App Home), built by the profiles feature."""
        if self.hooks.home_page is None:
            return Message(f"*{self.config.bot.name}*")
        return await self.hooks.home_page(actor)

    async def show_home(self, actor: Actor) -> Delivery:
        """Build the person's home page and send it through the outbox, whose guard covers it."""
        return await self.outbox.show_home(actor, await self.home(actor))

    async def close(self) -> None:
        """Release what features hold open (the LLM client's connections), then the database."""
        for close in self.hooks.closes:
            await close()
        await self.db.close()

    def is_admin(self, actor: Actor) -> bool:
        """Admins: the console's user (if allowed), ids listed in config, or platform admins."""
        if actor.platform == "console":
            return self.config.console.admin
        listed = getattr(self.config.admins, actor.platform, {}).get(actor.community, ())
        return actor.user_id in listed or actor.is_platform_admin


def _without_inline_markers(invocation: Invocation) -> Invocation:
    """What people typed, with the characters that mark a mention removed (see messages.py)."""
    form = invocation.form
    if form is not None:
        form = {
            name: without_inline_markers(value)
            if isinstance(value, str)
            else [without_inline_markers(item) for item in value]
            for name, value in form.items()
        }
    args = tuple(without_inline_markers(word) for word in invocation.args)
    return replace(invocation, args=args, form=form)
