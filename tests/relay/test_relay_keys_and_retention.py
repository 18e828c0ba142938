"""Keys fail closed (missing, invalid, wrong); rotation re-encrypts everything; retention deletes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from relay_helpers import (
    KEY,
    MARKER_A,
    MARKER_Q,
    ask,
    deliver,
    join_community,
    make_harness,
    receivers_of_question,
    restart,
)
from sqlalchemy import func, select

from bot.app.bootstrap import build_app, prepare
from bot.app.cli import main
from bot.kernel.config import ConfigError
from bot.kernel.data_keys import OPERATOR_KEY_ID
from bot.kernel.storage.data_keys import DataKey
from bot.kernel.storage.database import SchemaError
from bot.kernel.storage.job_models import Job
from bot.relay.models import RelayKeyCheck, RelayMessage, RelayParticipant, RelayThread
from bot.relay.texts import RELAY_UNAVAILABLE

RELAY_TABLES = (RelayThread, RelayParticipant, RelayMessage)


async def _counts(h) -> dict[str, int]:
    async with h.core.db.session() as session:
        return {
            table.__tablename__: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for table in RELAY_TABLES
        }


async def _answer(h, text: str) -> None:
    form = await h.press("bob", "Answer")
    await h.submit("bob", "relay.answer.submit", {"answer": text}, form.form.args)


async def test_without_a_key_the_relay_refuses_and_says_how_to_make_one(empty_database, tmp_path):
    """The operator is told why and how to make a key; a practitioner only that it is unavailable."""
    h = make_harness(empty_database, tmp_path, keys=None)
    await h.start()
    try:
        _, unwrapped, note = await prepare(h.core)
        assert "no encryption key is set" in note and "peerbot relay new-key" in note
        assert "stored unwrapped" in unwrapped, "the operator is told what a missing key means for profiles"
        await join_community(h, ("alice", "bob"))
        reply = await h.say("alice", "ask")
        assert reply.form is None and reply.text == RELAY_UNAVAILABLE
        refused = await h.submit("alice", "ask.submit", {"question": f"Sneaking past the form {MARKER_Q}"})
        assert refused.text == RELAY_UNAVAILABLE
        assert await _counts(h) == {"relay_threads": 0, "relay_participants": 0, "relay_messages": 0}
        assert all(MARKER_Q not in d.message.text for d in h.platform.delivered)
    finally:
        await h.stop()


def test_a_key_that_is_not_a_fernet_key_stops_the_bot_without_showing_it(empty_database, tmp_path):
    config = make_harness(empty_database, tmp_path, keys=("not-a-key",)).config
    with pytest.raises(ConfigError) as refused:
        build_app(config)
    assert "PEERBOT_ENCRYPTION_KEYS" in str(refused.value) and "peerbot relay new-key" in str(refused.value)
    assert "not-a-key" not in str(refused.value)


async def test_a_wrong_key_stops_the_bot_before_anything_is_read_or_sent(empty_database, tmp_path):
    h = make_harness(empty_database, tmp_path)
    await h.start()
    await join_community(h)
    await ask(h, "alice")
    await h.stop()
    wrong = make_harness(h.config.database_url(), tmp_path, keys=(Fernet.generate_key().decode(),))
    wrong.clock, wrong.platform = h.clock, h.platform
    with pytest.raises(SchemaError, match="do not open with PEERBOT_ENCRYPTION_KEYS"):
        await wrong.start()
    await wrong.stop()
    try:
        h = await restart(h, keys=(KEY,))
        await deliver(h, 3600)
        assert len(receivers_of_question(h)) == 3, "with the right key back, nothing was lost"
    finally:
        await h.stop()


async def test_rotation_re_wraps_every_data_key_with_the_new_key(empty_database, tmp_path):
    h = make_harness(empty_database, tmp_path)
    await h.start()
    await join_community(h)
    await ask(h, "alice")
    await deliver(h)
    await _answer(h, f"Rotate me {MARKER_A}")
    new = Fernet.generate_key().decode()
    h = await restart(h, keys=(new, KEY))
    try:
        changed = await h.app.relay.rotate_keys()
        assert changed > 10
        async with h.core.db.session() as session:
            wrapped = (
                await session.execute(select(DataKey.wrapped).where(DataKey.id != OPERATOR_KEY_ID))
            ).all()
            tokens = [w.removeprefix("f1:") for (w,) in wrapped]
            tokens += [(await session.get(RelayKeyCheck, 1)).token]
        assert len(tokens) > 5, "profiles' and the thread's keys"
        assert all(Fernet(new.encode()).decrypt(t.encode()) is not None for t in tokens)
        h = await restart(h, keys=(new,))
        listed = await h.say("alice", "threads")
        assert MARKER_Q[:10] in listed.text or "1 answer(s)" in listed.text, listed.text
        assert "1 answer(s)" in listed.text, "tags were recomputed: the asker still finds her thread"
        assert "1 answer(s)" not in (await h.say("bob", "threads")).text
    finally:
        await h.stop()


async def test_cli_new_key_and_rotate_keys(empty_database, tmp_path, monkeypatch, capsys):
    assert await asyncio.to_thread(main, ["relay", "new-key"]) == 0
    key = capsys.readouterr().out.strip()
    Fernet(key.encode())
    h = make_harness(empty_database, tmp_path)
    await h.start()
    await join_community(h, ("alice", "bob"))
    await ask(h, "alice")
    await h.stop()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEERBOT_DATABASE_URL", h.config.database_url())
    monkeypatch.setenv("PEERBOT_ENCRYPTION_KEYS", f"{key},{KEY}")
    assert await asyncio.to_thread(main, ["relay", "rotate-keys"]) == 0
    assert "Re-encrypted" in capsys.readouterr().out
    monkeypatch.setenv("PEERBOT_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    assert await asyncio.to_thread(main, ["relay", "rotate-keys"]) == 1
    assert "do not open with PEERBOT_ENCRYPTION_KEYS" in capsys.readouterr().err


async def test_threads_are_deleted_after_retention_by_the_scheduled_purge(rh):
    await ask(rh, "alice")
    await deliver(rh)
    await _answer(rh, f"Keep me for a while {MARKER_A}")
    before = await _counts(rh)
    assert before["relay_messages"] == 2 and before["relay_participants"] == 4
    rh.clock.advance(hours=71)
    await rh.core.jobs.run_due(rh.core)
    assert await _counts(rh) == before, "not before the retention period has passed"
    rh.clock.advance(hours=1, minutes=1)
    await rh.core.jobs.run_due(rh.core)
    assert await _counts(rh) == {"relay_threads": 0, "relay_participants": 0, "relay_messages": 0}
    async with rh.core.db.session() as session:
        purges = (await session.execute(select(Job).where(Job.kind == "relay.purge"))).scalars().all()
    assert sum(job.status == "pending" for job in purges) == 1, "the next hourly purge is booked"


async def test_retention_counts_from_close_and_purge_command(rh, monkeypatch, tmp_path, capsys):
    await ask(rh, "alice")
    await deliver(rh)
    rh.clock.advance(hours=48)
    await rh.press("alice", "Close question")
    rh.clock.advance(hours=48)
    assert (await rh.app.relay.purge()).threads == 0, "72 hours from the close, not the ask"
    rh.clock.advance(hours=25)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEERBOT_DATABASE_URL", rh.config.database_url())
    monkeypatch.setenv("PEERBOT_ENCRYPTION_KEYS", KEY)
    # The CLI runs on the real clock, well after the fake one: the thread is long past retention.
    assert datetime.now(UTC) > rh.clock.now() + timedelta(hours=72)
    assert await asyncio.to_thread(main, ["purge"]) == 0
    assert "1 thread(s), 1 message(s), 4 handle(s)" in capsys.readouterr().out
    assert (await _counts(rh))["relay_threads"] == 0


async def test_undelivered_questions_of_a_purged_thread_are_never_sent(empty_database, tmp_path):
    h = make_harness(
        empty_database, tmp_path, {"relay": {"delay_seconds_min": 3000, "delay_seconds_max": 3000}}
    )
    await h.start()
    try:
        await join_community(h)
        await ask(h, "alice")
        await h.app.relay.purge(everything=True)
        await deliver(h, 3001)
        assert receivers_of_question(h) == []
    finally:
        await h.stop()


async def test_the_purge_sleeps_until_a_thread_can_fall_due_not_every_hour(rh):
    """A fake clock moved on by weeks (the console's /clock) must not walk through one purge an hour."""
    await rh.core.jobs.run_due(rh.core)
    start = rh.clock.now()
    async with rh.core.db.session() as session:
        purges = (await session.execute(select(Job).where(Job.kind == "relay.purge"))).scalars().all()
    pending = [job.due_at for job in purges if job.status == "pending"]
    assert pending == [start + rh.config.relay.retention], "no thread: nothing is due for a retention"
    await ask(rh, "alice")
    rh.clock.advance(hours=71)
    await rh.core.jobs.run_due(rh.core)
    async with rh.core.db.session() as session:
        done = (
            await session.execute(select(func.count()).where(Job.kind == "relay.purge", Job.status == "done"))
        ).scalar_one()
    assert done == 1
