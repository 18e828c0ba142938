"""The anonymous relay through Slack, in HTTP and Socket Mode: a question asked in a modal
reaches the chosen peers' DMs after the delay, an answer goes back to the asker's DM, and
planted markers reach Slack only in those DMs and never a log record, at any level."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from fake_slack import TEAM
from log_capture import every_logger_at_debug as capture_every_logger
from sqlalchemy import select
from test_slack_journeys import JOIN

from bot.kernel.scheduler import advance_clock
from bot.kernel.storage.models import Refusal

KEY = Fernet.generate_key().decode()
MARKER_Q = "MARKERQUESTIONslackxyzzy"
MARKER_A = "MARKERANSWERslackfrobnicate"
QUESTION = (
    "How did you persuade the acute trust to share discharge data with adult social care "
    f"before the winter pressures started? {MARKER_Q}"
)
RELAY = {
    "env": {"PEERBOT_ENCRYPTION_KEYS": KEY},
    "relay": {"delay_seconds_min": 30, "delay_seconds_max": 300},
    "admins": {"slack": {TEAM: ["UADMIN"]}},
}
PEOPLE = {  # U1 asks; U5 works where U1 does, so is never chosen
    "U1": ("Alice Ashdown", "Leeds City Council", "Sharing hospital discharge data with the acute trust."),
    "U2": ("Bob Brennan", "Manchester University NHS Trust", "Discharge data sharing with social care."),
    "U3": ("Carol Cotton", "Bristol City Council", "Data sharing agreements for hospital discharge."),
    "U4": ("Dan Dorrell", "Riverside Housing", "Housing adaptations and occupational therapy lists."),
    "U5": ("Erin Evans", "leeds city council", "Sharing hospital discharge data with the acute trust."),
}
pytestmark = pytest.mark.parametrize("slack_world", [RELAY], indirect=True)


@pytest.fixture
def every_logger_at_debug():
    with capture_every_logger() as capture:
        yield capture


async def join_everyone(world) -> None:
    for user, (name, org, challenge) in PEOPLE.items():
        await world.say(user, "join")
        await world.submit(user, {**JOIN, "display_name": name, "organisation": org, "challenge": challenge})
        await world.press(user, "I agree, join")


def carrying(world, marker: str) -> list:
    return [c for c in world.fake.calls if marker in repr(c.params)]


async def ask_and_deliver(world) -> list[dict]:
    """U1 asks through the modal; the delay passes. Returns the acknowledgements Slack got."""
    acks = [await world.say("U1", "ask")]
    modal = world.modal("U1")
    assert modal["title"]["text"] == "Ask peers anonymously"
    assert world.fake.called("views.open")[-1].params["view"]["title"]["text"] == "Ask peers anonymously"
    ack = await world.submit("U1", {"question": QUESTION, "share_org_type": "no", "share_region": "no"})
    acks.append(ack)
    assert ack["response_action"] == "update" and "on its way to 3 peers" in str(ack["view"])
    assert not carrying(world, MARKER_Q), "nothing is sent before the delay"
    core = world.core
    await world.wait(advance_clock(core, core.clock, timedelta(seconds=301)))
    return acks


async def test_question_and_answer_reach_only_the_chosen_dms_and_no_log(every_logger_at_debug, slack_world):
    world = slack_world
    await join_everyone(world)
    # Carol's DM is reported as shared with another organisation (Slack Connect).
    world.fake.conversations["DU3"] = {"id": "DU3", "is_im": True, "user": "U3", "is_ext_shared": True}
    acks = await ask_and_deliver(world)

    questions = carrying(world, MARKER_Q)
    assert {c.method for c in questions} == {"chat.postMessage"}
    assert sorted(c.params["channel"] for c in questions) == ["DU2", "DU4"], "chosen, not shared, not own org"
    infos = {c.params["channel"] for c in world.fake.called("conversations.info")}
    assert {"DU2", "DU3", "DU4"} <= infos, "every DM was checked before relay content went in"
    async with world.core.db.session() as session:
        reasons = [r.reason for r in (await session.execute(select(Refusal))).scalars()]
    assert reasons == ["relay_shared_conversation"]

    await world.press("U2", "Answer")
    answer_modal = world.modal("U2")
    assert answer_modal["title"]["text"].startswith("Answer Peer")
    ack = await world.submit("U2", {"answer": f"We used a data sharing agreement. {MARKER_A}"})
    acks.append(ack)
    assert ack["response_action"] == "update" and "Sent to Peer" in str(ack["view"])

    answers = carrying(world, MARKER_A)
    assert [(c.method, c.params["channel"]) for c in answers] == [("chat.postMessage", "DU1")]
    assert "answered your question" in answers[0].params["text"]
    for marker in (MARKER_Q, MARKER_A):
        assert all(marker not in repr(a) for a in acks), "acknowledgements carry no relay content"
    for bystander in ("U3", "U5"):
        assert not [t for t in world.texts(bystander) if MARKER_Q in t or MARKER_A in t]

    await world.adapter.drain()
    logs = every_logger_at_debug.texts
    assert any("sent relay.question" in t for t in logs), "control: DEBUG records were captured"
    leaks = [t[:300] for t in logs if MARKER_Q in t or MARKER_A in t]
    assert leaks == []


def _home_text(home: dict) -> str:
    return str(home["blocks"])


async def test_app_home_shows_own_next_checkin_and_own_threads_only(slack_world):
    world, core = slack_world, slack_world.core
    await join_everyone(world)
    await world.say("UADMIN", "admin round seed 1")
    await world.wait(core.jobs.run_due(core))
    await ask_and_deliver(world)
    chosen = sorted(c.params["channel"][1:] for c in carrying(world, MARKER_Q))
    assert chosen == ["U2", "U3", "U4"]

    asker_home = _home_text(await world.open_home("U1"))
    assert "*Next check-in*: Monday 12 January 2026" in asker_home
    assert "You asked as *Peer " in asker_home and "0 answer(s)" in asker_home
    assert "A question from" not in asker_home
    asker_handle = asker_home.split("You asked as *")[1][:9]

    for peer in chosen:
        home = _home_text(await world.open_home(peer))
        assert f"A question from *{asker_handle}*" in home and "You asked" not in home
    outsider = _home_text(await world.open_home("U5"))
    assert "*Next check-in*" in outsider
    assert "anonymous question threads" not in outsider and asker_handle not in outsider

    publishes = world.fake.called("views.publish")
    assert [c.params["user_id"] for c in publishes] == ["U1", *chosen, "U5"]
    assert not [c for c in publishes if MARKER_Q in repr(c.params) or "persuade" in repr(c.params)]
