"""Reports say why (a category), their sender is told, and organisers act on them without seeing
content or learning who anyone is: a warning through the relay, or a suspension from it that
ends on its own. After a purge only the counts per category stay."""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict

from cryptography.fernet import Fernet
from relay_helpers import (
    KEY,
    MARKER_A,
    MARKER_Q,
    PEOPLE,
    ask,
    deliver,
    handle_in,
    join_community,
    make_harness,
    receivers_of_question,
    restart,
)
from sqlalchemy import select

from bot.kernel.invocation import Actor, Invocation
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DirectMessage
from bot.relay.models import RelayParticipant, RelayReport, RelayReportCount, RelaySuspension
from bot.relay.parties import Identity

SECOND_QUESTION = (
    "Has anyone agreed a shared discharge dashboard with the acute trust and adult social care teams?"
)


async def _answer(h, user: str, text: str = "We pooled budgets across both teams.") -> Message:
    form = await h.press(user, "Answer")
    return await h.submit(user, "relay.answer.submit", {"answer": text}, form.form.args)


async def _report(h, user: str, category: str = "abusive", include: str = "no") -> Message:
    form = await h.press(user, "Report")
    fields = {"category": category, "include_text": include}
    return await h.submit(user, "relay.report.submit", fields, form.form.args)


async def _reports(h) -> list[RelayReport]:
    async with h.core.db.session() as session:
        return list(await session.scalars(select(RelayReport).order_by(RelayReport.id)))


def _number(h) -> int:
    """The number of the newest report, from the organiser's notice."""
    return int(re.search(r"\*Report (\d+)\*", h.platform.last("organiser").text).group(1))


async def _handles(h) -> set[str]:
    async with h.core.db.session() as session:
        rows = await session.scalars(select(RelayParticipant))
        return {h.app.relay.store.party(row).handle for row in rows}


async def _about(h, user: str) -> list[str]:
    """Everything that would say who `user` is: user id, name, organisation, every handle."""
    person = PEOPLE[user]
    return [user, person["display_name"], person["organisation"], *await _handles(h)]


def _everything_in(message: Message) -> str:
    return repr(asdict(message))


async def _press_on(h, user: str, message: Message, label: str) -> Message:
    """Press a button on one particular message (not just the newest that has the label)."""
    button = next(b for b in message.buttons if b.label == label)
    await h.core.handle(Invocation(h.actor(user), button.command, button.args, None, f"t-{uuid.uuid4()}"))
    return h.platform.last(user)


async def test_a_report_needs_one_of_the_categories_and_stores_only_the_category(rh):
    await ask(rh, "alice")
    await deliver(rh)
    form = await rh.press("bob", "Report")
    category = next(f for f in form.form.fields if f.name == "category")
    assert category.kind == "choice" and category.required
    assert set(category.choices) == {"abusive", "identifying", "off_topic", "other"}
    assert len(form.form.fields) <= 5, "a Discord modal holds five inputs at most"

    args = form.form.args
    missing = await rh.submit("bob", "relay.report.submit", {"include_text": "no"}, args)
    assert missing.form is not None and "category" in missing.field_errors
    typed = await rh.submit(
        "bob", "relay.report.submit", {"category": "was rude", "include_text": "no"}, args
    )
    assert "category" in typed.field_errors
    assert await _reports(rh) == [], "no report without a category, and no free text kept"

    done = await rh.submit(
        "bob", "relay.report.submit", {"category": "Identifying someone", "include_text": "no"}, args
    )
    assert "Reported as *identifying someone*" in done.text
    assert [r.category for r in await _reports(rh)] == ["identifying"]


async def test_the_sender_is_told_the_category_and_what_it_means_never_who_reported(rh, monkeypatch):
    sent = []
    real = rh.core.outbox.send

    async def spy(out):
        sent.append(out)
        return await real(out)

    monkeypatch.setattr(rh.core.outbox, "send", spy)
    await ask(rh, "alice")
    await deliver(rh)
    question = rh.platform.last("bob").text
    asker_handle, bob_handle = handle_in(question, "from *"), handle_in(question, "You are *")
    await _answer(rh, "bob")
    before = len(rh.platform.delivered)

    await _report(rh, "alice", "off_topic")

    told = [d for d in rh.platform.delivered[before:] if d.user_id == "bob"]
    assert len(told) == 1 and isinstance(told[0].destination, DirectMessage)
    text = told[0].message.text
    assert "reported your answer" in text and "*off-topic*" in text and bob_handle in text
    assert "no longer write to them in that thread" in text
    assert "organisers were told the category only, not what you wrote" in text
    for secret in (asker_handle, "alice", "Alice", "Leeds"):
        assert secret not in _everything_in(told[0].message), secret
    notice = [o for o in sent if o.kind == "relay.reported"]
    assert notice and all(o.sensitivity is Sensitivity.RELAY for o in notice)
    again = await rh.press("bob", "Answer")
    assert "can no longer send messages" in again.text


