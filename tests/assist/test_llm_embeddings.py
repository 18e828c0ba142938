"""Embeddings through the same client: batched, cached, and a profile save survives a failure."""

import importlib.util

import pytest
import pytest_asyncio
from fake_openai import fake_embedding, llm_settings

from bot.app.bootstrap import build_core
from bot.assist.embeddings import OpenAIVectoriser, vectoriser_from_config
from bot.assist.llm_client import LlmClient
from bot.kernel.config import ConfigError, parse_config
from bot.kernel.similarity import TfidfVectoriser
from harness import JOIN_FORM, Harness


def openai_config(base_url: str, **llm):
    raw = {"llm": llm_settings(base_url, **llm), "matching": {"backend": "openai"}}
    return parse_config(raw, {}, "tests")


async def test_embeddings_are_batched_and_unchanged_texts_are_not_sent_again(fake):
    client = LlmClient(openai_config(fake.base_url).llm, "")
    vectoriser = vectoriser_from_config(openai_config(fake.base_url), client)
    assert isinstance(vectoriser, OpenAIVectoriser)
    texts = [f"challenge number {i}" for i in range(250)] + ["challenge number 7"]
    try:
        vectors, backend = await vectoriser.labelled_vectors(texts)
        assert backend == "openai:text-embedding-3-small"
        assert vectors == [fake_embedding(t) for t in texts]
        assert [len(r.json()["input"]) for r in fake.requests] == [100, 100, 50], "duplicates go once"
        assert all(r.json()["model"] == "text-embedding-3-small" for r in fake.requests)

        again = await vectoriser.vectors(texts)
        assert again == vectors and len(fake.requests) == 3, "the cache answered; nothing was sent"

        await vectoriser.vectors([*texts[:10], "a new challenge"])
        assert len(fake.requests) == 4 and fake.requests[-1].json()["input"] == ["a new challenge"]
    finally:
        await client.close()


@pytest.mark.parametrize("mode", ["error", "malformed", "slow"])
async def test_a_failing_server_gives_tfidf_vectors_labelled_as_such(fake, mode):
    fake.mode = mode
    client = LlmClient(openai_config(fake.base_url).llm, "")
    try:
        vectors, backend = await OpenAIVectoriser(client, "emb").labelled_vectors(["housing and discharge"])
    finally:
        await client.close()
    assert backend == TfidfVectoriser.name
    assert vectors == await TfidfVectoriser().vectors(["housing and discharge"])


@pytest_asyncio.fixture
async def openai_harness(fake, empty_database, tmp_path):
    raw = {"llm": llm_settings(fake.base_url), "matching": {"backend": "openai"}}
    h = Harness.create(empty_database, tmp_path, raw)
    await h.start()
    yield h
    await h.app.assist.close()
    await h.stop()


async def test_profiles_keep_their_save_and_record_which_backend_made_the_vector(openai_harness, fake):
    h = openai_harness
    fake.mode = "error"
    await h.join("alice")
    profile = await h.core.people.find(h.actor("alice"))
    assert profile.status == "active" and profile.vector_backend == "tfidf-hash-v1"
    assert isinstance(profile.vector, dict)

    fake.mode = "ok"
    changed = {**JOIN_FORM, "display_name": "Alice", "challenge": "Housing checks before hospital discharge."}
    await h.submit("alice", "profile.submit", changed)
    profile = await h.core.people.find(h.actor("alice"))
    assert profile.vector_backend == "openai:text-embedding-3-small"
    assert profile.vector == fake_embedding(changed["challenge"])
    embedded = [r.json()["input"] for r in fake.requests if r.path == "/v1/embeddings"]
    assert embedded[-1] == [changed["challenge"]], "only the challenge is embedded, never a name"


def test_backends_that_cannot_work_are_config_errors():
    with pytest.raises(ConfigError, match=r'\[llm\] enabled = true for "openai"'):
        build_core(parse_config({"matching": {"backend": "openai"}}, {}, "t"))
    if importlib.util.find_spec("sentence_transformers") is None:
        with pytest.raises(ConfigError, match=r'pip install "peerbot\[local-embeddings\]"'):
            build_core(parse_config({"matching": {"backend": "local"}}, {}, "t"))
