"""Turning challenge texts into vectors when a profile changes, so rounds need not redo it.

Backends ([matching] backend): "tfidf" (offline default) and "local" (sentence-transformers,
optional) live here; "openai" (embeddings through the [llm] client) lives with the other LLM
features in bot/assist/embeddings.py, and the composition root chooses. Each vector is stored
with the name of the backend that made it (profiles.vector_backend), so rounds can tell the
kinds apart.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any, Protocol

from bot.kernel.config import Config, ConfigError
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


async def vectors_and_backend(vectoriser: Vectoriser, texts: list[str]) -> tuple[list[Any], str]:
    """Vectors and the name of the backend that really made them (a fallback may have)."""
    labelled = getattr(vectoriser, "labelled_vectors", None)
    if labelled is not None:
        return await labelled(texts)
    return await vectoriser.vectors(texts), vectoriser.name


LOCAL_INSTALL_HINT = 'pip install "peerbot[local-embeddings]"'


class LocalVectoriser:
    """Sentence embeddings on this machine (sentence-transformers, imported only when chosen)."""

    def __init__(self, model: str):
        if importlib.util.find_spec("sentence_transformers") is None:
            raise ModuleNotFoundError(
                f'[matching] backend = "local" needs sentence-transformers: {LOCAL_INSTALL_HINT}'
            )
        self._model_name = model
        self._model: Any = None
        self.name = f"local:{model}"[:40]

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self._model_name)
        return [list(map(float, row)) for row in self._model.encode(texts, normalize_embeddings=True)]

    async def vectors(self, texts: list[str]) -> list[list[float]]:
        """Encode in a worker thread: the model is slow and must not block the event loop."""
        return await asyncio.to_thread(self._encode, texts)


def offline_vectoriser(config: Config) -> Vectoriser:
    """The backend [matching] asks for when it needs no server: local embeddings, else tfidf.

    Backends that need a server ("openai") are chosen by the composition root, which holds
    the client; here they fall back to tfidf.
    """
    if config.matching.backend == "local":
        try:
            return LocalVectoriser(config.matching.local_model)
        except ModuleNotFoundError:
            raise ConfigError(
                "[matching] backend",
                "local",
                f'"tfidf", or install sentence-transformers: {LOCAL_INSTALL_HINT}',
            ) from None
    return TfidfVectoriser()


def vector_from_storage(stored: Any) -> dict[int, float] | tuple[float, ...] | None:
    """Back from JSON: sparse vectors have string keys there, dense ones are lists."""
    if stored is None:
        return None
    if isinstance(stored, dict):
        return {int(k): float(v) for k, v in stored.items()}
    return tuple(float(v) for v in stored)
