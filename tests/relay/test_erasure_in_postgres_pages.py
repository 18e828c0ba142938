"""Purged and erased data is unreadable in PostgreSQL's raw pages, not just absent from SELECT.

PostgreSQL keeps deleted and updated rows in the table's pages until a vacuum, and copies
them to WAL and backups. The bot does not rely on vacuuming the content tables: each thread
and person has a data key, and shredding it makes every copy unreadable. These tests read
every page of every table, TOAST table and index with `pageinspect`, pull out every Fernet
token, and try each with every key that still exists: the operator's and every live data key.
"""

from __future__ import annotations

import os
import re

import pytest
from cryptography.fernet import Fernet, InvalidToken
from relay_helpers import KEY, MARKER_A, ask, deliver, join_community, make_harness
from sqlalchemy import select, text

from bot.kernel.data_keys import OPERATOR_KEY_ID
from bot.kernel.storage.data_keys import DataKey
from bot.relay.models import RelayThread
from harness import JOIN_FORM, PG_ENV, fresh_postgres

pytestmark = pytest.mark.skipif(not os.environ.get(PG_ENV), reason="needs PostgreSQL (CI always has it)")

TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_\-]{40,}={0,2}")
CANARIES = {
    "display_name": "Zebulon Pagecanary",
    "organisation": "Pagecanary Borough Council",
    "role": "Pagecanary integration lead",
    "challenge": "Pagecanary: joining up hospital discharge with adult social care in Westmoor.",
}
FOLLOW_UP = "PAGECANARYFOLLOWUP: which panel did you take it to first?"


@pytest.fixture
async def ph(tmp_path):
    """A relay harness on the test PostgreSQL, emptied, with pageinspect available."""
    url = os.environ[PG_ENV]
    await fresh_postgres(url)
    h = make_harness(url, tmp_path)
    await h.start()
    async with h.core.db.engine.begin() as connection:
        await connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    await join_community(h, ("alice", "bob", "carol", "dan"))
    yield h
    await h.stop()


