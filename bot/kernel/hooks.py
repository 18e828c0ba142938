"""Where features meet: events and extension points that the kernel calls without knowing
which feature answers.

A feature registers its own callables at install time (see each feature's `install`); the
kernel and other features call them through here, so no feature imports another. Every
callable closes over what it needs (its own service), so none of them takes the core.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.kernel.invocation import Actor
from bot.kernel.messages import Message
from bot.kernel.personal_data import PersonalDataPart

log = logging.getLogger(__name__)

GroupIntroduced = Callable[[int], Awaitable[None]]
HomeSection = Callable[[Actor], Awaitable[str | None]]
DueWork = Callable[[datetime, datetime], Awaitable[object]]
JoinGate = Callable[[Actor], Awaitable[str | None]]
AdminGrant = Callable[[Actor], Awaitable[bool]]
StartNote = Callable[[], Awaitable[str | None]]
Closer = Callable[[], Awaitable[None]]
HomePage = Callable[[Actor], Awaitable[Message]]


@dataclass
class Hooks:
    """The registered listeners, by event; empty lists mean nobody listens."""

    # A group's introduction went out (group id): check-ins schedule the first meeting.
    group_introduced: list[GroupIntroduced] = field(default_factory=list)
    # Lines on a person's own home page; each must describe only the viewer's own data.
    home_sections: list[HomeSection] = field(default_factory=list)
    # Each feature's share of a person's data, for /peer mydata and erasure on /peer leave.
    personal_data: list[PersonalDataPart] = field(default_factory=list)
    # Work that falls due on the calendar between two moments (scheduled rounds).
    due_work: list[DueWork] = field(default_factory=list)
    # Who may join a community (e.g. a Discord participant role): a refusal to show, or None.
    join_gates: list[JoinGate] = field(default_factory=list)
    # Whether a community's own settings make a person an admin (a Discord server's admin role).
    admin_grants: list[AdminGrant] = field(default_factory=list)
    # Checks once the database is ready; each may return a note for the operator.
    starts: list[StartNote] = field(default_factory=list)
    # Connections to release when the core closes (the LLM client).
    closes: list[Closer] = field(default_factory=list)
    # The person's home page (the profiles feature builds it from `home_sections`).
    home_page: HomePage | None = None

    async def introduced(self, group_id: int) -> None:
        """Tell every listener that a group's introduction went out."""
        for listener in self.group_introduced:
            await listener(group_id)

    async def enqueue_due(self, start: datetime, end: datetime) -> None:
        """Let features enqueue calendar work that falls due in (start, end]."""
        for enqueue in self.due_work:
            await enqueue(start, end)

    async def join_refusal(self, actor: Actor) -> str | None:
        """The first gate's refusal to let this person join, or None if every gate agrees."""
        for gate in self.join_gates:
            refusal = await gate(actor)
            if refusal:
                return refusal
        return None

    async def grants_admin(self, actor: Actor) -> bool:
        """Whether any feature's settings make this person an admin of their community."""
        for grant in self.admin_grants:
            if await grant(actor):
                return True
        return False

    async def home_lines(self, actor: Actor) -> list[str]:
        """The features' home-page lines for this person; a failing section is left out."""
        lines = []
        for section in self.home_sections:
            try:
                text = await section(actor)
            except Exception as problem:
                log.error("a home section failed with %s", type(problem).__name__)
                continue
            if text:
                lines.append(text)
        return lines
