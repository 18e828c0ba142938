"""Match reasons after someone leaves: the partner's `/peer mydata` and the database file keep
nothing of the leaver, because reasons are stored as facts keyed by member id and their words
are rendered when shown."""

from __future__ import annotations

import json

import pytest_asyncio
from on_disk import file_bytes
from sqlalchemy import select

from bot.kernel.storage.groups import MatchGroup
from harness import Harness

LEAVER = {
    "display_name": "Zebulon Canarydisplay",
    "organisation": "Canaryorg Borough Council",
    "stage": "implementing",
    "challenge": "Hospital discharge stalls while Canaryorg Borough Council and the trust argue on funding.",
}
PARTNER = {
    "display_name": "Priya",
    "organisation": "Leeds Teaching Hospitals",
    "org_type": "nhs_trust",
    "stage": "planning",
    "challenge": "Our hospital discharge work with Canaryorg Borough Council keeps stalling on who pays.",
}


async def matched_then_left(h: Harness) -> tuple[list[str], list[str]]:
    """Zeb and Priya are matched and introduced, then Zeb leaves and is erased; returns Priya's
    reasons in `/peer mydata` before and after."""
    await h.join("zeb", **LEAVER)
    await h.join("priya", **PARTNER)
    assert "Round 1 committed: 1 group;" in (await h.say("admin", "admin round seed 1")).text
    assert await h.core.jobs.run_due(h.core) == {"done": 1}
    before = await reasons_in_mydata(h, "priya")
    await h.say("zeb", "leave")
    assert "erased" in (await h.press("zeb", "Erase my data")).text
    return before, await reasons_in_mydata(h, "priya")


async def reasons_in_mydata(h: Harness, user: str) -> list[str]:
    data = json.loads((await h.say(user, "mydata")).attachments[0].data)
    [match] = data["matches"]
    return match["reasons"]


async def test_the_partners_mydata_keeps_no_trace_of_the_leaver(harness):
    before, after = await matched_then_left(harness)
    assert "Zebulon Canarydisplay is a stage ahead, at implementing" in before
    assert any("canaryorg borough" in reason for reason in before), "the organisation was a shared phrase"
    shown = " | ".join(after).casefold()
    assert "zebulon" not in shown and "canarydisplay" not in shown and "canaryorg" not in shown
    assert after == [
        "both are working on similar challenges",
        "your peer is a stage ahead, at implementing",
        "both cover health and social care",
    ]


async def test_stored_reasons_name_nobody(harness):
    await matched_then_left(harness)
    async with harness.core.db.session() as session:
        [stored] = (await session.execute(select(MatchGroup.reasons))).scalars().all()
    text = json.dumps(stored).casefold()
    assert [fact["kind"] for fact in stored] == ["shared_work", "stage_ahead", "shared_areas"]
    for person in (LEAVER, PARTNER):
        for field in ("display_name", "organisation", "challenge"):
            assert person[field].casefold() not in text, field
    assert "hospital discharge" not in text and "canaryorg" not in text, "no words of a challenge"


@pytest_asyncio.fixture
async def on_file(tmp_path, secure_delete_off_by_default):
    """A harness on a SQLite file whose connections start with secure_delete off."""
    h = Harness.create(f"sqlite+aiosqlite:///{tmp_path / 'reasons.db'}", tmp_path)
    await h.start()
    yield h
    await h.stop()


async def test_the_leavers_name_leaves_no_byte_in_the_database_file(on_file):
    await on_file.join("zeb", **LEAVER)
    await on_file.join("priya", **PARTNER)
    await on_file.say("admin", "admin round seed 1")
    await on_file.core.jobs.run_due(on_file.core)
    before = file_bytes(on_file)
    assert b'"kind"' in before, "control: the group's reasons were stored"
    assert LEAVER["display_name"].encode() not in before, "neither reasons nor the sealed profile hold it"
    await on_file.say("zeb", "leave")
    await on_file.press("zeb", "Erase my data")
    after = file_bytes(on_file)
    assert LEAVER["display_name"].encode() not in after
    assert b"Canarydisplay" not in after and b"Zebulon" not in after
    partner = await on_file.core.people.find(on_file.actor("priya"))
    assert partner.challenge == PARTNER["challenge"], "the partner's profile is still there"
