"""The check every question, answer and follow-up gets before it goes: local rules, plus the LLM
assistant only when an admin allowed it to read relay content (`[llm] allow_relay_content`).

Each person may have a limited number of drafts checked per hour (`[relay] checks_per_hour`):
whatever the wording, a check that knows the directory can be asked about names, and the limit
keeps anyone from asking about many. The count is held in memory by each running bot (so a
restart, or each of several replicas, starts its own count) and holds no text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.relay import texts
from bot.relay.identifying_details import LABELS, Finding, find_identifying_details
from bot.relay.rules import CHECK_WINDOW, community_scope, next_allowed, recent

log = logging.getLogger(__name__)

KNOWN_FINDING_KINDS = tuple(LABELS)


@dataclass(frozen=True)
class Checked:
    """The check found details: the draft waits for its writer to edit, send anyway or cancel.

    `what` is what the draft is ("question", "answer", "follow-up"): it picks the wording and
    the buttons, the flow is the same for all three.
    """

    draft_id: str
    findings: list[Finding]
    what: str = "question"


class IdentifyingDetailsFinder(Protocol):
    """What the relay needs from an assistant: identifying details it spots in a question."""

    async def identifying_details(self, text: str) -> Sequence[Any]: ...


class DetailCheck:
    """Finds details in a question that could identify the asker or someone else."""

    def __init__(
        self, config: Config, db: Database, clock: Clock, assistant: IdentifyingDetailsFinder | None
    ):
        self._config, self._db, self._clock = config, db, clock
        # Replaceable (tests put a fake here); asked only when relay content may reach the LLM.
        self.assistant = assistant
        self._checked: dict[str, list[datetime]] = {}  # person -> when their drafts were checked

    async def find(self, actor: Actor, text: str) -> list[Finding]:
        """Local checks against the community's directory, then the assistant's, deduplicated.

        Refuses (UserError, nothing kept) once the writer had `checks_per_hour` drafts checked.
        """
        self._count(actor)
        findings = find_identifying_details(text, *await self._directory(actor))
        if self._config.llm.allow_relay_content and self.assistant is not None:
            _add_new(findings, await self._ask_assistant(text))
        return findings

    def _count(self, actor: Actor) -> None:
        now, per_hour = self._clock.now(), self._config.relay.checks_per_hour
        who = f"{actor.community_key}:{actor.user_id}"
        done = recent(self._checked.get(who, ()), now, CHECK_WINDOW)
        when = next_allowed(done, per_hour, CHECK_WINDOW)
        if when is not None:
            self._checked[who] = done
            raise UserError(texts.check_limit_text(per_hour, when - now))
        self._checked[who] = [*done, now]

    async def _directory(self, actor: Actor) -> tuple[list[str], list[str]]:
        """The organisations and names of everyone in the writer's community scope."""
        scope = community_scope(self._config, actor.platform, actor.community)
        async with self._db.session() as session:
            rows = await session.execute(select(Profile).where(Profile.status != "pending"))
            directory = [
                (p.display_name, p.organisation)
                for p in rows.scalars()
                if f"{p.platform}:{p.community}" in scope
            ]
        return [o for _, o in directory], [n for n, _ in directory]

    async def _ask_assistant(self, text: str) -> Sequence[Any]:
        try:
            return await self.assistant.identifying_details(text) or []
        except Exception as problem:
            log.warning("identifying-details assistant failed: %s", type(problem).__name__)
            return []


def _add_new(findings: list[Finding], extra: Sequence[Any]) -> None:
    """Add the assistant's findings (plain strings or objects with text and kind) not found already."""
    seen = {f.text.casefold() for f in findings}
    for item in extra:
        found_text = getattr(item, "text", item)
        kind = getattr(item, "kind", "other")
        if isinstance(found_text, str) and found_text.strip() and found_text.casefold() not in seen:
            findings.append(Finding(kind if kind in KNOWN_FINDING_KINDS else "other", found_text.strip()))
            seen.add(found_text.casefold())
