"""Turning challenge texts into vectors when a profile changes, so rounds need not redo it.

Backends ([matching] backend): "tfidf" (offline default), "openai" (embeddings through the
[llm] client, batched, with an in-memory cache) and "local" (sentence-transformers, optional).
Each vector is stored with the name of the backend that made it (profiles.vector_backend):
when the openai backend fails, a profile is still saved, with a tfidf vector and
vector_backend "tfidf-hash-v1", so rounds can tell the kinds apart and re-embed later.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol

from bot.assist.llm_client import LlmClient, LlmFailure
from matching.text_vectors import challenge_vector

if TYPE_CHECKING:
    from bot.kernel.config import Config

log = logging.getLogger("bot.similarity")
EMBEDDING_BATCH = 100
CACHE_SIZE = 20_000


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


class EmbeddingUnavailable(Exception):
    """The embedding server gave no usable answer (the reason is logged, without content)."""


class OpenAIVectoriser:
    """Embeddings from an OpenAI-compatible server, through the same client as [llm].

    Texts go in batches of at most 100. A cache keyed by the SHA-256 of model and text (in
    memory, per process, the newest 20,000) means an unchanged challenge is never sent twice
    while the bot runs; after a restart each is sent once more.
    """

    def __init__(self, client: LlmClient, model: str, fallback: Vectoriser | None = None):
        self._client = client
        self._model = model
        self._fallback = fallback or TfidfVectoriser()
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self.name = f"openai:{model}"[:40]

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._model}\0{text}".encode()).hexdigest()

    async def vectors(self, texts: list[str]) -> list[list[float]]:
        """Embeddings for all texts, or EmbeddingUnavailable (no fallback mixed in)."""
        keys = [self._key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}
        pending = list(missing.items())
        for start in range(0, len(pending), EMBEDDING_BATCH):
            batch = pending[start : start + EMBEDDING_BATCH]
            for (key, _), vector in zip(batch, await self._embed([t for _, t in batch]), strict=True):
                self._remember(key, vector)
        return [self._cache[k] for k in keys]

    async def labelled_vectors(self, texts: list[str]) -> tuple[list[Any], str]:
        """Embeddings, or tfidf vectors when the server fails, so a profile save is never lost."""
        try:
            return await self.vectors(texts), self.name
        except EmbeddingUnavailable:
            return await self._fallback.vectors(texts), self._fallback.name

    async def _embed(self, batch: list[str]) -> list[list[float]]:
        try:
            response = await self._client.bounded(
                self._client.client.embeddings.create(
                    model=self._model, input=batch, encoding_format="float"
                ),
                "embeddings",
            )
        except LlmFailure as failure:
            raise EmbeddingUnavailable(failure.kind) from None
        data = sorted(getattr(response, "data", None) or [], key=lambda d: d.index)
        vectors = [list(map(float, d.embedding)) for d in data if isinstance(d.embedding, list)]
        if len(vectors) != len(batch) or any(not v or len(v) != len(vectors[0]) for v in vectors):
            log.warning("llm malformed output (embeddings: wrong count or shape); using the fallback")
            raise EmbeddingUnavailable("malformed embeddings")
        return vectors

    def _remember(self, key: str, vector: list[float]) -> None:
        self._cache[key] = vector
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)


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


def vectoriser_from_config(config: Config, client: LlmClient | None = None) -> Vectoriser:
    """The backend [matching] asks for; "openai" shares the [llm] client and needs it enabled."""
    from bot.kernel.config import ConfigError

    backend = config.matching.backend
    if backend == "openai":
        if not config.llm.enabled or client is None:
            raise ConfigError("[matching] backend", backend, '"tfidf", or [llm] enabled = true for "openai"')
        return OpenAIVectoriser(client, config.matching.embedding_model)
    if backend == "local":
        try:
            return LocalVectoriser(config.matching.local_model)
        except ModuleNotFoundError:
            raise ConfigError(
                "[matching] backend",
                backend,
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
