"""Slack's HTTP mode: one aiohttp endpoint, /slack/events, that checks every signature first.

The check (slack_sdk's SignatureVerifier) runs once, before slack-bolt sees the request,
because bolt logs the whole body of a request it rejects; bolt's own check is turned off
(see adapters/slack/adapter.py). A rejected request gets 401 and its body is never logged,
parsed or handed on.

A signed request is then parsed here, strictly, before bolt sees it: bolt would answer a body
that is not UTF-8, not JSON or not an object with a 500 and a traceback (the exception's repr
quoting the body). Such a request gets 400 and one log line naming only what was wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import Clock, SignatureVerifier

from bot.kernel.errors import PlatformError
from bot.kernel.logging_setup import guard_library_loggers

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
    except UnicodeDecodeError:
        # The verifier reads the body as UTF-8 before hashing; Slack signs the bytes. A body
        # that is not UTF-8 (the timestamp already passed the verifier) is checked over its
        # bytes, so a signed one is answered 400 as malformed, not 401 as forged.
        if hmac.compare_digest(_bytes_signature(secret, timestamp, body), signature):
            return None
    return "stale" if age > MAX_AGE_SECONDS else "bad signature"


def _bytes_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class MalformedRequest(ValueError):
    """A signed request that is not what Slack sends; the message names the fault, never content."""


def _json_object(text: str, what: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        raise MalformedRequest(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedRequest(f"{what} is not a JSON object")
    return value


def _form_fields(text: str) -> dict[str, str]:
    try:
        return dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise MalformedRequest("a form field is not UTF-8") from None


def bolt_body(body: bytes, content_type: str, charset: str | None) -> str:
    """The body to hand slack-bolt, once it is known to parse the way bolt parses it.

    Bolt reads JSON when the type is application/json or the body starts with "{", else a form
    whose `payload` field, if any, is JSON; it finds that field by looking for the word anywhere
    in the body, so a command typed with "payload" in it would reach no listener: such a form is
    handed on with the word's first letter percent-encoded (the fields it parses to are the same).
    Raises MalformedRequest.
    """
    if charset is not None and charset.lower().replace("-", "") != "utf8":
        raise MalformedRequest("the declared charset is not UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest("the body is not UTF-8") from None
    if not text:
        return text
    if content_type == "application/json" or text.startswith("{"):
        _json_object(text, "the body")
        return text
    fields = _form_fields(text)
    if "payload" in fields:
        _json_object(fields["payload"], "the payload field")
        return text
    if "payload" in text:
        return urlencode(fields).replace("payload", "%70ayload")
    return text


def _bolt_request(request: web.Request, body: bytes) -> AsyncBoltRequest:
    """Bolt's request for a checked body (as slack_bolt.adapter.aiohttp builds it). Raises
    MalformedRequest also when bolt cannot read who and where from a JSON object's fields."""
    content_type = request.headers.get("Content-Type", "").split(";")[0]  # as bolt reads it
    text = bolt_body(body, content_type, request.charset)
    try:
        return AsyncBoltRequest(body=text, query=request.query_string, headers=request.headers)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError):
        raise MalformedRequest("bolt could not read the request's fields") from None


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
        try:
            bolt_request = _bolt_request(request, body)
        except MalformedRequest as fault:
            log.warning("refused a malformed request to %s: %s", EVENTS_PATH, fault)
            return web.Response(status=400, text="malformed request")
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    web_app = web.Application()
    web_app.router.add_post(EVENTS_PATH, slack_events)
    return web_app


async def start_http(app: AsyncApp, signing_secret: str, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Listen on host:port (0 picks a free port); returns the runner and the bound port."""
    guard_library_loggers()  # aiohttp.server quotes a malformed request's header line at ERROR
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
