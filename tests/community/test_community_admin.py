"""Who is an admin of a Discord server is decided in the core, from the facts the adapter
passes (role ids, the Manage Server flag) and the server's own setup (its admin role)."""

from __future__ import annotations

from memory_platform import MemoryPlatform

from bot.community.rules import CommunitySettings
from bot.kernel.invocation import Actor, Invocation, Place
from bot.kernel.messages import RoleMention

SERVER = "900000000000000001"
ADMINS = "700000000000000007"
REFUSED = "Only this community's admins"


async def _show_setup(h, discord: MemoryPlatform, actor: Actor) -> str:
    invocation = Invocation(actor, "setup.show", dedup_id=f"discord:{actor.user_id}", place=Place("form"))
    await h.core.handle(invocation)
    return discord.last(actor.user_id).text


async def test_the_admin_role_and_manage_server_grant_admin_and_nothing_else_does(harness):
    h = harness
    discord = MemoryPlatform(name="discord")
    h.core.outbox.register(discord)
    await h.app.community.save(CommunitySettings(SERVER, admin_role_id=ADMINS))
    everyone = frozenset({SERVER})

    role_admin = Actor("discord", SERVER, "1", "Ann", roles=everyone | {ADMINS})
    shown = await _show_setup(h, discord, role_admin)
    assert REFUSED not in shown and f"Admin role: {RoleMention(ADMINS)}" in shown
    manager = Actor("discord", SERVER, "2", "Ben", is_platform_admin=True, roles=everyone)
    assert REFUSED not in await _show_setup(h, discord, manager)
    member = Actor("discord", SERVER, "3", "Cat", roles=everyone)
    assert REFUSED in await _show_setup(h, discord, member)
    elsewhere = Actor("discord", "900000000000000002", "4", "Dev", roles=frozenset({ADMINS}))
    assert REFUSED in await _show_setup(h, discord, elsewhere)
