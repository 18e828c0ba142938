"""Turning challenge texts into vectors when a profile changes, so rounds need not redo it."""

from __future__ import annotations

from typing import Any, Protocol

from matching.text_vectors import challenge_vector


class Vectoriser(Protocol):
    """A similarity backend: texts in, JSON-storable vectors out, all of one kind."""

    name: str

    async def vectors(self, texts: list[str]) -> list[Any]: ...


class TfidfVectoriser:
    """The offline default: hashed term weights; IDF is applied across a round at match time."""

    name = "tfidf-hash-v1"

    async def vectors(self, texts: list[str]) -> list[dict[str, float]]:
        return [{str(k): v for k, v in challenge_vector(text).items()} for text in texts]


def vector_from_storage(stored: Any) -> dict[int, float] | tuple[float, ...] | None:
    """Back from JSON: sparse vectors have string keys there, dense ones are lists."""
    if stored is None:
        return None
    if isinstance(stored, dict):
        return {int(k): float(v) for k, v in stored.items()}
    return tuple(float(v) for v in stored)
