"""A fake Slack for tests: the Web API, response_urls and a Socket Mode websocket, on 127.0.0.1.

It records every call the real slack_sdk client makes, can answer a method with 429 or an
error, can misbehave like a busy Slack (`Chaos`: latency, a share of 429s and 500s; off by
default), and sends Socket Mode envelopes, waiting for the bot's acknowledgement. Drivers
play people: they send commands, press buttons and submit modals, signed exactly as Slack
signs them (HTTP mode) or as envelopes (Socket Mode), and find buttons and modals in
what the bot sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from adapters.slack.http_endpoint import EVENTS_PATH, slack_signature
from bot.kernel.config import parse_config, with_section

TEAM = "T0001"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test"
APP_TOKEN = "xapp-test"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    token: str = ""  # which bot made the call, when several bots share the fake


@dataclass
class Chaos:
    """How badly the fake behaves, per test: every Web API call waits a random time in `latency`
    (seconds), then a share `rate_limited` answers 429 with Retry-After and a share
    `server_errors` answers 500. Methods in `spare` (start-up calls) always behave.
    Off by default, so tests that do not ask for trouble see a well-behaved Slack."""

    latency: tuple[float, float] = (0.0, 0.0)
    rate_limited: float = 0.0
    retry_after: int = 1
    server_errors: float = 0.0
    # A share of chat.postMessage calls that post the message and then answer 500, as a real
    # server can fail after doing the work: the bot cannot know whether it arrived.
    posted_then_failed: float = 0.0
    spare: frozenset[str] = frozenset({"auth.test", "apps.connections.open"})
    seed: int | None = None

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    async def trouble(self, method: str) -> tuple[int, dict, dict] | None:
        """Wait the latency; then a failure to answer with, or None to answer normally."""
        if method in self.spare:
            return None
        low, high = self.latency
        if high > 0:
            await asyncio.sleep(self._random.uniform(low, high))
        draw = self._random.random()
        if draw < self.rate_limited:
            return 429, {"Retry-After": str(self.retry_after)}, {"ok": False, "error": "ratelimited"}
        if draw < self.rate_limited + self.server_errors:
            return 500, {}, {"ok": False, "error": "internal_error"}
        return None

    def fails_after_posting(self) -> bool:
        return self.posted_then_failed > 0 and self._random.random() < self.posted_then_failed


@dataclass
class FakeSlack:
    """The Web API at /api/<method>, response_urls at /response/<n>, Socket Mode at /ws."""

    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict] = field(default_factory=dict)
    conversations: dict[str, dict] = field(default_factory=dict)
    history: dict[str, list[dict]] = field(default_factory=dict)  # what was posted, per conversation
    failures: dict[str, list[tuple[int, dict, dict]]] = field(default_factory=dict)
    chaos: Chaos = field(default_factory=Chaos)
    port: int = 0
    _runner: web.AppRunner | None = None
    _socket: web.WebSocketResponse | None = None
    _acks: dict[str, asyncio.Future] = field(default_factory=dict)
    _connected: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/response/{next(self._ids)}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{n}", self._response_url)
        app.router.add_get("/ws", self._websocket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls ---------------------------------------------------------------

    def fail(self, method: str, status: int = 429, headers: dict | None = None, body: dict | None = None):
        """Answer the next call of `method` with this status (429 comes with Retry-After)."""
        if status == 429 and headers is None:
            headers = {"Retry-After": "0"}
        self.failures.setdefault(method, []).append(
            (status, headers or {}, body or {"ok": False, "error": "ratelimited"})
        )

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    # --- the Web API ---------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "GET":
            pass
        elif request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update(dict(await request.post()))
        for key in ("view", "blocks", "metadata"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        queued = self.failures.get(method)
        failure = queued.pop(0) if queued else await self.chaos.trouble(method)
        if failure is not None:
            status, headers, body = failure
            self.calls.append(Call(method, params, time.monotonic(), status, token))
            return web.json_response(body, status=status, headers=headers)
        answer = self._answer(method, params)
        self.calls.append(Call(method, params, time.monotonic(), token=token))
        if method == "chat.postMessage" and self.chaos.fails_after_posting():
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        return web.json_response(answer)

    def _answer(self, method: str, params: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT", "user": "peerbot"}
        if method == "users.info":
            user = params.get("user", "")
            return {"ok": True, "user": {"id": user, "team_id": TEAM, **self.users.get(user, {})}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": self._open(str(params.get("users", "")).split(","))}}
        if method == "conversations.history":
            oldest = float(params.get("oldest") or 0)
            posted = [m for m in self.history.get(params.get("channel", ""), []) if float(m["ts"]) >= oldest]
            if str(params.get("include_all_metadata")).lower() not in ("true", "1"):
                posted = [{k: v for k, v in m.items() if k != "metadata"} for m in posted]
            return {"ok": True, "messages": list(reversed(posted)), "has_more": False}
        if method == "conversations.info":
            channel = self.conversations.get(params.get("channel", ""))
            if channel is None:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": channel}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/ws"}
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            view = params.setdefault("view", {})
            view.setdefault("id", params.get("view_id") or f"V{next(self._ids)}")
            return {"ok": True, "view": view}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            return self._post(params)
        return {"ok": True}

    def _open(self, users: list[str]) -> str:
        """The DM (one user) or group DM (several) with these users, made on first use."""
        users = sorted(users)
        if len(users) == 1:
            channel = f"D{users[0]}"
            self.conversations.setdefault(channel, {"id": channel, "is_im": True, "user": users[0]})
        else:
            channel = "G" + "-".join(users)
            self.conversations.setdefault(channel, {"id": channel, "is_mpim": True, "is_im": False})
        return channel

    def _post(self, params: dict) -> dict:
        """Post a message; a user id as the channel means the app's DM with that user, as in Slack."""
        if str(params.get("channel", "")).startswith("U"):
            params["channel_as_sent"] = params["channel"]
            params["channel"] = self._open([params["channel"]])
        ts = f"{time.time():.6f}"
        entry = {"ts": ts, "text": params.get("text", "")}
        if isinstance(params.get("metadata"), dict):
            entry["metadata"] = params["metadata"]
        self.history.setdefault(params["channel"], []).append(entry)
        return {"ok": True, "channel": params["channel"], "ts": ts}

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await request.json()
        queued = self.failures.get("response_url")
        if queued:
            status, headers, body = queued.pop(0)
            self.calls.append(Call("response_url", params, time.monotonic(), status))
            return web.json_response(body, status=status, headers=headers)
        params["url_id"] = request.match_info["n"]
        self.calls.append(Call("response_url", params, time.monotonic()))
        return web.Response(text="ok")

    # --- Socket Mode ---------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        self._connected.set()
        async for frame in socket:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            reply = json.loads(frame.data)
            waiter = self._acks.pop(reply.get("envelope_id", ""), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(reply.get("payload") or {})
        return socket

    async def send_envelope(self, kind: str, payload: dict, retry_attempt: int = 0) -> dict:
        """Send one Socket Mode envelope and wait (at most 3 s, as Slack does) for its ack."""
        await asyncio.wait_for(self._connected.wait(), 5)
        envelope_id = str(uuid.uuid4())
        waiter = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = waiter
        await self._socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return await asyncio.wait_for(waiter, 3)


# --- people and their requests ------------------------------------------------------------


def command_body(fake: FakeSlack, user: str, text: str, channel: str = "", **extra: Any) -> dict[str, str]:
    """A /peer slash command as Slack sends it (form fields)."""
    channel = channel or f"D{user}"
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "example",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/peer",
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": fake.response_url(),
        "trigger_id": f"trig-{uuid.uuid4()}",
        **extra,
    }


