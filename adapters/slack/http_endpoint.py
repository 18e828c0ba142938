"""Slack's HTTP mode: one aiohttp endpoint, /slack/events, that checks every signature first.

The check (slack_sdk's SignatureVerifier) runs once, before slack-bolt sees the request,
because bolt logs the whole body of a request it rejects; bolt's own check is turned off
(see adapters/slack/adapter.py). A rejected request gets 401 and its body is never logged,
parsed or handed on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.signature import Clock, SignatureVerifier

from bot.kernel.errors import PlatformError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_AGE_SECONDS = 300  # slack_sdk's SignatureVerifier refuses requests older than this too


class _CallableClock(Clock):
    """slack_sdk's clock reading a time function (tests pass a fixed one)."""

    def __init__(self, now: Callable[[], float]):
        self._now = now

    def now(self) -> float:
        return self._now()


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: v0= and HMAC-SHA256 over "v0:{timestamp}:{body}"."""
    return SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)


def signature_problem(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> str | None:
    """Why a request is not from Slack ("unsigned", "stale", "bad signature"), or None.

    slack_sdk's SignatureVerifier decides; the reason is only for the log.
    """
    if not secret or not timestamp or not signature:
        return "unsigned"
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        return "unsigned"
    verifier = SignatureVerifier(secret, clock=_CallableClock(lambda: now))
    try:
        if verifier.is_valid(body, timestamp, signature):
            return None
    except UnicodeDecodeError:  # the verifier reads the body as UTF-8; Slack's always is
        return "bad signature"
    return "stale" if age > MAX_AGE_SECONDS else "bad signature"


def events_app(app: AsyncApp, signing_secret: str, now: Callable[[], float] = time.time) -> web.Application:
    """The aiohttp application serving Slack's events, commands and interactions."""

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.read()
        problem = signature_problem(
            signing_secret,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            body,
            now(),
        )
        if problem is not None:
            log.warning("rejected a request to %s: %s", EVENTS_PATH, problem)
            return web.Response(status=401, text="unauthorised")
        bolt_response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    web_app = web.Application()
    web_app.router.add_post(EVENTS_PATH, slack_events)
    return web_app


async def start_http(app: AsyncApp, signing_secret: str, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Listen on host:port (0 picks a free port); returns the runner and the bound port."""
    runner = web.AppRunner(events_app(app, signing_secret), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as problem:  # not "could not reach Slack": the port here is ours
        await runner.cleanup()
        raise PlatformError(
            f"could not listen for Slack events on {host}:{port}: {problem.strerror or problem}. "
            "Stop the program using it, or change [slack] http_host or http_port."
        ) from None
    bound = site._server.sockets[0].getsockname()[1]
    return runner, bound
