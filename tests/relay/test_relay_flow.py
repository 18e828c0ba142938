"""The whole relay as people use it: ask → check → deliver → answer → follow-up → thanks → close."""

from __future__ import annotations

from relay_helpers import MARKER_A, PEOPLE, QUESTION, ask, deliver, handle_in, receivers_of_question
from sqlalchemy import select

from bot.kernel.storage.job_models import Job


async def test_identifying_details_are_shown_and_can_be_edited(rh):
    leaky = (
        "Alice Ashdown here from Bristol City Council: how did you get Brennan on side? "
        "Email me at a.ashdown@leeds.gov.uk or ring 0113 496 0000, office LS1 4AP."
    )
    found = await ask(rh, "alice", leaky)
    for detail in (
        "a.ashdown@leeds.gov.uk",
        "0113 496 0000",
        "LS1 4AP",
        "Bristol City Council",
        "Alice Ashdown",
    ):
        assert detail in found.text, detail
    # Worded as what it looks like, never as membership of the directory (issue 14, item 10).
    assert "“Brennan” (looks like a person's name)" in found.text
    assert "directory" not in found.text and "member" not in found.text
    assert [b.label for b in found.buttons] == ["Edit", "Send anyway", "Cancel"]
    assert receivers_of_question(rh) == []
    edit = await rh.press("alice", "Edit")
    assert edit.form is not None and edit.form.fields[0].initial == leaky
    sent = await rh.submit(
        "alice",
        "ask.submit",
        {"question": QUESTION, "share_org_type": "yes", "share_region": "no"},
        edit.form.args,
    )
    assert "on its way to 3 peers" in sent.text
    await deliver(rh)
    received = rh.platform.last(receivers_of_question(rh)[0]).text
    assert QUESTION in received and "(council)" in received, "only the chosen context is shared"
    assert "Yorkshire" not in received and "Leeds" not in received and "Alice" not in received


async def test_send_anyway_and_cancel(rh):
    await ask(rh, "alice", "Has anyone worked with Riverside Housing on adaptations and waiting lists?")
    sent = await rh.press("alice", "Send anyway")
    assert "on its way" in sent.text
    await ask(rh, "alice", "Has anyone worked with Riverside Housing on adaptations, again?")
    cancelled = await rh.press("alice", "Cancel")
    assert "Nothing was sent" in cancelled.text
    await deliver(rh)
    assert (
        len(
            [
                d
                for d in rh.platform.delivered
                if "adaptations, again" in d.message.text and d.user_id != "alice"
            ]
        )
        == 0
    )


async def test_routing_picks_similar_peers_from_other_organisations_only(rh):
    await ask(rh, "alice")
    await deliver(rh)
    chosen = receivers_of_question(rh)
    assert len(chosen) == 3
    assert not {"alice", "erin", "frank", "gina"} & set(chosen), "own org, paused, not accepting"
    assert {"bob", "carol"} <= set(chosen), "the closest challenges are chosen first"


async def test_max_peers_setting(empty_database, tmp_path):
    from relay_helpers import RELAY_CONFIG, join_community, make_harness

    h = make_harness(empty_database, tmp_path, {**RELAY_CONFIG, "relay": {"max_peers": 1}})
    await h.start()
    try:
        await join_community(h)
        await ask(h, "alice")
        await deliver(h)
        assert receivers_of_question(h) == ["bob"], "the single most similar peer"
    finally:
        await h.stop()


async def test_delivery_waits_a_random_delay(empty_database, tmp_path):
    from relay_helpers import join_community, make_harness

    h = make_harness(empty_database, tmp_path, {"relay": {"delay_seconds_min": 60, "delay_seconds_max": 120}})
    await h.start()
    try:
        await join_community(h)
        asked_at = h.clock.now()
        await ask(h, "alice")
        await deliver(h, 59)
        assert receivers_of_question(h) == [], "nothing before delay_seconds_min"
        async with h.core.db.session() as session:
            jobs = (await session.execute(select(Job).where(Job.kind == "relay.question"))).scalars().all()
        delays = [(job.due_at - asked_at).total_seconds() for job in jobs]
        assert len(delays) == 3 and all(60 <= d <= 120 for d in delays)
        assert len(set(delays)) == 3, "each peer gets its own random delay"
        await deliver(h, 62)
        assert len(receivers_of_question(h)) == 3
    finally:
        await h.stop()


