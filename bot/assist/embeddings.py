"""Challenge embeddings from an OpenAI-compatible server, through the same client as [llm].

The kernel knows only the `Vectoriser` protocol and the offline backends; this one needs the
LLM client, so it lives with the other LLM features and the composition root picks it with
`vectoriser_from_config`. When the server fails, a profile is still saved, with a tfidf
vector labelled "tfidf-hash-v1", so rounds can tell the kinds apart and re-embed later.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from typing import Any

from bot.assist.llm_client import LlmClient, LlmFailure
from bot.kernel.config import Config, ConfigError
from bot.kernel.similarity import TfidfVectoriser, Vectoriser, offline_vectoriser

log = logging.getLogger("bot.similarity")
EMBEDDING_BATCH = 100
CACHE_SIZE = 20_000


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


def vectoriser_from_config(config: Config, client: LlmClient | None = None) -> Vectoriser:
    """The backend [matching] asks for; "openai" shares the [llm] client and needs it enabled."""
    backend = config.matching.backend
    if backend == "openai":
        if not config.llm.enabled or client is None:
            raise ConfigError("[matching] backend", backend, '"tfidf", or [llm] enabled = true for "openai"')
        return OpenAIVectoriser(client, config.matching.embedding_model)
    return offline_vectoriser(config)
