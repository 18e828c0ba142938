"""How each feature contributes to a subject access request and to erasure on /peer leave.

Features register a part; the profile service runs every part in one transaction, so a
person's data is exported whole and erased whole, never half.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.storage.models import Profile


class PersonalDataPart(Protocol):
    """One feature's share of a person's data."""

    name: str

    async def export(self, session: AsyncSession, profile: Profile) -> Any:
        """Everything this feature stores about the person, as JSON-ready values."""

    async def erase(self, session: AsyncSession, profile: Profile) -> None:
        """Delete everything this feature stores about the person."""
