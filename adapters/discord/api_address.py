"""Pointing one bot's discord.py clients at [discord] api_url, without changing discord.py's
class-wide settings (`Route.BASE`, `DiscordWebSocket.DEFAULT_GATEWAY`).

discord.py builds every REST URL from `Route.BASE` and opens the gateway at
`DEFAULT_GATEWAY`; both are class globals, so setting them would point every client in the
process at one place. Instead this bot's own HTTP client rebases each URL it is given, and
the webhook adapter that answers interactions does the same within the bot's task. With the
default api_url nothing changes.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context


def rebase(url: str, api_url: str) -> str:
    """A URL discord.py built on its default base, on `api_url` instead."""
    if url.startswith(Route.BASE):
        return api_url.rstrip("/") + url[len(Route.BASE) :]
    return url


class ApiHTTPClient(HTTPClient):
    """discord.py's HTTP client for one bot: REST on `api_url`, the gateway it names."""

    api_url: str = Route.BASE
    gateway: yarl.URL | None = None  # from GET /gateway/bot, once logged in

    async def request(self, route: Route, **options: Any) -> Any:
        route.url = rebase(route.url, self.api_url)
        return await super().request(route, **options)

    async def ws_connect(self, url: str, *, compress: int = 0) -> aiohttp.ClientWebSocketResponse:
        """The gateway discord.py would open by default becomes the one the REST API named."""
        asked = yarl.URL(url)
        if self.gateway is not None and asked.host == DiscordWebSocket.DEFAULT_GATEWAY.host:
            url = str(self.gateway.with_query(asked.query))
        return await super().ws_connect(url, compress=compress)


def use_api_address(http: HTTPClient, api_url: str) -> ApiHTTPClient:
    """Give a bot's own HTTP client (shared by its connection state and command tree) the
    rebasing behaviour; other discord.py clients in the process are untouched."""
    http.__class__ = ApiHTTPClient
    http.api_url = api_url
    return http


class ApiWebhookAdapter(AsyncWebhookAdapter):
    """Interaction responses and follow-ups on `api_url`."""

    def __init__(self, api_url: str):
        super().__init__()
        self.api_url = api_url

    async def request(self, route: Route, session: aiohttp.ClientSession, **options: Any) -> Any:
        route.url = rebase(route.url, self.api_url)
        return await super().request(route, session, **options)


def answer_interactions_at(api_url: str) -> None:
    """Within the calling task (and the tasks it starts), answer interactions at `api_url`."""
    async_context.set(ApiWebhookAdapter(api_url))
