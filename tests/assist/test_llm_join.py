"""Suggested areas on joining: offered when they differ, confirmed or edited by the person."""

import json

import pytest_asyncio
from fake_openai import llm_settings

from harness import JOIN_FORM, Harness

FORM = {
    **JOIN_FORM,
    "display_name": "Alice Smith",
    "challenge": "At Leeds City Council Alice runs hospital discharge; housing checks come too late.",
}


@pytest_asyncio.fixture
async def llm_harness(fake, empty_database, tmp_path):
    h = Harness.create(empty_database, tmp_path, {"llm": llm_settings(fake.base_url)})
    await h.start()
    yield h
    await h.app.assist.close()
    await h.stop()


async def submit_join(h, form=FORM):
    await h.say("alice", "join")
    return await h.submit("alice", "join.submit", form)


async def areas_of(h) -> list[str]:
    return (await h.core.people.find(h.actor("alice"))).areas


async def test_suggested_areas_are_offered_and_can_be_used(llm_harness, fake):
    h = llm_harness
    offer = await submit_join(h)
    assert offer.text.startswith(
        "Suggested areas: health, housing; summary: At their organisation the practitioner runs"
    )
    assert "You chose: social care, health" in offer.text
    assert [b.label for b in offer.buttons] == ["Use suggested areas", "Keep mine", "Edit"]
    notice = await h.press("alice", "Use suggested areas")
    assert "Do you agree?" in notice.text
    assert await areas_of(h) == ["health", "housing"]
    await h.press("alice", "I agree, join")
    assert (await h.core.people.find(h.actor("alice"))).status == "active"
    sent = fake.sent_text()
    assert "Alice" not in sent and "Smith" not in sent and "Leeds City Council" not in sent
    assert "housing checks come too late" in sent, "the challenge itself is what is analysed"


async def test_keep_mine_leaves_the_persons_areas(llm_harness):
    h = llm_harness
    await submit_join(h)
    assert "Do you agree?" in (await h.press("alice", "Keep mine")).text
    assert await areas_of(h) == ["social_care", "health"]


async def test_edit_reopens_the_form_with_suggestions_and_does_not_ask_again(llm_harness, fake):
    h = llm_harness
    await submit_join(h)
    reopened = await h.press("alice", "Edit")
    assert reopened.form.args == ("reviewed",)
    assert {f.name: f.initial for f in reopened.form.fields}["areas"] == ("health", "housing")
    notice = await h.submit("alice", "join.submit", {**FORM, "areas": "housing"}, args=reopened.form.args)
    assert "Do you agree?" in notice.text
    assert await areas_of(h) == ["housing"]
    assert len(fake.requests) == 1, "no second suggestion after the person has reviewed"


async def test_no_offer_when_the_suggestion_matches_or_the_llm_fails(llm_harness, fake):
    h = llm_harness
    fake.reply = lambda body: json.dumps({"areas": ["health", "social care"], "summary": "Discharge."})
    assert "Do you agree?" in (await submit_join(h)).text
    await h.press("alice", "Cancel")
    fake.mode = "error"
    assert "Do you agree?" in (await submit_join(h)).text


async def test_forged_area_buttons_are_refused(llm_harness):
    h = llm_harness
    await submit_join(h)
    reply = await h.submit("alice", "join.areas", {}, args=("regulator",))
    assert "not integration areas" in reply.text
    assert await areas_of(h) == ["social_care", "health"]
