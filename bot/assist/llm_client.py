"""The one OpenAI-compatible client, and calls that give up after the configured timeout.

Assistance (bot/assist/service.py) and embeddings (bot/assist/embeddings.py) share it. Every
failure becomes an `LlmFailure` whose kind is safe to log: it never carries a prompt, an answer or a body.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

import openai

from bot.kernel.config import LlmSection

log = logging.getLogger("bot.llm")
T = TypeVar("T")

# A local server usually needs no key, but the client refuses to start without one.
NO_KEY = "no-key-needed"


class LlmFailure(Exception):
    """The LLM could not give a usable answer; `kind` says why, without any content."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(kind)


class LlmClient:
    """Creates the openai client on first use (no I/O at start-up) and bounds every call."""

    def __init__(self, llm: LlmSection, api_key: str):
        self.llm = llm
        self._api_key = api_key or NO_KEY
        self._client: openai.AsyncOpenAI | None = None

    @property
    def client(self) -> openai.AsyncOpenAI:
        if self._client is None:
            self._client = openai.AsyncOpenAI(
                api_key=self._api_key,
                base_url=self.llm.base_url,
                timeout=self.llm.timeout_seconds,
                max_retries=0,
            )
        return self._client

    async def bounded(self, call: Awaitable[T], what: str) -> T:
        """Await an SDK call for at most timeout_seconds; failures are logged by kind only.

        The client has the same timeout, but asyncio.wait_for also covers connection set-up
        and a server that trickles bytes, so nobody waits longer than the setting.
        """
        try:
            return await asyncio.wait_for(call, self.llm.timeout_seconds)
        except (TimeoutError, openai.APITimeoutError):
            kind = "llm timeout"
        except openai.APIStatusError as problem:
            kind = f"llm error status {problem.status_code}"
        except openai.APIConnectionError:
            kind = "llm unreachable"
        except Exception as problem:  # any SDK surprise must fall back, not crash
            kind = f"llm failed ({problem.__class__.__name__})"
        log.warning("%s (%s); using the fallback", kind, what)
        raise LlmFailure(kind)

    async def close(self) -> None:
        """Close the HTTP connections, if any were opened."""
        if self._client is not None:
            await self._client.close()
            self._client = None

    @staticmethod
    def malformed(what: str, reason: str) -> LlmFailure:
        """Log an unusable answer without its content and return the failure to raise."""
        log.warning("llm malformed output (%s: %s); using the fallback", what, reason)
        return LlmFailure("llm malformed output")


def first_choice_text(response: Any) -> str | None:
    """The text of a chat completion's first choice, or None when there is none."""
    choices = getattr(response, "choices", None) or []
    if not choices:
        return None
    message = getattr(choices[0], "message", None)
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None
