"""A planted marker in a question and an answer must appear in no log record, no database byte
or row, and no outbound message except the deliveries to the asker's and chosen peers' DMs."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from pathlib import Path

import pytest
from log_capture import every_logger_at_debug as capture_every_logger
from relay_helpers import (
    MARKER_A,
    MARKER_Q,
    QUESTION,
    ask,
    deliver,
    join_community,
    make_harness,
    receivers_of_question,
    restart,
)
from sqlalchemy import text

from bot.kernel.logging_setup import SENSITIVE, LibraryBodyFilter
from bot.kernel.outbox import DirectMessage, ReplyTo

MARKERS = (MARKER_Q, MARKER_A)


@pytest.fixture
def every_logger_at_debug():
    with capture_every_logger() as capture:
        yield capture


def _leaks(texts, markers=MARKERS) -> list[str]:
    return [t[:300] for t in texts if any(m in t for m in markers)]


def _message_text(message) -> str:
    return repr(asdict(message))


async def _full_conversation(h) -> None:
    await ask(h, "alice")
    await deliver(h)
    await h.press("bob", "Answer")
    await h.submit(
        "bob",
        "relay.answer.submit",
        {"answer": f"We pooled budgets. {MARKER_A}"},
        (h.platform.last("bob").form.args),
    )
    follow = await h.press("alice", "Ask a follow-up")
    await h.submit(
        "alice", "relay.followup.submit", {"followup": f"How long did it take? {MARKER_Q}"}, follow.form.args
    )
    await h.say("alice", "threads")
    await h.say("bob", "threads")
    await h.say("alice", "mydata")
    await h.press("bob", "Offer to swap contact details")
    await h.say("organiser", "admin refusals")


async def _sqlite_bytes(h) -> bytes:
    path = Path(h.config.database_url().split(":///", 1)[1])
    data = b""
    for suffix in ("", "-wal", "-journal", "-shm"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            data += candidate.read_bytes()
    return data


async def _postgres_rows(h) -> str:
    dump = []
    async with h.core.db.engine.connect() as connection:
        tables = (
            (
                await connection.execute(
                    text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                )
            )
            .scalars()
            .all()
        )
        for table in tables:
            rows = (
                (await connection.execute(text(f'SELECT CAST(t AS text) FROM "{table}" t'))).scalars().all()
            )
            dump += [f"{table}: {row}" for row in rows]
    return "\n".join(dump)


async def test_markers_reach_only_the_chosen_direct_messages_and_nothing_else(
    empty_database, tmp_path, every_logger_at_debug
):
    h = make_harness(empty_database, tmp_path)
    await h.start()
    try:
        await join_community(h)
        await _full_conversation(h)
        chosen = set(receivers_of_question(h))
        assert len(chosen) == 3
        allowed = chosen | {"alice"}

        # Outbound: every message carrying a marker went to an allowed person's private view.
        carrying = [d for d in h.platform.delivered if any(m in _message_text(d.message) for m in MARKERS)]
        assert {
            d.user_id
            for d in carrying
            if MARKER_Q in d.message.text and "anonymous question" in d.message.text
        } == chosen
        for delivered in carrying:
            assert delivered.user_id in allowed, delivered.user_id
            destination = delivered.destination
            if isinstance(destination, ReplyTo):
                assert destination.invocation.place.is_private
                assert destination.invocation.actor.user_id == delivered.user_id
            else:
                assert isinstance(destination, DirectMessage) and destination.user_id == delivered.user_id
        assert any(MARKER_A in d.message.text for d in carrying if d.user_id == "alice")
        for bystander in ("erin", "frank", "gina", "organiser"):
            assert not _leaks([_message_text(m) for m in h.platform.to(bystander)]), bystander

        # Database: before anything is purged, no row holds a marker in clear.
        if h.core.db.is_sqlite:
            await h.stop()
            data = await _sqlite_bytes(h)
            assert b"relay_messages" in data, "control: the file was read"
            assert b"Alice Ashdown" not in data, "profile names are sealed under the person's key"
            for marker in MARKERS:
                assert marker.encode() not in data
                assert marker.encode("utf-16-le") not in data
            h = await restart(h)
        else:
            dump = await _postgres_rows(h)
            assert "relay_messages" in dump, "control: rows were dumped"
            assert "Alice Ashdown" not in dump, "profile names are sealed under the person's key"
            assert not _leaks([dump])
    finally:
        await h.stop()

    # Logs: nothing at any level from any logger, libraries included.
    assert every_logger_at_debug.texts, "control: records were captured"
    assert any("sent relay.question" in t for t in every_logger_at_debug.texts), "control: DEBUG reached us"
    assert not _leaks(every_logger_at_debug.texts)


def test_the_log_check_would_catch_a_leak(every_logger_at_debug):
    logging.getLogger("bot.relay").debug("oops %s", MARKER_Q)
    logging.getLogger("peerbot.elsewhere").debug("params %s", MARKER_A)
    assert len(_leaks(every_logger_at_debug.texts)) == 2


def test_sensitive_text_is_scrubbed_by_the_production_filter():
    record = logging.LogRecord("slack_bolt.x", logging.WARNING, __file__, 1, "body=%s", (QUESTION,), None)
    SENSITIVE.add(QUESTION)
    try:
        assert LibraryBodyFilter().filter(record)
        assert MARKER_Q not in record.getMessage() and "[redacted]" in record.getMessage()
    finally:
        SENSITIVE.discard(QUESTION)
    quiet = logging.LogRecord(
        "slack_bolt.x", logging.INFO, __file__, 1, "rejected body %s", (QUESTION,), None
    )
    assert not LibraryBodyFilter().filter(quiet), "library records below WARNING are dropped"


async def test_in_flight_text_is_forgotten_after_use(rh):
    await ask(rh, "alice")
    await deliver(rh)
    assert not any(MARKER_Q in t for t in SENSITIVE._texts), "plaintext is not kept after the message left"


async def test_admin_outputs_and_export_never_show_relay_content(
    rh, monkeypatch, tmp_path, capsys, every_logger_at_debug
):
    await ask(rh, "alice")
    await deliver(rh)
    await rh.press("bob", "Answer")
    await rh.submit(
        "bob", "relay.answer.submit", {"answer": f"Answer {MARKER_A}"}, rh.platform.last("bob").form.args
    )
    for command in ("admin refusals", "admin reports", "help", "profile", "mydata"):
        reply = await rh.say("organiser" if command.startswith("admin") else "carol", command)
        assert not _leaks([_message_text(reply)]), command
    own = await rh.say("alice", "mydata")
    assert MARKER_Q in own.text, "the asker's own question is in their own subject access export"
    assert MARKER_A not in own.text, "someone else's answer is theirs, not the asker's"

    from relay_helpers import KEY

    from bot.app.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEERBOT_DATABASE_URL", rh.config.database_url())
    monkeypatch.setenv("PEERBOT_ENCRYPTION_KEYS", KEY)
    for fmt in ("csv", "json"):
        assert await asyncio.to_thread(main, ["export", "--format", fmt]) == 0
        out = capsys.readouterr()
        assert "Alice Ashdown" in out.out, "control: the export ran"
        assert not _leaks([out.out, out.err])


async def test_llm_never_sees_relay_content_unless_allowed(empty_database, tmp_path):
    from relay_helpers import RELAY_CONFIG

    class FakeAssist:
        """The real (disabled) assistant, but recording what the relay hands its check."""

        def __init__(self, real):
            self.seen: list[str] = []
            self._real = real

        def __getattr__(self, name):
            return getattr(self._real, name)

        async def identifying_details(self, text_: str):
            self.seen.append(text_)
            return ["the winter pressures"]

    for allowed in (False, True):
        raw = {**RELAY_CONFIG, "llm": {"allow_relay_content": allowed}}
        h = make_harness(empty_database if allowed is False else empty_database, tmp_path / str(allowed), raw)
        await h.start()
        try:
            assist = FakeAssist(h.app.assist)
            h.app.relay.detail_check.assistant = assist
            await join_community(h, ("alice", "bob")) if not allowed else None
            reply = await ask(h, "alice")
            if allowed:
                assert assist.seen == [QUESTION]
                assert "“the winter pressures”" in reply.text
            else:
                assert assist.seen == [], "the default never hands relay content to the LLM"
                assert "on its way" in reply.text
        finally:
            await h.stop()
