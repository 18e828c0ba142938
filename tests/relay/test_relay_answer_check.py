"""Answers and follow-ups get the question's check, with the same edit / send anyway / cancel
choice; and nobody can have more drafts checked per hour than `[relay] checks_per_hour`."""

from __future__ import annotations

from relay_helpers import RELAY_CONFIG, ask, deliver, join_community, make_harness
from sqlalchemy import func, select

from bot.relay.models import RelayMessage, RelayThread

# Bob answers under his handle but gives himself away, as a helpful peer would.
LEAKY_ANSWER = (
    "Bob here - I'm at Manchester University NHS Trust and we cracked this with a trusted assessor. "
    "Drop me a line on bob.brennan@nhs.net and I'll send you our SOP."
)
PLAIN_ANSWER = "We used a trusted assessor model and a shared discharge tracker. It took six months."


async def _question_reached_bob(rh):
    await ask(rh, "alice")
    await deliver(rh)
    return await rh.press("bob", "Answer")


async def test_an_answer_that_names_its_writer_is_held_until_they_choose(rh):
    form = await _question_reached_bob(rh)
    checked = await rh.submit("bob", "relay.answer.submit", {"answer": LEAKY_ANSWER}, form.form.args)
    assert checked.text.startswith("Before it goes: your answer mentions")
    for detail in ("Bob", "Manchester University NHS Trust", "bob.brennan@nhs.net"):
        assert f"“{detail}”" in checked.text, detail
    assert [b.label for b in checked.buttons] == ["Edit", "Send anyway", "Cancel"]
    assert not [d for d in rh.platform.to("alice") if "answered your question" in d.text], "nothing went"

    edit = await rh.press("bob", "Edit")
    assert edit.form is not None and edit.form.fields[0].initial == LEAKY_ANSWER
    sent = await rh.submit("bob", "relay.answer.submit", {"answer": PLAIN_ANSWER}, edit.form.args)
    assert "Sent to Peer" in sent.text
    answers = [d.text for d in rh.platform.to("alice") if "answered your question" in d.text]
    assert len(answers) == 1 and PLAIN_ANSWER in answers[0] and "nhs.net" not in answers[0]
    async with rh.core.db.session() as session:
        kinds = (await session.execute(select(RelayMessage.kind))).scalars().all()
    assert "draft" not in kinds, "the edited-away draft is deleted, not kept"


async def test_send_anyway_and_cancel_for_an_answer(rh):
    form = await _question_reached_bob(rh)
    await rh.submit("bob", "relay.answer.submit", {"answer": LEAKY_ANSWER}, form.form.args)
    cancelled = await rh.press("bob", "Cancel")
    assert "Nothing was sent" in cancelled.text
    assert not [d for d in rh.platform.to("alice") if "answered your question" in d.text]

    again = await rh.press("bob", "Answer")
    await rh.submit("bob", "relay.answer.submit", {"answer": LEAKY_ANSWER}, again.form.args)
    sent = await rh.press("bob", "Send anyway")
    assert "Sent to Peer" in sent.text
    answers = [d.text for d in rh.platform.to("alice") if "answered your question" in d.text]
    assert len(answers) == 1 and "bob.brennan@nhs.net" in answers[0], "the writer's choice is kept"
    assert "Ask a follow-up" in [b.label for b in rh.platform.last("alice").buttons]


async def test_a_follow_up_is_checked_too(rh):
    form = await _question_reached_bob(rh)
    await rh.submit("bob", "relay.answer.submit", {"answer": PLAIN_ANSWER}, form.form.args)
    followup = await rh.press("alice", "Ask a follow-up")
    leaky = "Could you ring me? I'm Alice at Leeds CC, 0113 496 0000, happy to compare notes."
    checked = await rh.submit("alice", "relay.followup.submit", {"followup": leaky}, followup.form.args)
    assert checked.text.startswith("Before it goes: your follow-up mentions")
    for detail in ("Alice", "Leeds CC", "0113 496 0000"):
        assert f"“{detail}”" in checked.text, detail
    assert not [d for d in rh.platform.to("bob") if "replied to your answer" in d.text]
    edit = await rh.press("alice", "Edit")
    assert edit.form.submit_command == "relay.followup.submit" and edit.form.fields[0].initial == leaky
    await rh.submit("alice", "relay.followup.submit", {"followup": "Who signed it off?"}, edit.form.args)
    replies = [d.text for d in rh.platform.to("bob") if "replied to your answer" in d.text]
    assert len(replies) == 1 and "Who signed it off?" in replies[0] and "0113" not in replies[0]


async def test_someone_else_cannot_send_or_read_a_held_answer(rh):
    form = await _question_reached_bob(rh)
    checked = await rh.submit("bob", "relay.answer.submit", {"answer": LEAKY_ANSWER}, form.form.args)
    draft_id = checked.buttons[0].args
    for command in ("relay.draft.send", "relay.draft.edit", "relay.draft.cancel"):
        refused = await rh.submit("carol", command, {}, draft_id)
        assert "nhs.net" not in refused.text and "isn't one of your" in refused.text, command
    assert not [d for d in rh.platform.to("alice") if "answered your question" in d.text]


async def test_drafts_checked_per_hour_are_limited(empty_database, tmp_path):
    h = make_harness(empty_database, tmp_path, {**RELAY_CONFIG, "relay": {"checks_per_hour": 2}})
    await h.start()
    try:
        await join_community(h)
        probes = ("Has anyone worked with Mr Brennan on this?", "Has anyone worked with Mr Okafor on this?")
        for probe in probes:
            assert "Before it goes" in (await ask(h, "alice", probe)).text
        refused = await ask(h, "alice", "Has anyone worked with Mr Ashworth on this?")
        assert (
            "2 drafts checked in the last hour" in refused.text and "Try again in 60 minutes" in refused.text
        )
        assert "Ashworth" not in refused.text
        async with h.core.db.session() as session:
            drafts = await session.scalar(select(func.count()).select_from(RelayThread))
        assert drafts == 2, "the refused draft is not kept"
        h.clock.advance(minutes=61)
        assert "Before it goes" in (await ask(h, "alice", "Has anyone worked with Mr Ashworth on this?")).text
    finally:
        await h.stop()