async def test_answer_followup_thanks_threads_and_close(rh):
    sent = await ask(rh, "alice")
    asker_handle = handle_in(sent.text, "You are *")
    await deliver(rh)
    question = rh.platform.last("bob")
    assert f"from *{asker_handle}*" in question.text
    bob_handle = handle_in(question.text, "You are *")
    assert bob_handle != asker_handle

    # The console's typed command opens the same form as the button.
    form = await rh.say("bob", f"answer {asker_handle.split()[1]}")
    assert form.form is not None and form.form.submit_command == "relay.answer.submit"
    confirm = await rh.submit(
        "bob",
        "relay.answer.submit",
        {"answer": f"We used a data sharing agreement. {MARKER_A}"},
        form.form.args,
    )
    assert f"Sent to {asker_handle}" in confirm.text
    answer = rh.platform.last("alice")
    assert f"*{bob_handle}* answered" in answer.text and MARKER_A in answer.text
    assert "Bob" not in answer.text and "Manchester" not in answer.text

    followup_form = await rh.press("alice", "Ask a follow-up")
    await rh.submit(
        "alice",
        "relay.followup.submit",
        {"followup": "Who signed it off on your side?"},
        followup_form.form.args,
    )
    followup = rh.platform.last("bob")
    assert "Who signed it off" in followup.text and f"*{asker_handle}*, who asked" in followup.text
    again = await rh.press("bob", "Answer")
    await rh.submit("bob", "relay.answer.submit", {"answer": "Our Caldicott guardian."}, again.form.args)
    assert "Caldicott" in rh.platform.last("alice").text

    await rh.press("alice", "Thank")
    assert f"*{asker_handle}* thanked you" in rh.platform.last("bob").text

    listed = await rh.say("alice", "threads")
    assert "2 answer(s)" in listed.text and asker_handle in listed.text
    peer_list = await rh.say("bob", "threads")
    assert f"From *{asker_handle}*" in peer_list.text

    closed = await rh.press("alice", "Close question")
    assert "Closed" in closed.text
    assert "closed their question" in rh.platform.last("bob").text
    late = await rh.press("bob", "Answer")
    assert "has been closed" in late.text
    assert "no open anonymous question threads" in (await rh.say("alice", "threads")).text


async def test_ids_from_someone_elses_thread_are_refused(rh):
    await ask(rh, "alice")
    await deliver(rh)
    answer_button = next(b for b in rh.platform.last("bob").buttons if b.label == "Answer")
    from bot.kernel.invocation import Invocation, Place

    for command, args in (("relay.answer", answer_button.args), ("relay.reveal", answer_button.args)):
        await rh.core.handle(Invocation(rh.actor("erin"), command, args, None, "", Place()))
        assert "isn't one of your" in rh.platform.last("erin").text
    closing = next(b for m in rh.platform.to("alice") for b in m.buttons if b.label == "Close question")
    await rh.core.handle(Invocation(rh.actor("erin"), closing.command, closing.args, None, "", Place()))
    assert "isn't one of your" in rh.platform.last("erin").text
    await rh.core.handle(
        Invocation(
            rh.actor("erin"),
            "relay.answer.submit",
            answer_button.args,
            {"answer": "sneaky reply"},
            "",
            Place(surface="form"),
        )
    )
    assert all("sneaky" not in d.message.text for d in rh.platform.delivered if d.user_id == "alice")


async def test_rate_limit_says_when_to_ask_again(empty_database, tmp_path):
    from relay_helpers import RELAY_CONFIG, join_community, make_harness

    h = make_harness(empty_database, tmp_path, {**RELAY_CONFIG, "relay": {"asks_per_day": 2}})
    await h.start()
    try:
        await join_community(h, ("alice", "bob", "carol"))
        for n in range(2):
            sent = await ask(h, "alice", f"Question number {n} about discharge data sharing agreements?")
            assert "on its way" in sent.text
        h.clock.advance(hours=3)
        refused = await h.say("alice", "ask")
        assert refused.form is None and "2 anonymous questions a day" in refused.text
        assert "You can ask again from 09:00" in refused.text, refused.text
        h.clock.advance(hours=21)
        assert (await h.say("alice", "ask")).form is not None
    finally:
        await h.stop()


async def test_nobody_available_sends_nothing(empty_database, tmp_path):
    from relay_helpers import join_community, make_harness

    h = make_harness(empty_database, tmp_path)
    await h.start()
    try:
        await join_community(h, ("alice", "erin", "gina"))
        reply = await ask(h, "alice")
        assert "Nobody can take your question" in reply.text
        await deliver(h)
        assert receivers_of_question(h) == []
    finally:
        await h.stop()


async def test_reveal_only_when_both_agree(rh):
    await ask(rh, "alice")
    await deliver(rh)
    bob_messages = len(rh.platform.to("bob"))
    offered = await rh.press("bob", "Offer to swap contact details")
    assert "Nothing is shared unless" in offered.text
    offer = rh.platform.last("alice")
    assert "offers to swap contact details" in offer.text
    declined = await rh.press("alice", "No thanks")
    assert "Nothing was shared" in declined.text
    assert "prefers not to swap" in rh.platform.last("bob").text
    everything = " ".join(d.message.text for d in rh.platform.delivered)
    assert "Brennan" not in everything and "Ashdown" not in everything, "no identity before both agree"

    await rh.press("bob", "Offer to swap contact details")
    assert "Brennan" not in " ".join(m.text for m in rh.platform.to("alice"))
    agreed = await rh.press("alice", "Agree to swap")
    assert "Bob Brennan" in agreed.text and "Manchester University NHS Trust" in agreed.text
    assert (
        "Alice Ashdown" in rh.platform.last("bob").text
        and "Leeds City Council" in rh.platform.last("bob").text
    )
    assert len(rh.platform.to("bob")) > bob_messages
    for other in ("carol", "dan", "erin", "frank", "gina"):
        assert all("Ashdown" not in m.text and "Brennan" not in m.text for m in rh.platform.to(other))
    assert PEOPLE["alice"]["organisation"] not in " ".join(m.text for m in rh.platform.to("carol"))
