"""After a restart the adapter has forgotten half-filled multi-page forms and over-long button
payloads (kept in memory): pressing or submitting them says clearly to start again."""

from __future__ import annotations

from test_discord_journeys import JOIN_VALUES

from adapters.discord.memory import EXPIRED
from bot.kernel.messages import Button, Message, Sensitivity
from bot.kernel.outbox import DirectMessage, Outbound


async def test_a_form_half_filled_before_a_restart_asks_to_start_again(discord_journey):
    j = discord_journey
    alice = j.member("alice")
    await j.slash(alice, "join")
    first_page = j.open_modal(alice)
    await j.submit_modal(alice, JOIN_VALUES)
    assert "Step 1 of 3 saved" in j.last(alice).content

    await j.restart()
    await j.press(alice, "Continue")
    assert j.last(alice).content == EXPIRED and j.last(alice).body.get("flags") == 64

    payload = j.fake.modal_submit(alice, first_page["custom_id"], {"display_name": "Alice"})
    await j._send(alice, payload)
    assert j.last(alice).content == EXPIRED

    await j.slash(alice, "join")
    assert j.last(alice).kind == "modal", "starting again works"


async def test_a_long_button_from_before_a_restart_asks_to_start_again(discord_journey):
    j = discord_journey
    bob = j.member("bob")
    long_args = ("x" * 120,)
    out = Outbound(
        DirectMessage("discord", j.fake.guild_id, bob),
        Message("Pick one", buttons=(Button("Long one", "profile", long_args),)),
        Sensitivity.PERSONAL,
        kind="test.dm",
    )
    assert (await j.core.outbox.send(out)).sent
    [button] = j.dms(bob)[-1].buttons
    assert button["custom_id"].startswith("s:"), "too long for a custom id: kept in memory"

    await j.restart()
    interaction = await j.press(bob, "Long one", in_dm=True)
    [reply] = j.replies(interaction)
    assert reply.content == EXPIRED and reply.body.get("flags") == 64
