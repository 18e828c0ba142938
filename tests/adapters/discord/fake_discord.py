"""A local fake Discord: REST plus a gateway websocket, enough for the real discord.py client.

It serves login (/users/@me, /oauth2/applications/@me), /gateway/bot, command sync,
interaction callbacks and follow-ups, create-DM, create-message and member look-ups, and
records every call. The gateway says HELLO, answers IDENTIFY with READY and GUILD_CREATE,
acknowledges heartbeats and pushes INTERACTION_CREATE events the tests build. Text frames
only (discord.py reads text frames as plain JSON). Tests may make users refuse DMs (error
50007) or make the next create-message calls answer 429.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

JSON = "application/json"
MANAGE_GUILD = 1 << 5
EVERYDAY = (1 << 10) | (1 << 11) | (1 << 31)  # view channel, send messages, use application commands
DISCORD_EPOCH = 1420070400000
NOW = "2026-11-30T09:00:00.000000+00:00"


def _json(data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    """Exactly `application/json`: with a charset discord.py reads the body as text."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": JSON, **(headers or {})}
    )


@dataclass
class Recorded:
    """One call the bot made."""

    method: str
    path: str
    body: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)
    repeat: bool = False  # a message send whose enforced nonce Discord had seen: nothing new was posted


@dataclass
class FakeDiscord:
    """The fake server; start() returns the REST base URL to put in [discord] api_url."""

    guild_id: str = "900000000000000001"
    guild_name: str = "Integration practitioners"
    app_id: str = "800000000000000001"
    bot_id: str = "800000000000000002"
    channel_id: str = "900000000000000010"
    optin_channel_id: str = "900000000000000011"
    roles: dict[str, dict] = field(default_factory=dict)
    refuse_dms: set[str] = field(default_factory=set)
    rate_limit_next: int = 0
    latency: float = 0.0  # seconds each DM opened and message sent takes (off by default)
    calls: list[Recorded] = field(default_factory=list)
    nonces: dict[tuple, dict] = field(default_factory=dict)  # (channel, nonce) → the message first posted
    commands: list[dict] = field(default_factory=list)
    base_url: str = ""

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._identified = asyncio.Event()
        self._callbacks: dict[str, asyncio.Event] = {}
        self.dm_channels: dict[str, str] = {}
        self.members: dict[str, dict] = {}
        self.roles.setdefault(self.guild_id, self._role(self.guild_id, "@everyone", EVERYDAY))
        self._runner: web.AppRunner | None = None
        self._queued: list[tuple[str, dict]] = []

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/api/v10"
        self._gateway_url = f"ws://127.0.0.1:{port}/gateway"
        return self.base_url

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def expect_identify(self) -> None:
        """Before a (re)connection: `identified()` then waits for that connection's IDENTIFY."""
        self._identified.clear()

    async def identified(self, timeout: float = 10) -> None:
        await asyncio.wait_for(self._identified.wait(), timeout)

    # --- guild model ---------------------------------------------------------------------

    def new_id(self) -> str:
        """A snowflake of the current time (discord.py reads interaction age from it)."""
        millis = int(time.time() * 1000) - DISCORD_EPOCH
        return str((millis << 22) + next(self._ids) % (1 << 22))

    @staticmethod
    def _role(role_id: str, name: str, permissions: int) -> dict:
        return {
            "id": role_id,
            "name": name,
            "permissions": str(permissions),
            "position": 0 if name == "@everyone" else 1,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def add_role(self, name: str, permissions: int = EVERYDAY) -> str:
        """A new role; the bot hears of it by GUILD_ROLE_CREATE before the next interaction."""
        role_id = self.new_id()
        self.roles[role_id] = self._role(role_id, name, permissions)
        self._queued.append(("GUILD_ROLE_CREATE", {"guild_id": self.guild_id, "role": self.roles[role_id]}))
        return role_id

    def add_member(self, user_id: str, name: str, role_ids: tuple[str, ...] = ()) -> dict:
        member = {
            "user": {
                "id": user_id,
                "username": name,
                "discriminator": "0",
                "global_name": name,
                "avatar": None,
            },
            "roles": list(role_ids),
            "joined_at": NOW,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
            "premium_since": None,
        }
        self.members[user_id] = member
        return member

    def _permissions(self, user_id: str) -> int:
        member = self.members[user_id]
        value = int(self.roles[self.guild_id]["permissions"])
        for role_id in member["roles"]:
            value |= int(self.roles[role_id]["permissions"])
        return value

    def _channel(self, channel_id: str, name: str) -> dict:
        return {
            "id": channel_id,
            "type": 0,
            "name": name,
            "guild_id": self.guild_id,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def _guild(self) -> dict:
        return {
            "id": self.guild_id,
            "name": self.guild_name,
            "owner_id": "1",
            "roles": list(self.roles.values()),
            "channels": [
                self._channel(self.channel_id, "general"),
                self._channel(self.optin_channel_id, "join-the-peer-network"),
            ],
            "members": [],
            "member_count": len(self.members) + 1,
            "features": [],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": NOW,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-GB",
            "system_channel_flags": 0,
        }

    def _bot_user(self) -> dict:
        return {
            "id": self.bot_id,
            "username": "peerbot",
            "discriminator": "0",
            "global_name": "Peer bot",
            "avatar": None,
            "bot": True,
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
        }

    # --- gateway -------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(
            json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        )
        async for frame in socket:
            if frame.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            if payload["op"] == 1:
                await socket.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif payload["op"] == 2:
                await self._dispatch(socket, "READY", self._ready())
                await self._dispatch(socket, "GUILD_CREATE", self._guild())
                self._identified.set()
        self._sockets.remove(socket)
        return socket

    def _ready(self) -> dict:
        return {
            "v": 10,
            "user": self._bot_user(),
            "guilds": [{"id": self.guild_id, "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self._gateway_url,
            "application": {"id": self.app_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }

    async def _dispatch(self, socket: web.WebSocketResponse, event: str, data: dict) -> None:
        await socket.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def send_interaction(self, payload: dict) -> None:
        """Push an INTERACTION_CREATE to the bot; `callback_done(id)` waits for its response."""
        self._callbacks[payload["id"]] = asyncio.Event()
        while self._queued:
            await self._dispatch(self._sockets[-1], *self._queued.pop(0))
        await self._dispatch(self._sockets[-1], "INTERACTION_CREATE", payload)

    async def callback_done(self, interaction_id: str, timeout: float = 10) -> None:
        await asyncio.wait_for(self._callbacks[interaction_id].wait(), timeout)

    # --- interactions the tests build -----------------------------------------------------

    def _interaction(self, user_id: str, kind: int, data: dict, in_dm: bool = False) -> dict:
        interaction_id = self.new_id()
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": self.app_id,
            "type": kind,
            "data": data,
            "token": f"token-{interaction_id}",
            "version": 1,
            "locale": "en-GB",
            "attachment_size_limit": 10 * 1024 * 1024,
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id},
            "app_permissions": str(EVERYDAY),
        }
        member = self.members[user_id]
        if in_dm:
            channel_id = self.dm_channels.get(user_id) or self._open_dm(user_id)
            payload.update(
                context=1,
                user=member["user"],
                channel={"id": channel_id, "type": 1, "recipients": [member["user"]], "flags": 0},
                channel_id=channel_id,
            )
        else:
            payload.update(
                context=0,
                guild_id=self.guild_id,
                guild_locale="en-GB",
                guild={"id": self.guild_id, "locale": "en-GB", "features": []},
                channel={
                    **self._channel(self.channel_id, "general"),
                    "permissions": str(self._permissions(user_id)),
                },
                channel_id=self.channel_id,
                member={**member, "permissions": str(self._permissions(user_id))},
            )
        return payload

    def slash(self, user_id: str, subcommand: str, options: list[dict] | None = None, resolved=None) -> dict:
        """/peer <subcommand> with options, as Discord sends it."""
        command = next(c for c in self.commands if c["name"] == "peer")
        data = {
            "id": command["id"],
            "name": "peer",
            "type": 1,
            "options": [{"name": subcommand, "type": 1, "options": options or []}],
        }
        if resolved:
            data["resolved"] = resolved
        return self._interaction(user_id, 2, data)

    def press(self, user_id: str, custom_id: str, message_id: str, in_dm: bool = False) -> dict:
        """A button press on a message the bot sent."""
        payload = self._interaction(user_id, 3, {"custom_id": custom_id, "component_type": 2}, in_dm=in_dm)
        channel_id = payload["channel_id"]
        payload["message"] = self.message_payload(channel_id, "", message_id=message_id, flags=64)
        return payload

    def modal_submit(
        self, user_id: str, custom_id: str, values: dict[str, str | list[str]], in_dm: bool = False
    ) -> dict:
        """A submitted modal: text inputs carry `value`, select menus `values`, each in a Label."""
        components = []
        for name, value in values.items():
            if isinstance(value, list):
                inner = {"type": 3, "custom_id": name, "values": value, "component_type": 3}
            else:
                inner = {"type": 4, "custom_id": name, "value": value}
            components.append({"type": 18, "id": len(components) + 1, "component": inner})
        return self._interaction(user_id, 5, {"custom_id": custom_id, "components": components}, in_dm)

    # --- REST ----------------------------------------------------------------------------

    def message_payload(
        self, channel_id: str, content: str, message_id: str = "", flags: int = 0, **extra
    ) -> dict:
        return {
            "id": message_id or self.new_id(),
            "channel_id": channel_id,
            "type": 0,
            "content": content,
            "author": self._bot_user(),
            "timestamp": NOW,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "flags": flags,
            "components": extra.get("components", []),
        }

    async def _body(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        if request.content_type.startswith("multipart/"):
            body, files = None, []
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()
                if part.name == "payload_json":
                    body = json.loads(data)
                else:
                    files.append((part.filename or "", bytes(data)))
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    def _open_dm(self, user_id: str) -> str:
        channel_id = self.dm_channels.setdefault(user_id, self.new_id())
        return channel_id

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._body(request)
        if self.latency and request.method == "POST" and path.endswith(("/messages", "/users/@me/channels")):
            await asyncio.sleep(self.latency)
        self.calls.append(Recorded(request.method, path, body, files))
        parts = path.strip("/").split("/")
        method = request.method
        if path == "/users/@me":
            return _json(self._bot_user())
        if path == "/oauth2/applications/@me":
            return _json(
                {
                    "id": self.app_id,
                    "name": "peerbot",
                    "description": "",
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "verify_key": "0" * 64,
                    "icon": None,
                    "flags": 0,
                    "owner": self._bot_user(),
                    "team": None,
                    "summary": "",
                }
            )
        if path == "/gateway/bot":
            return _json(
                {
                    "url": self._gateway_url,
                    "shards": 1,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if parts[:1] == ["applications"] and parts[-1] == "commands" and method == "PUT":
            self.commands = [
                {**c, "id": self.new_id(), "application_id": self.app_id, "version": "1"} for c in body
            ]
            return _json(self.commands)
        if parts[:1] == ["interactions"] and parts[-1] == "callback":
            self._callbacks.setdefault(parts[1], asyncio.Event()).set()
            return _json({"interaction": {"id": parts[1], "type": body["type"]}})
        if parts[:1] == ["webhooks"] and method == "POST":
            data = body or {}
            return _json(
                self.message_payload(self.channel_id, data.get("content", ""), flags=data.get("flags", 0))
            )
        if path == "/users/@me/channels" and method == "POST":
            user_id = str(body["recipient_id"])
            user = self.members[user_id]["user"]
            return _json(
                {
                    "id": self._open_dm(user_id),
                    "type": 1,
                    "recipients": [user],
                    "last_message_id": None,
                    "flags": 0,
                }
            )
        if parts[:1] == ["channels"] and parts[-1] == "messages" and method == "POST":
            return self._create_message(parts[1], body or {})
        if parts[:1] == ["guilds"] and parts[2:3] == ["members"] and method == "GET":
            member = self.members.get(parts[3])
            if member is None:
                return _json({"code": 10007, "message": "Unknown Member"}, status=404)
            return _json(member)
        return _json({"code": 0, "message": f"fake Discord has no {method} {path}"}, status=404)

    def _create_message(self, channel_id: str, body: dict) -> web.Response:
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return _json(
                {"message": "You are being rate limited.", "retry_after": 0.05, "global": False},
                status=429,
                headers={"Retry-After": "1", "Via": "1.1 google", "X-RateLimit-Scope": "user"},
            )
        user_id = next((u for u, c in self.dm_channels.items() if c == channel_id), None)
        if user_id is not None and user_id in self.refuse_dms:
            return _json({"code": 50007, "message": "Cannot send messages to this user"}, status=403)
        nonce = (channel_id, body.get("nonce")) if body.get("enforce_nonce") else None
        if nonce in self.nonces:  # Discord returns the first message instead of posting again
            self.calls[-1].repeat = True
            return _json(self.nonces[nonce])
        payload = self.message_payload(
            channel_id, body.get("content", ""), components=body.get("components", [])
        )
        if nonce is not None:
            self.nonces[nonce] = payload
        return _json(payload)

    # --- what the bot did -----------------------------------------------------------------

    def callbacks_for(self, interaction_id: str) -> list[dict]:
        return [
            c.body
            for c in self.calls
            if c.path == f"/interactions/{interaction_id}/token-{interaction_id}/callback"
        ]

    def followups_for(self, interaction_id: str) -> list[dict]:
        return [
            c.body
            for c in self.calls
            if c.method == "POST" and c.path.startswith(f"/webhooks/{self.app_id}/token-{interaction_id}")
        ]

    def channel_messages(self, channel_id: str) -> list[Recorded]:
        """Messages posted in a channel (a repeated send with a seen nonce posts nothing)."""
        return [
            c
            for c in self.calls
            if c.method == "POST" and c.path == f"/channels/{channel_id}/messages" and not c.repeat
        ]

    def dms_to(self, user_id: str) -> list[Recorded]:
        channel_id = self.dm_channels.get(user_id)
        return self.channel_messages(channel_id) if channel_id else []
