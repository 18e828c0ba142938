"""Slack's HTTP mode: one aiohttp endpoint, /slack/events, that checks every signature first.

The check runs before slack-bolt sees the request, because bolt logs the whole body of
a request it rejects; here a rejected request gets 401 and its body is never logged,
parsed or handed on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp

from bot.kernel.errors import PlatformError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_AGE_SECONDS = 300


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: v0= and HMAC-SHA256 over "v0:{timestamp}:{body}"."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signature_problem(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> str | None:
    """Why a request is not from Slack ("unsigned", "stale", "bad signature"), or None."""
    if not secret or not timestamp or not signature:
        return "unsigned"
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        return "unsigned"
    if age > MAX_AGE_SECONDS:
        return "stale"
    if not hmac.compare_digest(slack_signature(secret, timestamp, body), signature):
        return "bad signature"
    return None


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
