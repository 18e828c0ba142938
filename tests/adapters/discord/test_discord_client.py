"""The bot reaches [discord] api_url through its own clients: discord.py's class-wide settings
(`Route.BASE`, the default gateway) stay as discord.py ships them."""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.api_address import rebase

SHIPPED_BASE = "https://discord.com/api/v10"
SHIPPED_GATEWAY = yarl.URL("wss://gateway.discord.gg/")


async def test_a_bot_on_a_fake_discord_leaves_discord_py_globals_alone(discord_journey):
    j = discord_journey
    user = j.member("ann")
    await j.slash(user, "help")
    assert j.last(user).kind == "message" and "/peer" in j.last(user).content
    assert Route.BASE == SHIPPED_BASE
    assert DiscordWebSocket.DEFAULT_GATEWAY == SHIPPED_GATEWAY


def test_urls_on_discords_base_move_to_the_configured_one_and_others_stay():
    assert (
        rebase(SHIPPED_BASE + "/users/@me", "http://127.0.0.1:9/api/") == "http://127.0.0.1:9/api/users/@me"
    )
    assert rebase(SHIPPED_BASE + "/users/@me", SHIPPED_BASE) == SHIPPED_BASE + "/users/@me"
    assert rebase("https://cdn.example/x.png", "http://127.0.0.1:9") == "https://cdn.example/x.png"