async def test_a_report_silences_its_sender_towards_the_reporter_only(rh):
    await ask(rh, "alice")
    await deliver(rh)
    await _report(rh, "bob", "abusive")  # bob reports alice's question
    await _answer(rh, "bob")
    await _answer(rh, "carol")
    answers = [m for m in rh.platform.to("alice") if "answered your question" in m.text]
    from_bob, from_carol = answers

    follow = await _press_on(rh, "alice", from_carol, "Ask a follow-up")
    sent = await rh.submit(
        "alice", "relay.followup.submit", {"followup": "How long did it take?"}, follow.form.args
    )
    assert sent.text.startswith("Sent to"), "one peer's report does not silence the asker towards the others"
    refused = await _press_on(rh, "alice", from_bob, "Ask a follow-up")
    assert "can no longer send messages" in refused.text
    swap = await _press_on(rh, "alice", from_bob, "Offer to swap contact details")
    assert "Offered" not in swap.text, "nobody swaps contact details with someone they reported"


async def test_organisers_see_number_category_and_day_never_content_names_or_handles(rh):
    await ask(rh, "alice")
    await deliver(rh)
    await _answer(rh, "bob", f"Rude answer {MARKER_A}")
    await _report(rh, "alice", "abusive", include="yes")
    await _report(rh, "carol", "identifying")

    listing = await rh.say("organiser", "admin reports")

    numbers = [r.id for r in await _reports(rh)]
    for number in numbers:
        assert f"*Report {number}*" in listing.text
    assert "abusive" in listing.text and "identifying someone" in listing.text
    assert "05 January 2026" in listing.text and "09:05" not in listing.text, "the day, not the moment"
    assert "text shared with you by direct message" in listing.text
    forbidden = [MARKER_Q, MARKER_A, *await _about(rh, "alice"), *await _about(rh, "bob"), "carol"]
    everything = _everything_in(listing)
    assert [f for f in forbidden if f in everything] == []
    assert not re.search(r"Peer \d{4}", everything)
    assert {b.label for b in listing.buttons} >= {
        f"Warn (report {numbers[0]})",
        f"Suspend 7 days (report {numbers[0]})",
    }
    helped = await rh.say("organiser", "help")
    assert "admin reports" in helped.text and "admin report warn N" in helped.text


async def test_warn_reaches_only_the_reported_person_and_the_organiser_learns_nothing_of_them(rh):
    await ask(rh, "alice")
    await deliver(rh)
    await _answer(rh, "bob")
    await _report(rh, "alice", "abusive")
    number = _number(rh)
    rh.platform.clear()

    reply = await rh.say("organiser", f"admin report warn {number}")

    assert [d.user_id for d in rh.platform.delivered] == ["bob", "organiser"]
    warning = rh.platform.delivered[0]
    assert isinstance(warning.destination, DirectMessage)
    assert (
        "warning from your community's organisers" in warning.message.text
        and "*abusive*" in warning.message.text
    )
    assert "the fixed warning went to the sender" in reply.text and "It reached them" in reply.text
    forbidden = await _about(rh, "bob")
    assert [f for f in forbidden if f in _everything_in(reply)] == []

    await rh.say("organiser", "admin reports")
    await rh.press("organiser", f"Warn (report {number})")
    assert len([m for m in rh.platform.to("bob") if "warning from" in m.text]) == 2, "the button warns too"
    assert "warned" in (await rh.say("organiser", "admin reports")).text

    elsewhere = Actor("console", "elsewhere", "organiser")
    await rh.core.handle(Invocation(elsewhere, "admin.report", ("warn", str(number)), None, "t-elsewhere"))
    assert f"There is no report {number}" in rh.platform.last("organiser").text, "organisers act on their own"


