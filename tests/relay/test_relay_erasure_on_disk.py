"""Deleted relay and profile data leaves no readable byte in the SQLite file, whatever the build.

SQLite builds differ: some turn `secure_delete` on by default, most do not. These tests force it
off on every new connection, as such a build would (the `secure_delete_off_by_default` fixture
in tests/conftest.py), so only the bot's own setting can zero the freed space. Relay content is
stored as Fernet tokens, so the tests look for the exact stored token bytes (read before the
deletion); profile free text is looked for as planted canaries.
"""

from __future__ import annotations

import sqlite3

import pytest
from on_disk import file_bytes
from relay_helpers import ask, join_community, make_harness
from sqlalchemy import select, text

from bot.kernel.storage.models import Profile
from bot.relay.models import RelayMessage, RelayParticipant, RelayThread

CANARIES = {
    "display_name": "Zebulon Canarydisplay",
    "organisation": "Canaryorganisation Borough Council",
    "role": "Canaryrole integration lead",
    "challenge": "Canarychallenge: joining up hospital discharge with adult social care.",
}
LEAKY = (
    "Email me at someone.canary@leeds.gov.uk: has anyone joined up discharge data with the trust? "
    "We have tried a shared care record, a weekly huddle and a joint panel, and none of them has "
    "stuck past the first month; the trust's information governance lead wants a new agreement "
    "for every data flow and our own lawyers want the opposite. What got you past that point?"
)
SHORTER = "Ring 0113 496 0000: did pooled budgets help?"


@pytest.fixture
async def sh(tmp_path, secure_delete_off_by_default):
    """A relay harness on SQLite with secure_delete off at connection level; the community joined."""
    h = make_harness(f"sqlite+aiosqlite:///{tmp_path / 'erase.db'}", tmp_path)
    await h.start()
    await join_community(h, ("alice", "bob", "carol", "dan"))
    yield h
    await h.stop()


def _left_of(token: bytes, data: bytes) -> bool:
    """Whether any 16-byte piece of a token's random part (past its version and time) is in `data`."""
    return any(token[start : start + 16] in data for start in range(24, len(token) - 16, 8))


async def _thread_tokens(h, thread_id: str) -> list[bytes]:
    """Every token stored for a thread: its context, its messages, its handles and identities."""
    async with h.core.db.session() as session:
        thread = await session.get(RelayThread, thread_id)
        messages = (
            await session.execute(select(RelayMessage).where(RelayMessage.thread_id == thread_id))
        ).scalars()
        parties = (
            await session.execute(select(RelayParticipant).where(RelayParticipant.thread_id == thread_id))
        ).scalars()
        tokens = [thread.context_token] + [m.body_token for m in messages]
        tokens += [token for p in parties for token in (p.identity_token, p.handle_token)]
    return [token.encode() for token in tokens]


async def _only_thread_id(h) -> str:
    async with h.core.db.session() as session:
        return (await session.execute(select(RelayThread.id))).scalar_one()


async def test_every_connection_turns_secure_delete_on(sh):
    with sqlite3.connect(":memory:") as plain:
        assert plain.execute("PRAGMA secure_delete").fetchone() == (0,), "the build default is forced off"
    async with sh.core.db.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA secure_delete"))).scalar_one() == 1


async def _sealed_profile(h, user_id: str) -> tuple[bytes, bytes]:
    """A profile's stored token and its wrapped data key, as stored."""
    async with h.core.db.session() as session:
        profile = (await session.execute(select(Profile).where(Profile.user_id == user_id))).scalar_one()
        return profile.sealed.encode(), profile.data_key.wrapped.encode()


async def test_profile_text_is_never_stored_in_clear_and_erasure_shreds_its_key(sh):
    await sh.join("zeb", **CANARIES)
    before = file_bytes(sh)
    assert [name for name, value in CANARIES.items() if value.encode() in before] == []
    token, wrapped_key = await _sealed_profile(sh, "zeb")
    assert _left_of(token, before) and wrapped_key in before, "control: the token and key were stored"
    bob_token, _ = await _sealed_profile(sh, "bob")
    await sh.say("zeb", "leave")
    assert "erased" in (await sh.press("zeb", "Erase my data")).text
    after = file_bytes(sh)
    assert not _left_of(token, after) and wrapped_key not in after
    assert _left_of(bob_token, after), "the others' profiles are still there"


async def test_an_edited_draft_leaves_no_old_token_in_the_file(sh):
    found = await ask(sh, "alice", LEAKY)
    assert [b.label for b in found.buttons] == ["Edit", "Send anyway", "Cancel"], found.text
    old = await _thread_tokens(sh, await _only_thread_id(sh))
    assert all(token in file_bytes(sh) for token in old)
    edit = await sh.press("alice", "Edit")
    again = await sh.submit(
        "alice",
        "ask.submit",
        {"question": SHORTER, "share_org_type": "yes", "share_region": "no"},
        edit.form.args,
    )
    assert "Send anyway" in [b.label for b in again.buttons], again.text
    new = await _thread_tokens(sh, await _only_thread_id(sh))
    after = file_bytes(sh)
    replaced = [token for token in old if token not in new]
    assert len(replaced) == 2, "the question and the shared context were re-encrypted"
    assert all(token in after for token in new)
    assert [token[:20] for token in replaced if _left_of(token, after)] == []


async def test_a_cancelled_ask_leaves_no_token_in_the_file(sh):
    await ask(sh, "alice", LEAKY)
    tokens = await _thread_tokens(sh, await _only_thread_id(sh))
    assert len(tokens) == 4 and all(token in file_bytes(sh) for token in tokens)
    assert "Nothing was sent" in (await sh.press("alice", "Cancel")).text
    after = file_bytes(sh)
    assert [token[:20] for token in tokens if _left_of(token, after)] == []
