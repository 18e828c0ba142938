"""A cycle through Discord with `peerbot run` as a real process on the real clock: members
imported with the CLI, a round committed with `peerbot match`, then introductions, reminders
with the calendar file and "did you meet?" arrive as DMs through the fake Discord."""

from __future__ import annotations

from collections import Counter

import pytest
from e2e_people import FOUR, import_people, with_ids
from e2e_slack import message_kind
from fake_discord import FakeDiscord

pytestmark = pytest.mark.e2e


def received(fake: FakeDiscord, users: list[str]) -> dict[str, Counter]:
    """Per member, how many DMs of each kind the bot sent them."""
    return {
        u: Counter(message_kind((c.body or {}).get("content") or "") for c in fake.dms_to(u)) for u in users
    }


def everyone_got(fake: FakeDiscord, users: list[str], kind: str) -> bool:
    return all(counts[kind] >= 1 for counts in received(fake, users).values())


async def test_import_match_introductions_reminders_and_followups(bots, fake_discord):
    ids = [fake_discord.new_id() for _ in FOUR]
    for person, user_id in zip(FOUR, ids, strict=True):
        fake_discord.add_member(user_id, person.display_name)
    await import_people(bots, with_ids(FOUR, ids), "discord", fake_discord.guild_id)

    bots.secrets["DISCORD_BOT_TOKEN"] = "fake-token"
    bots.config["discord"] = {"api_url": fake_discord.base_url}
    bots.start()
    await bots.wait_for(fake_discord._identified.is_set, 30, "the bot to log in to the fake gateway")

    out = await bots.cli("match", "--seed", "11")
    assert "Round 1 committed" in out and "4 of 4 matched" in out, out
    await bots.wait_for(lambda: everyone_got(fake_discord, ids, "introduction"), 10, "introductions as DMs")
    await bots.wait_for(lambda: everyone_got(fake_discord, ids, "reminder"), 15, "reminders")
    await bots.wait_for(lambda: everyone_got(fake_discord, ids, "followup"), 15, "follow-ups")

    for user_id in ids:
        reminder = next(
            c for c in fake_discord.dms_to(user_id) if message_kind(c.body["content"]) == "reminder"
        )
        assert [name.endswith(".ics") and b"BEGIN:VCALENDAR" in data for name, data in reminder.files] == [
            True
        ]
        counts = received(fake_discord, [user_id])[user_id]
        assert {k: counts[k] for k in ("introduction", "reminder", "followup")} == {
            "introduction": 1,
            "reminder": 1,
            "followup": 1,
        }
    followup = fake_discord.dms_to(ids[0])[-1].body
    assert "Ben Barker" in followup["content"]
    assert {b["label"] for row in followup["components"] for b in row["components"]} >= {"Met"}
