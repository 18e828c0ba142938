"""A fake OpenAI-compatible server on 127.0.0.1 for tests and the console demo.

It serves POST /v1/chat/completions and /v1/embeddings, records every request body exactly as
it arrived (so tests can assert what was and was not sent), and can be told to be slow, to
answer 500, or to return malformed JSON. By default it answers plausibly, by looking at which
prompt it was sent. Run it alone for the console demo:

    python tests/assist/fake_openai.py --port 8765
    # then in peerbot.toml: [llm] enabled = true, base_url = "http://127.0.0.1:8765/v1"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

AREA_WORDS = {
    "social_care": ("social care", "care home", "domiciliary", "carer", "adult social"),
    "health": ("hospital", "nhs", "gp", "health", "discharge", "trust", "clinical"),
    "welfare": ("benefit", "universal credit", "dwp", "welfare", "jobcentre", "debt"),
    "housing": ("housing", "homeless", "tenancy", "landlord", "accommodation"),
    "public_health": ("public health", "prevention", "smoking", "obesity", "vaccination"),
    "childrens_services": ("children", "child", "school", "family", "young people"),
}


def _last_user_text(body: dict) -> str:
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content", "")
    return content if isinstance(content, str) else json.dumps(content)


def llm_settings(base_url: str, **changes) -> dict:
    """An [llm] table for parse_config that points at a fake, with a short timeout."""
    return {"enabled": True, "base_url": base_url, "timeout_seconds": 0.5, **changes}


def plausible_reply(body: dict) -> str:
    """A believable answer for each of peerbot's prompts, recognised by their wording."""
    prompt = _last_user_text(body)
    labels = sorted(set(re.findall(r"\bPerson [A-Z]\b", prompt)))
    if labels:
        who = " and ".join(labels)
        return json.dumps(
            {
                "introduction": f"{who}: you are both working to join up services across organisational "
                "lines, and each of you is a little further along in a different part of it. "
                "Compare notes on what has unblocked things so far.",
                "agenda": [
                    "Two minutes each: your role and where the work is up to",
                    "The one barrier you most want to shift this quarter",
                    "Something that worked that the other could borrow",
                    "Agree a date for your next check-in",
                ],
            }
        )
    if "check-in" in prompt:
        return json.dumps(
            {
                "questions": [
                    "What changed since you last spoke?",
                    "Which partner conversation moved things on, and why?",
                    "What will you try before the next check-in?",
                ]
            }
        )
    if "ANONYMOUSLY" in prompt:
        question = prompt.rsplit('"""', 2)[-2] if prompt.count('"""') >= 2 else prompt
        phrases = re.findall(r"\b(?:[A-Z][a-z]+ )+(?:Ward|Hospital|Team|Street)\b", question)
        return json.dumps({"details": phrases})
    challenge = prompt.rsplit('"""', 2)[-2] if prompt.count('"""') >= 2 else prompt
    lowered = challenge.casefold()
    areas = [key for key, words in AREA_WORDS.items() if any(w in lowered for w in words)] or ["other"]
    summary = " ".join(challenge.split())[:100]
    return json.dumps({"areas": areas, "summary": summary})


def fake_embedding(text: str, dimensions: int = 8) -> list[float]:
    """A stable vector per text, so tests can tell which text each vector belongs to."""
    digest = hashlib.sha256(text.encode()).digest()
    return [b / 255 for b in digest[:dimensions]]


@dataclass
class Recorded:
    """One request as it arrived: path and raw body text."""

    path: str
    body: str
    authorization: str = ""

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class FakeOpenAI:
    """The fake server. Set `mode` to "ok", "slow", "error" (500), "malformed" (content that is
    not JSON) or "broken" (a response body that is not JSON at all)."""

    mode: str = "ok"
    delay: float = 2.0
    reply: Callable[[dict], str] = plausible_reply
    requests: list[Recorded] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def sent_text(self) -> str:
        """Every recorded request body, joined: for "this never left the bot" assertions."""
        return "\n".join(r.body for r in self.requests)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    async def start(self, port: int = 0) -> FakeOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _misbehave(self) -> web.Response | None:
        if self.mode == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.delay)
        if self.mode == "error":
            return web.json_response({"error": {"message": "boom", "type": "server_error"}}, status=500)
        if self.mode == "broken":
            return web.Response(text="{not json", content_type="application/json")
        return None

    async def _record(self, request: web.Request) -> dict:
        raw = await request.text()
        self.requests.append(Recorded(request.path, raw, request.headers.get("Authorization", "")))
        return json.loads(raw)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        problem = await self._misbehave()
        if problem is not None:
            return problem
        content = "Sure! Here you go: {areas: [" if self.mode == "malformed" else self.reply(body)
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    async def _embeddings(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        problem = await self._misbehave()
        if problem is not None:
            return problem
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {
                "object": "embedding",
                "index": i,
                "embedding": "oops" if self.mode == "malformed" else fake_embedding(t),
            }
            for i, t in enumerate(texts)
        ]
        return web.json_response(
            {
                "object": "list",
                "model": body.get("model"),
                "data": data,
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        )


async def _serve(port: int) -> None:
    fake = await FakeOpenAI().start(port)
    print(f"fake OpenAI-compatible server at {fake.base_url} (Ctrl-C to stop)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible server for the console demo.")
    parser.add_argument("--port", type=int, default=8765)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args().port))