async def test_suspension_stops_asking_and_answering_plainly_and_ends_at_its_end_time(rh):
    await ask(rh, "alice")
    await deliver(rh)
    await _answer(rh, "bob")
    await _report(rh, "alice", "abusive")
    number = _number(rh)

    reply = await rh.say("organiser", f"admin report suspend {number} 2")

    assert "until Wednesday 07 January 2026 at 09:05 UTC" in reply.text
    assert [f for f in await _about(rh, "bob") if f in _everything_in(reply)] == []
    assert "paused your anonymous questions until Wednesday 07 January 2026" in rh.platform.last("bob").text
    refused = await rh.say("bob", "ask")
    assert refused.form is None and "You cannot ask or answer anonymous questions until" in refused.text
    assert "cannot ask or answer" in (await rh.press("bob", "Answer")).text
    assert "cannot ask or answer" in (await rh.say("bob", "answer 1234")).text
    async with rh.core.db.session() as session:
        (row,) = (await session.scalars(select(RelaySuspension))).all()
    bob = Identity("console", "local", "bob")
    assert row.tag == rh.app.relay.keys.require().tag(bob.key)
    assert "bob" not in f"{row.id} {row.tag} {row.identity_token} {row.community_key}"
    assert "suspended_until" in (await rh.say("bob", "mydata")).text, "it is bob's data"

    sent = await ask(rh, "alice", SECOND_QUESTION)
    assert "on its way to 2 peers" in sent.text, "the asker is told the peers who will really get it"
    rh.platform.clear()
    await deliver(rh)
    assert receivers_of_question(rh) == ["carol", "dan"], "a suspended peer is sent no question"

    rh.clock.advance(days=2)
    again = await rh.say("bob", "ask")
    assert again.form is not None, "the suspension ended on its own at its end time"
    await rh.app.relay.purge()
    async with rh.core.db.session() as session:
        assert (await session.scalars(select(RelaySuspension))).all() == [], "an ended one is forgotten"


async def test_only_the_counts_per_category_survive_a_purge(rh):
    await ask(rh, "alice")
    await deliver(rh)
    await _report(rh, "bob", "off_topic")
    await _report(rh, "carol", "identifying")
    await _report(rh, "dan", "identifying")
    rh.clock.advance(hours=73)

    assert (await rh.app.relay.purge()).threads == 1

    assert await _reports(rh) == []
    async with rh.core.db.session() as session:
        counts = {
            (c.community_key, c.category): c.reports for c in await session.scalars(select(RelayReportCount))
        }
    assert counts == {("console:local", "off_topic"): 1, ("console:local", "identifying"): 2}
    assert {c.name for c in RelayReportCount.__table__.columns} == {"community_key", "category", "reports"}
    listing = await rh.say("organiser", "admin reports")
    assert "• none" in listing.text and "identifying someone: 2, off-topic: 1" in listing.text
    assert listing.buttons == ()
    assert "Reports of anonymous-question messages:* 3" in (await rh.say("organiser", "admin refusals")).text


async def test_erasing_the_reporter_takes_the_link_to_the_person_and_keeps_the_count(rh):
    await ask(rh, "alice")
    await deliver(rh)
    await _report(rh, "bob", "abusive")
    number = _number(rh)
    await rh.say("bob", "leave")
    await rh.press("bob", "Erase my data")

    assert await _reports(rh) == []
    refused = await rh.say("organiser", f"admin report suspend {number}")
    assert f"There is no report {number}" in refused.text
    assert "abusive: 1" in (await rh.say("organiser", "admin reports")).text


async def test_a_notice_the_platform_cannot_take_goes_again_later(rh):
    await ask(rh, "alice")
    await deliver(rh)
    await _answer(rh, "bob")
    rh.platform.refuses_dms.add("bob")
    await _report(rh, "alice", "other")
    assert not [m for m in rh.platform.to("bob") if "reported your answer" in m.text]
    rh.platform.refuses_dms.discard("bob")
    rh.clock.advance(minutes=30)
    await rh.core.jobs.run_due(rh.core)
    assert [m for m in rh.platform.to("bob") if "reported your answer" in m.text]


async def test_a_suspension_still_finds_its_person_after_the_keys_rotate(empty_database, tmp_path):
    h = make_harness(empty_database, tmp_path)
    await h.start()
    try:
        await join_community(h)
        await ask(h, "alice")
        await deliver(h)
        await _answer(h, "bob")
        await _report(h, "alice", "abusive")
        await h.say("organiser", f"admin report suspend {_number(h)}")
        new = Fernet.generate_key().decode()
        h = await restart(h, keys=(new, KEY))
        await h.app.relay.rotate_keys()
        h = await restart(h, keys=(new,))
        assert "cannot ask or answer" in (await h.say("bob", "ask")).text, "re-tagged with the new key"
        assert (await h.say("carol", "ask")).form is not None
    finally:
        await h.stop()
