"""A test harness: the real core on a real database, with a fake clock and a collecting
platform standing in for Slack or Discord. Tests talk to it as people would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory_platform import MemoryPlatform
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app.bootstrap import App, build_app, prepare
from bot.kernel.clock import FakeClock
from bot.kernel.config import Config, parse_config
from bot.kernel.core import Core
from bot.kernel.invocation import Actor, Invocation, Place
from bot.kernel.messages import Message

PG_ENV = "PEERBOT_TEST_DATABASE_URL"


async def fresh_postgres(url: str) -> None:
    """Empty the test PostgreSQL database: every test starts from nothing."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def person(user: str, **changes) -> dict:
    """A consented profile row for the console community."""
    values = {
        "platform": "console",
        "community": "local",
        "user_id": user,
        "display_name": user.title(),
        "organisation": f"{user} org",
        "org_type": "council",
        "region": "london",
        "role": "Lead",
        "areas": ["health"],
        "challenge": "Joining up discharge.",
        "stage": "implementing",
        "timezone": "Europe/London",
        "cadence": "fortnightly",
        "accepts_questions": True,
        "status": "active",
        "dont_pair_with": [],
    }
    values.update(changes)
    return values


JOIN_FORM = {
    "display_name": "Alice Smith",
    "organisation": "Leeds City Council",
    "org_type": "council",
    "region": "yorkshire_humber",
    "role": "Discharge lead",
    "areas": "social care, health",
    "challenge": "Joining up hospital discharge between the council and the trust.",
    "stage": "implementing",
    "timezone": "Europe/London",
    "cadence": "fortnightly",
    "accepts_questions": "yes",
}


@dataclass
class Harness:
    config: Config
    clock: FakeClock
    platform: MemoryPlatform
    core: Core | None = None
    app: App | None = None
    actors: dict[str, Actor] = field(default_factory=dict)

    @classmethod
    def create(cls, database_url: str, tmp_path: Path, raw_config: dict | None = None) -> Harness:
        raw = dict(raw_config or {})
        raw.setdefault("bot", {})["data_dir"] = str(tmp_path)
        config = parse_config(raw, {"PEERBOT_DATABASE_URL": database_url}, "tests")
        return cls(config=config, clock=FakeClock(), platform=MemoryPlatform())

    async def start(self) -> None:
        self.app = build_app(self.config, clock=self.clock)
        self.core = self.app.core
        self.core.outbox.register(self.platform)
        await prepare(self.core)

    async def stop(self) -> None:
        if self.core is not None:
            await self.core.close()

    def actor(self, user: str, **kw: Any) -> Actor:
        if user not in self.actors or kw:
            self.actors[user] = Actor(self.platform.name, "local", user, display_name=user, **kw)
        return self.actors[user]

    async def say(self, user: str, text: str, place: Place | None = None) -> Message:
        """Type `/peer <text>` as `user`; returns the last message they received."""
        inv = self.core.dispatcher.from_text(self.actor(user), text, f"t-{uuid.uuid4()}", place)
        await self.core.handle(inv)
        return self.platform.last(user)

    async def submit(self, user: str, command: str, form: dict, args: tuple = ()) -> Message:
        """Submit a form as `user`."""
        await self.core.handle(
            Invocation(
                self.actor(user),
                command,
                args,
                form,
                f"t-{uuid.uuid4()}",
                Place(surface="form"),
            )
        )
        return self.platform.last(user)

    async def press(self, user: str, label: str) -> Message:
        """Press the button with this label on the newest message that has it."""
        for message in reversed(self.platform.to(user)):
            for button in message.buttons:
                if button.label == label:
                    await self.core.handle(
                        Invocation(
                            self.actor(user),
                            button.command,
                            button.args,
                            None,
                            f"t-{uuid.uuid4()}",
                        )
                    )
                    return self.platform.last(user)
        raise AssertionError(f"{user} has no button {label!r}")

    async def join(self, user: str, **changes: Any) -> Message:
        """Join through the form and consent, as a person would."""
        form = {**JOIN_FORM, "display_name": user.title(), **changes}
        await self.say(user, "join")
        await self.submit(user, "join.submit", form)
        return await self.press(user, "I agree, join")


async def downgrade_schema(db, revision: str) -> None:
    """Run Alembic's downgrade to `revision` on the database's own connection (migration tests)."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from bot.kernel.storage.database import MIGRATIONS

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))

    def run(sync_connection) -> None:
        config.attributes["connection"] = sync_connection
        command.downgrade(config, revision)

    async with db.engine.begin() as connection:
        await connection.run_sync(run)
