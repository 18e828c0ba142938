"""Reports silence the sender towards the reporter and tell organisers (text only by choice);
/peer mydata and /peer leave cover a person's own relay data and nobody else's. (Categories,
what the sender is told and what organisers can do: test_relay_report_reasons.py.)"""

from __future__ import annotations

from relay_helpers import MARKER_A, MARKER_Q, ask, deliver
from sqlalchemy import func, select

from bot.kernel.messages import Sensitivity
from bot.relay.models import RelayParticipant, RelayThread


async def _report(h, user: str, include: str, category: str = "abusive"):
    form = await h.press(user, "Report")
    assert form.form is not None and form.form.submit_command == "relay.report.submit"
    fields = {"category": category, "include_text": include}
    return await h.submit(user, "relay.report.submit", fields, form.form.args)


async def test_report_without_text_blocks_the_sender_and_tells_organisers(rh):
    await ask(rh, "alice")
    await deliver(rh)
    done = await _report(rh, "bob", "no")
    assert "can no longer write to you in that thread" in done.text and "organisers were told" in done.text
    notice = rh.platform.last("organiser")
    assert "was reported as *abusive*" in notice.text and MARKER_Q not in notice.text
    follow = await rh.press("alice", "Close question")
    assert "Closed" in follow.text or "can no longer" in follow.text
    counts = await rh.say("organiser", "admin refusals")
    assert "Reports of anonymous-question messages:* 1" in counts.text


async def test_report_with_text_goes_only_to_the_organisers_dm(rh):
    await ask(rh, "alice")
    await deliver(rh)
    form = await rh.press("bob", "Answer")
    await rh.submit("bob", "relay.answer.submit", {"answer": f"Rude answer {MARKER_A}"}, form.form.args)
    await _report(rh, "alice", "yes")
    notice = [d for d in rh.platform.delivered if d.user_id == "organiser"][-1]
    assert MARKER_A in notice.message.text
    assert type(notice.destination).__name__ == "DirectMessage"
    again = await rh.press("bob", "Answer")
    assert "can no longer send messages" in again.text, "the reported sender is blocked from the thread"
    others = [
        d
        for d in rh.platform.delivered
        if MARKER_A in d.message.text and d.user_id not in ("alice", "organiser")
    ]
    assert others == []


async def test_report_notice_with_text_is_relay_sensitive(rh, monkeypatch):
    sent = []
    real = rh.core.outbox.send

    async def spy(out):
        sent.append(out)
        return await real(out)

    monkeypatch.setattr(rh.core.outbox, "send", spy)
    await ask(rh, "alice")
    await deliver(rh)
    await _report(rh, "bob", "yes")
    notice = [o for o in sent if o.kind == "relay.report_notice"]
    assert notice and all(
        o.sensitivity is Sensitivity.RELAY and o.recipients == {"organiser"} for o in notice
    )


async def test_only_recipients_can_report(rh):
    await ask(rh, "alice")
    await deliver(rh)
    button = next(b for b in rh.platform.last("bob").buttons if b.label == "Report")
    from bot.kernel.invocation import Invocation, Place

    await rh.core.handle(Invocation(rh.actor("alice"), button.command, button.args, None, "", Place()))
    assert "isn't a message you received" in rh.platform.last("alice").text


async def test_mydata_shows_only_your_own_words_and_leave_erases_your_threads(rh):
    await ask(rh, "alice")
    await deliver(rh)
    form = await rh.press("bob", "Answer")
    await rh.submit("bob", "relay.answer.submit", {"answer": f"Bob's words {MARKER_A}"}, form.form.args)
    alice = await rh.say("alice", "mydata")
    bob = await rh.say("bob", "mydata")
    assert MARKER_Q in alice.text and MARKER_A not in alice.text
    assert MARKER_A in bob.text and MARKER_Q not in bob.text
    await rh.say("bob", "leave")
    await rh.press("bob", "Erase my data")
    async with rh.core.db.session() as session:
        peers = (await session.execute(select(func.count()).select_from(RelayParticipant))).scalar_one()
    assert peers == 3, "bob's handle and answer are gone, the thread stays for the others"
    await rh.say("alice", "leave")
    await rh.press("alice", "Erase my data")
    async with rh.core.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(RelayThread))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(RelayParticipant))).scalar_one() == 0
