"""The core: services, the outbox and the command routes, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.dispatch import Dispatcher
from bot.kernel.invocation import Actor, Invocation
from bot.kernel.jobs import JobQueue
from bot.kernel.outbox import Outbox
from bot.kernel.storage.database import Database
from bot.profiles.service import ProfileService


@dataclass
class Core:
    """Everything a command handler may use. Adapters call `handle` and nothing else."""

    config: Config
    db: Database
    clock: Clock
    outbox: Outbox
    profiles: ProfileService
    dispatcher: Dispatcher
    jobs: JobQueue
    services: dict[str, Any] = field(default_factory=dict)

    async def handle(self, invocation: Invocation) -> None:
        """Run one invocation; replies and other messages leave through the outbox."""
        await self.dispatcher.handle(self, invocation)

    async def close(self) -> None:
        """Release what the core holds open: the LLM client's connections, then the database."""
        assist = self.services.get("assist")
        if assist is not None:
            await assist.close()
        await self.db.close()

    def is_admin(self, actor: Actor) -> bool:
        """Admins: the console's user (if allowed), ids listed in config, or platform admins."""
        if actor.platform == "console":
            return self.config.console.admin
        listed = getattr(self.config.admins, actor.platform, {}).get(actor.community, ())
        return actor.user_id in listed or actor.is_platform_admin
