"""The anonymous relay with `peerbot run` as a real process on the real clock: a question asked
in the modal reaches peers after its random delay, an answer reaches the asker, the asker
closes the thread, and after the retention period the purge job leaves no relay rows."""

from __future__ import annotations

import pytest
from e2e_people import FOUR, import_people
from e2e_slack import TEAM, posts, slack_people

from bot.relay.models import RelayMessage, RelayParticipant, RelayThread

pytestmark = pytest.mark.e2e
QUESTION = (
    "How did you persuade the acute trust to share discharge data with adult social care "
    "before the winter pressures started? MARKERQUESTIONe2e"
)
ANSWER = "A data sharing agreement signed by both Caldicott guardians. MARKERANSWERe2e"


async def relay_rows(db) -> dict[str, int]:
    return {
        "threads": await db.count(RelayThread),
        "messages": await db.count(RelayMessage),
        "participants": await db.count(RelayParticipant),
    }


async def test_ask_deliver_answer_close_and_purge(bots, fake_slack, http_session, shared_db):
    await import_people(bots, FOUR, "slack", TEAM)
    people = await slack_people(bots, fake_slack, "http", http_session)

    await people.say("U1", "ask")
    modal = await bots.wait_for(lambda: people.modal("U1", "Ask peers anonymously"), 10, "the ask modal")
    ack = await people.submit(
        "U1", modal, {"question": QUESTION, "share_org_type": "no", "share_region": "no"}
    )
    assert ack.get("response_action") == "update" and "on its way to 3 peers" in str(ack["view"]), ack

    def questions() -> list[str]:
        return sorted(p.user for p in posts(fake_slack) if p.kind == "relay.question")

    assert await bots.wait_for(
        lambda: len(questions()) == 3 and questions(), 10, "the question to 3 peers"
    ) == [
        "U2",
        "U3",
        "U4",
    ]
    assert all("MARKERQUESTIONe2e" not in p.text for p in posts(fake_slack) if p.user == "U1")

    await people.press("U2", "Answer")
    answer_modal = await bots.wait_for(lambda: people.modal("U2", "Answer Peer"), 10, "the answer modal")
    ack = await people.submit("U2", answer_modal, {"answer": ANSWER})
    assert ack.get("response_action") == "update" and "Sent to Peer" in str(ack["view"]), ack
    answers = await bots.wait_for(
        lambda: [p for p in posts(fake_slack) if p.kind == "relay.answer"],
        10,
        "the answer to reach the asker",
    )
    assert [(p.user, "MARKERANSWERe2e" in p.text) for p in answers] == [("U1", True)]
    assert await relay_rows(shared_db) == {"threads": 1, "messages": 2, "participants": 4}

    await people.press("U1", "Close question")
    await bots.wait_for(lambda: people.sees("U1", "Closed."), 10, "the thread to close")

    async def purged() -> bool:
        return await relay_rows(shared_db) == {"threads": 0, "messages": 0, "participants": 0}

    await bots.wait_for(purged, 15, "the purge to delete the closed thread after retention (3 s)")
    carrying = [c for c in fake_slack.calls if "MARKERANSWERe2e" in repr(c.params)]
    assert {c.params.get("channel") for c in carrying} == {"DU1"}, "the answer went only to the asker's DM"