async def raw_pages(h) -> bytes:
    """Every page of every relation in the database's own schema, read through the buffer
    manager (so what is not yet written to disk is read too), then every tuple version in
    the tables' pages — dead ones too — with compressed values decompressed."""
    query = text(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 't', 'i') AND c.relam IN (0, 2, 403) AND (n.nspname = 'public' OR "
        "c.oid IN (SELECT reltoastrelid FROM pg_class k JOIN pg_namespace m ON m.oid = k.relnamespace "
        "WHERE m.nspname = 'public'))"
    )
    pages = []
    async with h.core.db.engine.connect() as connection:
        for relation in (await connection.execute(query)).scalars():
            size = await connection.scalar(
                text("SELECT pg_relation_size(CAST(:r AS regclass))"), {"r": relation}
            )
            for block in range(size // 8192):
                page = "SELECT get_raw_page(:r, :b)"
                pages.append(await connection.scalar(text(page), {"r": relation, "b": block}))
            pages += await tuple_values(connection, relation, size // 8192)
    return b"".join(pages)


async def tuple_values(connection, relation: str, blocks: int) -> list[bytes]:
    """Each attribute of each tuple in a table's pages, live or dead, decompressed."""
    kind = await connection.scalar(
        text("SELECT relkind FROM pg_class WHERE oid = CAST(:r AS regclass)"), {"r": relation}
    )
    if kind not in ("r", "t") or not blocks:
        return []
    query = text(
        "SELECT tuple_data_split(CAST(:r AS regclass)::oid, t_data, t_infomask, t_infomask2, t_bits, true) "
        "FROM generate_series(0, :n - 1) AS b, heap_page_items(get_raw_page(:r, b::int)) "
        "WHERE lp_flags = 1 AND t_data IS NOT NULL"
    )
    rows = (await connection.execute(query, {"r": relation, "n": blocks})).scalars()
    return [value for row in rows for value in row if value]


async def live_ciphers(h) -> list:
    """Every key that exists now: the operator's, and each data key still stored."""
    boxes = [Fernet(KEY.encode())]
    async with h.core.db.session() as session:
        for key in (await session.execute(select(DataKey).where(DataKey.id != OPERATOR_KEY_ID))).scalars():
            boxes.append(h.core.db.data_keys.box(key))
    return boxes


def opens(token: bytes, ciphers: list) -> str | None:
    """The text of a token if any existing key opens it."""
    for cipher in ciphers:
        try:
            return cipher.decrypt(token).decode("utf-8", "replace")
        except InvalidToken:
            continue
    return None


def fernet_tokens(data: bytes) -> set[bytes]:
    """Every stretch that may be a Fernet token, cut at each length a token can have (a
    match can run on into the next bytes of the page, which may look like base64 too)."""
    found = set()
    for match in TOKEN.findall(data):
        bare = match.rstrip(b"=")
        for size in range(57, len(bare) * 3 // 4 + 1, 16):  # version, time, IV, HMAC + AES blocks
            length = -(-size // 3) * 4
            unpadded = length - (-size % 3)
            if unpadded <= len(bare):
                found.add(bare[:unpadded] + b"=" * (length - unpadded))
    return found


def unwrapped_keys(tokens: set[bytes]) -> list[Fernet]:
    """Data keys an attacker with the operator's key can unwrap from any copy left in a page."""
    found = []
    for token in tokens:
        opened = opens(token, [Fernet(KEY.encode())])
        try:
            found.append(Fernet(opened.encode()))
        except (AttributeError, ValueError):
            continue
    return found


async def readable_texts(h) -> list[str]:
    """What every token left anywhere in the pages says, where some existing key opens it,
    including a data key unwrapped from a deleted row's copy."""
    tokens = fernet_tokens(await raw_pages(h))
    ciphers = await live_ciphers(h) + unwrapped_keys(tokens)
    texts = (opens(token, ciphers) for token in tokens)
    return [found for found in texts if found is not None]


async def test_a_purged_thread_leaves_no_readable_token_in_any_page(ph):
    await ask(ph, "alice")
    await deliver(ph)
    answer = await ph.press("bob", "Answer")
    await ph.submit(
        "bob", "relay.answer.submit", {"answer": f"We took it to the board {MARKER_A}"}, answer.form.args
    )
    followup = await ph.press("alice", "Ask a follow-up")
    await ph.submit("alice", "relay.followup.submit", {"followup": FOLLOW_UP}, followup.form.args)
    before = await readable_texts(ph)
    assert any(MARKER_A in found for found in before) and any("PAGECANARYFOLLOWUP" in f for f in before), (
        "control: the thread's tokens are in the pages and open while it lives"
    )
    ph.clock.advance(hours=73)
    assert (await ph.app.relay.purge()).threads == 1
    async with ph.core.db.session() as session:
        assert (await session.execute(select(RelayThread))).first() is None
    after = await readable_texts(ph)
    assert [found for found in after if MARKER_A in found or "PAGECANARYFOLLOWUP" in found] == []
    assert not [found for found in after if '"platform"' in found and '"user_id"' in found], (
        "no identity-to-handle link opens either"
    )
    assert b"PAGECANARYFOLLOWUP" not in await raw_pages(ph), "and nothing was ever in clear"


async def test_an_erased_profile_leaves_no_readable_text_in_any_page(ph):
    await ph.join("zeb", **CANARIES)
    edited = {**JOIN_FORM, **CANARIES, "challenge": "Pagecanary edited: discharge to assess with the trust."}
    assert "Pagecanary edited" in (await ph.submit("zeb", "profile.submit", edited)).text
    pages = await raw_pages(ph)
    assert [value for value in CANARIES.values() if value.encode() in pages] == [], "never in clear"
    before = await readable_texts(ph)
    assert any("Pagecanary Borough Council" in found for found in before), "control: the profile opens now"
    await ph.say("zeb", "leave")
    assert "erased" in (await ph.press("zeb", "Erase my data")).text
    after = await readable_texts(ph)
    assert [found for found in after if "Pagecanary" in found] == []
    assert any("Bob" in found for found in after), "control: the others' profiles still open"


async def test_a_peer_who_leaves_leaves_no_readable_link_in_a_thread_that_stays(ph):
    await ask(ph, "alice")
    await deliver(ph)
    answer = await ph.press("bob", "Answer")
    reply = {"answer": f"From the trust side {MARKER_A}"}
    await ph.submit("bob", "relay.answer.submit", reply, answer.form.args)
    assert any('"bob"' in found for found in await readable_texts(ph)), "control: bob's link opens now"
    await ph.say("bob", "leave")
    assert "erased" in (await ph.press("bob", "Erase my data")).text
    after = await readable_texts(ph)
    assert [found for found in after if '"bob"' in found or MARKER_A in found] == []
    assert any('"alice"' in found for found in after), "control: the thread stays, under a new key"
    assert "Your question" in (await ph.say("alice", "threads")).text, "and still reads for the asker"
