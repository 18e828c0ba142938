"""[privacy] blocked_channels on Discord: a DM channel's id is known only once discord.py has
opened it, and from then on nothing of any kind is sent into a blocked one. A group message
(one DM each) with a blocked member's DM reaches nobody, and the refusal is counted."""

from __future__ import annotations

from discord_journey import running_discord
from sqlalchemy import select

from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DirectMessage, GroupMessage, Outbound
from bot.kernel.storage.models import Refusal

BLOCKED_DM = "4242424242424242"  # the DM channel the fake gives the blocked member
RAW = {"privacy": {"blocked_channels": [BLOCKED_DM]}}


async def refusals(j) -> list[tuple[str, str]]:
    async with j.core.db.session() as session:
        return [(r.kind, r.reason) for r in (await session.execute(select(Refusal))).scalars()]


async def send(j, destination, kind: str) -> str:
    out = Outbound(destination, Message(f"An ordinary {kind}"), Sensitivity.PERSONAL, kind)
    return (await j.core.outbox.send(out)).status


async def test_nothing_of_any_kind_goes_into_a_blocked_dm(empty_database, tmp_path):
    async with running_discord(empty_database, tmp_path, RAW) as j:
        guild = j.fake.guild_id
        alice, bob = j.member("alice"), j.member("bob")
        j.fake.dm_channels[alice] = BLOCKED_DM

        assert await send(j, DirectMessage("discord", guild, alice), "checkin.reminder") == "refused"
        assert await send(j, GroupMessage("discord", guild, (bob, alice)), "introduction") == "refused"
        assert j.fake.dms_to(alice) == [] and j.fake.dms_to(bob) == [], "no half-sent group either"
        assert await refusals(j) == [
            ("checkin.reminder", "blocked_channel"),
            ("introduction", "blocked_channel"),
        ]

        assert await send(j, DirectMessage("discord", guild, bob), "notice") == "sent"
        assert [c.body["content"] for c in j.fake.dms_to(bob)] == ["An ordinary notice"]
        assert len(await refusals(j)) == 2
