"""Joining, showing, editing, pausing, resuming, exporting and erasing a profile."""

import json

from sqlalchemy import func, select

from bot.kernel.storage.models import Profile
from harness import JOIN_FORM


async def count_profiles(h) -> int:
    async with h.core.db.session() as session:
        return (await session.execute(select(func.count()).select_from(Profile))).scalar_one()


async def test_join_asks_for_consent_before_activating(harness):
    opened = await harness.say("alice", "join")
    assert opened.form is not None and opened.form.submit_command == "join.submit"
    notice = await harness.submit("alice", "join.submit", JOIN_FORM)
    assert "who sees it" in notice.text and "72 hours" in notice.text
    profile = await harness.core.people.find(harness.actor("alice"))
    assert profile.status == "pending" and profile.consented_at is None
    welcome = await harness.press("alice", "I agree, join")
    assert "Welcome" in welcome.text
    profile = await harness.core.people.find(harness.actor("alice"))
    assert profile.status == "active"
    assert profile.consented_at == harness.clock.now()
    assert profile.vector, "the challenge vector is computed when the profile is saved"


async def test_cancelled_join_keeps_nothing(harness):
    await harness.say("alice", "join")
    await harness.submit("alice", "join.submit", JOIN_FORM)
    reply = await harness.press("alice", "Cancel")
    assert "Nothing about you has been kept" in reply.text
    assert await count_profiles(harness) == 0


async def test_bad_form_gets_field_errors_and_writes_nothing(harness):
    await harness.say("alice", "join")
    bad = {**JOIN_FORM, "challenge": "too short", "region": "Atlantis", "areas": ""}
    reply = await harness.submit("alice", "join.submit", bad)
    assert set(reply.field_errors) == {"challenge", "region", "areas"}
    assert "at least 20" in reply.field_errors["challenge"]
    assert "North West" in reply.field_errors["region"]
    assert reply.form is not None, "the form is shown again to fix"
    assert await count_profiles(harness) == 0


async def test_profile_show_and_edit(harness):
    await harness.join("alice")
    shown = await harness.say("alice", "profile")
    assert "Leeds City Council" in shown.text and "implementing" in shown.text
    edit = await harness.say("alice", "profile edit")
    assert edit.form.submit_command == "profile.submit"
    initial = {f.name: f.initial for f in edit.form.fields}
    assert initial["organisation"] == "Leeds City Council"
    old = await harness.core.people.find(harness.actor("alice"))
    changed = {
        **JOIN_FORM,
        "stage": "embedding",
        "challenge": "Now sharing care records between GP practices and social care.",
    }
    saved = await harness.submit("alice", "profile.submit", changed)
    assert "embedding" in saved.text
    new = await harness.core.people.find(harness.actor("alice"))
    assert new.stage == "embedding" and new.vector != old.vector


async def test_pause_and_resume(harness):
    await harness.join("alice")
    reply = await harness.say("alice", "pause until 2026-02-01")
    assert "Paused until 2026-02-01" in reply.text
    assert (await harness.core.people.find(harness.actor("alice"))).status == "paused"
    assert "not in the future" in (await harness.say("alice", "pause until 2020-01-01")).text
    assert "YYYY-MM-DD" in (await harness.say("alice", "pause until soon")).text
    await harness.say("alice", "resume")
    assert (await harness.core.people.find(harness.actor("alice"))).status == "active"
    assert "not paused" in (await harness.say("alice", "resume")).text


async def test_expired_pause_ends_by_itself(harness):
    await harness.join("alice")
    await harness.say("alice", "pause until 2026-01-10")
    harness.clock.advance(days=6)
    assert await harness.app.profiles.resume_expired_pauses() == 1
    assert (await harness.core.people.find(harness.actor("alice"))).status == "active"


async def test_mydata_then_leave_erases_everything(harness):
    await harness.join("alice")
    await harness.join("bob")
    data = await harness.say("alice", "mydata")
    document = json.loads(data.attachments[0].data)
    assert document["profile"]["organisation"] == "Leeds City Council"
    assert document["profile"]["consented_at"]
    await harness.say("alice", "leave")
    assert (await harness.press("alice", "Keep my data")).text == "Nothing was erased."
    await harness.say("alice", "leave")
    erased = await harness.press("alice", "Erase my data")
    assert "erased" in erased.text
    assert (await harness.say("alice", "mydata")).text == "Nothing is stored about you."
    assert await count_profiles(harness) == 1, "only alice's data goes"


async def test_commands_need_a_profile_and_unknown_commands_are_explained(harness):
    assert "haven't joined" in (await harness.say("alice", "profile")).text
    assert "haven't joined" in (await harness.say("alice", "pause")).text
    assert "help" in (await harness.say("alice", "frobnicate")).text
    assert "/peer join" in (await harness.say("alice", "help")).text


async def test_joining_twice_is_refused(harness):
    await harness.join("alice")
    assert "already a member" in (await harness.say("alice", "join")).text


async def test_mydata_names_the_people_you_avoid_not_their_ids(harness):
    await harness.join("alice")
    await harness.join("bob")
    await harness.join("carol")
    await harness.say("alice", "avoid Bob")
    data = await harness.say("alice", "mydata")
    document = json.loads(data.attachments[0].data)
    assert document["profile"]["dont_pair_with"] == ["Bob"]
    assert "Carol" not in data.attachments[0].data.decode()
    await harness.say("bob", "leave")
    await harness.press("bob", "Erase my data")
    document = json.loads((await harness.say("alice", "mydata")).attachments[0].data)
    assert document["profile"]["dont_pair_with"] in ([], ["someone who has left"])
