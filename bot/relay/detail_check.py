"""The check a question gets before it goes: local rules, plus the LLM assistant only when
an admin allowed it to read relay content (`[llm] allow_relay_content`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select

from bot.kernel.config import Config
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.relay.identifying_details import Finding, find_identifying_details
from bot.relay.rules import community_scope

log = logging.getLogger(__name__)

KNOWN_FINDING_KINDS = ("email", "phone", "postcode", "organisation", "person")


class IdentifyingDetailsFinder(Protocol):
    """What the relay needs from an assistant: identifying details it spots in a question."""

    async def identifying_details(self, text: str) -> Sequence[Any]: ...


class DetailCheck:
    """Finds details in a question that could identify the asker or someone else."""

    def __init__(self, config: Config, db: Database, assistant: IdentifyingDetailsFinder | None):
        self._config, self._db = config, db
        # Replaceable (tests put a fake here); asked only when relay content may reach the LLM.
        self.assistant = assistant

    async def find(self, profile: Profile, question: str) -> list[Finding]:
        """Local checks against the community's directory, then the assistant's, deduplicated."""
        findings = find_identifying_details(question, *await self._directory(profile))
        if self._config.llm.allow_relay_content and self.assistant is not None:
            _add_new(findings, await self._ask_assistant(question))
        return findings

    async def _directory(self, profile: Profile) -> tuple[list[str], list[str]]:
        """The organisations and names of everyone in the asker's community scope."""
        scope = community_scope(self._config, profile.platform, profile.community)
        async with self._db.session() as session:
            rows = await session.execute(
                select(Profile.platform, Profile.community, Profile.display_name, Profile.organisation).where(
                    Profile.status != "pending"
                )
            )
            directory = [
                (name, org) for platform, community, name, org in rows if f"{platform}:{community}" in scope
            ]
        return [o for _, o in directory], [n for n, _ in directory]

    async def _ask_assistant(self, question: str) -> Sequence[Any]:
        try:
            return await self.assistant.identifying_details(question) or []
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
