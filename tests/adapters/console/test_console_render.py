"""The console shows mentions as plain names and ids: a terminal has no markup for them."""

from __future__ import annotations

from adapters.console.adapter import render
from bot.kernel.messages import ChannelMention, Mention, Message, RoleMention
from bot.kernel.outbox import DirectMessage


def test_mentions_are_plain_names_or_ids():
    message = Message(
        f"{Mention('U42')} on Slack; {Mention('ann', 'Ann Lee')}; {RoleMention('7')} in {ChannelMention('9')}"
    )
    shown = render(DirectMessage("console", "local", "ann"), message)
    assert shown.splitlines()[1] == "  U42 on Slack; Ann Lee; role 7 in #9"
