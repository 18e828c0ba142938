"""What profiles need from an LLM helper: areas suggested from a challenge text.

The assist feature provides it (its Assistant fits this protocol); the composition root
hands it to `bot.profiles.install`, so profiles never import assist.
"""

from __future__ import annotations

from typing import Protocol


class SuggestedAreas(Protocol):
    """Integration areas (vocabulary keys) and a one-line summary of the challenge."""

    @property
    def areas(self) -> tuple[str, ...]: ...

    @property
    def summary(self) -> str: ...


class TagSuggester(Protocol):
    """Suggests areas for a challenge; None when it has no usable suggestion (or is off)."""

    async def suggest_tags(
        self, challenge: str, *, name: str = "", organisation: str = ""
    ) -> SuggestedAreas | None: ...