def _user(user: str) -> dict:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}


def action_payload(fake: FakeSlack, user: str, button: dict, source: dict) -> dict:
    """A block_actions payload for pressing `button` on a message or view."""
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "example"},
        "user": _user(user),
        "api_app_id": "A1",
        "trigger_id": f"trig-{uuid.uuid4()}",
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b1",
                "value": button["value"],
                "text": button["text"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if "view" in source:
        payload["view"] = source["view"]
        payload["container"] = {"type": "view", "view_id": source["view"]["id"]}
    else:
        channel = f"D{user}"
        payload["container"] = {"type": "message", "channel_id": channel, "is_ephemeral": True}
        payload["channel"] = {"id": channel, "name": "directmessage"}
        payload["response_url"] = fake.response_url()
    return payload


def _state(block: dict, value: Any) -> dict:
    element = block["element"]
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    options = {o["value"]: o for o in element.get("options", ())}
    if kind == "multi_static_select":
        state["selected_options"] = [options[v] for v in value]
    elif kind in ("static_select", "radio_buttons"):
        state["selected_option"] = options.get(value)
    elif kind == "datepicker":
        state["selected_date"] = value or None
    else:
        state["value"] = value or None
    return {element["action_id"]: state}


def submission_payload(user: str, view: dict, values: dict[str, Any]) -> dict:
    """A view_submission payload: the modal as opened, with the person's input in state."""
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    state = {b["block_id"]: _state(b, values.get(b["block_id"], _initial(b))) for b in inputs}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "example"},
        "user": _user(user),
        "api_app_id": "A1",
        "trigger_id": f"trig-{uuid.uuid4()}",
        "view": {**view, "hash": str(uuid.uuid4()), "state": {"values": state}},
    }


