"""Matching rounds through the real discord.py client: an admin previews and runs a round with
/peer admin, introductions reach one DM each, and a DM that Discord refuses is retried later
without repeating it to those who already have it."""

from __future__ import annotations

from collections import Counter

from discord_people import add_joined
from fake_discord import MANAGE_GUILD
from sqlalchemy import select

from bot.kernel.storage.job_models import Job
from bot.rounds.models import Round

INTRO = "Hello"  # how the template introduction starts (prompts/introduction)


def _dm_texts(j, user_id: str) -> list[str]:
    return [d.content for d in j.dms(user_id)]


async def _jobs(core, kind: str) -> Counter:
    async with core.db.session() as session:
        rows = await session.execute(select(Job.status).where(Job.kind == kind))
        return Counter(rows.scalars())


async def test_admin_previews_then_runs_a_round_and_each_member_gets_one_dm(discord_journey):
    j = discord_journey
    people = await add_joined(j, ["ann", "ben", "cat", "dev"])
    organiser = j.member("olivia", j.fake.add_role("Organisers", MANAGE_GUILD))
    member = people["ann"]

    await j.slash(member, "admin", "preview")
    refused = j.last(member)
    assert refused.kind == "message" and refused.body.get("flags") == 64
    assert "admin" in refused.content.lower() and "Ann" not in refused.content
    await j.slash(member, "admin", "round")
    async with j.core.db.session() as session:
        assert (await session.execute(select(Round))).first() is None

    await j.slash(organiser, "admin", "preview")
    preview = j.last(organiser)
    assert preview.body.get("flags") == 64, "the preview is ephemeral"
    assert all(name in preview.content for name in ("Ann", "Ben", "Cat", "Dev"))
    assert [b["label"] for b in preview.buttons] == ["Send this round"]
    assert all(j.dms(user) == [] for user in people.values()), "a preview sends nothing"

    await j.slash(organiser, "admin", "round")
    assert "committed: 2 groups" in j.last(organiser).content
    creates_before = len([c for c in j.fake.calls if c.path == "/users/@me/channels"])
    await j.core.jobs.run_due(j.core)
    assert await _jobs(j.core, "introduction") == Counter(done=2)
    for user in people.values():
        texts = _dm_texts(j, user)
        assert len(texts) == 1 and texts[0].startswith(INTRO), texts
    opened = {
        str(c.body["recipient_id"]) for c in j.fake.calls[creates_before:] if c.path == "/users/@me/channels"
    }
    assert opened == set(people.values()), "one DM channel opened per member"
    assert j.dms(organiser) == []
    await j.core.jobs.run_due(j.core)
    assert all(len(_dm_texts(j, user)) == 1 for user in people.values()), "never sent twice"


async def test_the_admin_role_from_setup_may_run_rounds(discord_journey):
    j = discord_journey
    await add_joined(j, ["ann", "ben"])
    organiser = j.member("olivia", j.fake.add_role("Organisers", MANAGE_GUILD))
    helpers = j.fake.add_role("Peer admins")
    helper = j.member("hal", helpers)
    await j.slash(organiser, "setup", admin_role=(8, helpers))
    await j.slash(helper, "admin", "preview")
    assert "Ann" in j.last(helper).content and [b["label"] for b in j.last(helper).buttons] == [
        "Send this round"
    ]
    await j.press(helper, "Send this round")
    assert "committed: 1 group;" in j.last(helper).content


async def test_a_closed_dm_is_retried_later_and_nobody_gets_the_introduction_twice(discord_journey):
    j = discord_journey
    people = await add_joined(j, ["ann", "ben", "cat"], cadence="weekly")
    organiser = j.member("olivia", j.fake.add_role("Organisers", MANAGE_GUILD))
    await j.slash(organiser, "admin", "set group_size 3")
    closed = people["cat"]
    j.fake.refuse_dms.add(closed)

    await j.slash(organiser, "admin", "round")
    assert "committed: 1 group;" in j.last(organiser).content
    await j.core.jobs.run_due(j.core)
    assert await _jobs(j.core, "introduction") == Counter(done=1)
    assert await _jobs(j.core, "introduction.member") == Counter(pending=1), "a retry for cat alone"
    async with j.core.db.session() as session:
        job = (await session.execute(select(Job).where(Job.kind == "introduction.member"))).scalar_one()
    assert job.due_at > j.core.clock.now()
    assert len(_dm_texts(j, people["ann"])) == 1 and len(_dm_texts(j, people["ben"])) == 1
    refused = j.fake.dms_to(closed)
    assert len(refused) == 1, "one attempt, answered 50007"

    await j.slash(closed, "help")
    assert "Direct Messages" in j.last(closed).content, "told how to open DMs"

    j.core.clock.advance(minutes=30)
    await j.core.jobs.run_due(j.core)
    assert len(j.fake.dms_to(closed)) == 1, "not retried before it is due"

    j.fake.refuse_dms.discard(closed)
    j.core.clock.advance(hours=1)
    await j.core.jobs.run_due(j.core)
    assert await _jobs(j.core, "introduction.member") == Counter(done=1)
    for name in ("ann", "ben", "cat"):
        texts = _dm_texts(j, people[name])
        assert len(texts) == (2 if name == "cat" else 1), (name, texts)  # cat's first try was refused
        assert all(text == texts[0] for text in texts)