def _initial(block: dict) -> Any:
    element = block["element"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    return element.get("initial_value") or element.get("initial_date") or ""


def home_opened_event(user: str) -> dict:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10]}",
        "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"},
    }


def signed_headers(body: bytes, secret: str = SIGNING_SECRET, age: int = 0, **extra: str) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(secret, timestamp, body),
        **extra,
    }


@dataclass
class HttpDriver:
    """Sends people's requests to the bot's real HTTP endpoint, signed as Slack signs them."""

    fake: FakeSlack
    port: int
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{EVENTS_PATH}"

    async def post(self, body: bytes, content_type: str, headers: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(
            self.url, data=body, headers={"Content-Type": content_type, **headers}
        ) as response:
            return response.status, await response.text()

    async def _send(self, body: bytes, content_type: str, retry: int = 0) -> dict:
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "timeout"} if retry else {}
        status, text = await self.post(body, content_type, signed_headers(body, **extra))
        assert status == 200, (status, text)
        return json.loads(text) if text.startswith("{") else {}

    async def command(self, body: dict[str, str], retry: int = 0) -> dict:
        return await self._send(urlencode(body).encode(), "application/x-www-form-urlencoded", retry)

    async def interaction(self, payload: dict) -> dict:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self._send(body, "application/x-www-form-urlencoded")

    async def event(self, payload: dict, retry: int = 0) -> dict:
        return await self._send(json.dumps(payload).encode(), "application/json", retry)


@dataclass
class SocketDriver:
    """Sends people's requests as Socket Mode envelopes through the fake's websocket."""

    fake: FakeSlack

    async def command(self, body: dict[str, str], retry: int = 0) -> dict:
        return await self.fake.send_envelope("slash_commands", body, retry)

    async def interaction(self, payload: dict) -> dict:
        return await self.fake.send_envelope("interactive", payload)

    async def event(self, payload: dict, retry: int = 0) -> dict:
        return await self.fake.send_envelope("events_api", payload, retry)


def slack_config(database_url: str, tmp_path, mode: str, api_url: str, env: dict | None = None, **sections):
    raw = {
        "bot": {"data_dir": str(tmp_path)},
        "slack": {"mode": mode, "api_url": api_url},
        **sections,
    }
    environ = {
        "PEERBOT_DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        **(env or {}),
    }
    return with_section(parse_config(raw, environ, "tests"), "slack", http_port=0)  # 0: a free port
