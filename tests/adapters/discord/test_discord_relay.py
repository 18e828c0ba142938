"""An anonymous question and its answer through the real discord.py client: /peer ask opens a
modal, the question reaches the chosen peers' DMs after the delay, a peer answers through a
modal from the DM, and the asker gets the answer by DM. The planted markers go nowhere else:
no other request to Discord, no log record at DEBUG. A blocked server gets nothing at all."""

from __future__ import annotations

from cryptography.fernet import Fernet
from discord_journey import running_discord
from discord_people import add_joined
from fake_discord import MANAGE_GUILD, FakeDiscord
from log_capture import every_logger_at_debug

MARKER_Q = "MARKERQUESTIONdiscordxyzzy"
MARKER_A = "MARKERANSWERdiscordfrobnitz"
QUESTION = (
    "How did you persuade the acute trust to share discharge data with adult social care "
    f"before the winter pressures started? {MARKER_Q}"
)
ANSWER = f"We started with a data sharing agreement signed by both Caldicott guardians. {MARKER_A}"
RELAY = {"relay": {"delay_seconds_min": 30, "delay_seconds_max": 300}}
NAMES = ["alice", "bob", "carol", "dan", "erin"]


def debug_logging():
    """Every record from every logger at DEBUG, captured before any handler filters it."""
    return every_logger_at_debug()


def _texts_of(call) -> str:
    return repr(call.body) + "".join(data.decode("utf-8", "replace") for _, data in call.files)


async def _ask_and_answer(j, people: dict[str, str]) -> tuple[list[str], str]:
    alice = people["alice"]
    await j.slash(alice, "ask")
    modal = j.open_modal(alice)
    asked = [c["component"]["custom_id"] for c in modal["components"] if "component" in c]
    assert asked == ["question", "share_org_type", "share_region"]
    assert "They never see your name" in modal["components"][0]["content"], "the form's intro is shown"
    await j.fill_form(alice, {"question": QUESTION, "share_org_type": ["no"], "share_region": ["no"]})
    sent = j.last(alice)
    assert "on its way to 3 peers" in sent.content and sent.body.get("flags") == 64
    others = [people[n] for n in NAMES if n != "alice"]
    assert not any(MARKER_Q in c.content for user in others for c in j.dms(user)), "not before the delay"

    j.core.clock.advance(seconds=301)
    await j.core.jobs.run_due(j.core)
    chosen = [user for user in others if any(MARKER_Q in d.content for d in j.dms(user))]
    assert len(chosen) == 3
    assert all(len(j.dms(user)) == 1 for user in chosen), "one DM each"
    peer = chosen[0]
    assert [b["label"] for b in j.dms(peer)[-1].buttons][0] == "Answer"

    await j.press(peer, "Answer", in_dm=True)
    answer_form = j.open_modal(peer)
    assert answer_form["title"].startswith("Answer Peer ")
    await j.submit_modal(peer, {"answer": ANSWER}, in_dm=True)
    assert "Sent to Peer" in j.last(peer).content
    received = j.dms(alice)[-1]
    assert MARKER_A in received.content and "answered your question" in received.content
    assert {"Thank", "Ask a follow-up", "Close question"} <= {b["label"] for b in received.buttons}
    return chosen, alice


async def test_question_and_answer_reach_only_the_chosen_dms_and_no_log(empty_database, tmp_path):
    env = {"PEERBOT_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    async with running_discord(empty_database, tmp_path, RELAY, env) as j:
        people = await add_joined(j, NAMES)
        with debug_logging() as logs:
            chosen, alice = await _ask_and_answer(j, people)
        assert logs.texts and any(name.startswith("bot.") for name in logs.names), "DEBUG logging was on"
        assert not any(MARKER_Q in t or MARKER_A in t for t in logs.texts)

        dm_channels = {j.fake.dm_channels[user] for user in [*chosen, alice]}
        asker_tokens = {f"token-{i}" for i in j.interactions[alice]}
        carrying = [c for c in j.fake.calls if MARKER_Q in _texts_of(c) or MARKER_A in _texts_of(c)]
        assert carrying, "control: the markers were sent somewhere"
        for call in carrying:
            to_dm = call.method == "POST" and call.path in {f"/channels/{c}/messages" for c in dm_channels}
            to_asker = any(token in call.path for token in asker_tokens)
            assert to_dm or to_asker, (call.method, call.path)
        answer_carriers = [c for c in carrying if MARKER_A in _texts_of(c)]
        assert [c.path for c in answer_carriers] == [f"/channels/{j.fake.dm_channels[alice]}/messages"]


async def test_a_blocked_server_gets_nothing_at_all(empty_database, tmp_path):
    env = {"PEERBOT_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    fake_guild = FakeDiscord().guild_id
    raw = {**RELAY, "privacy": {"blocked_guilds": [fake_guild]}}
    async with running_discord(empty_database, tmp_path, raw, env) as j:
        assert j.fake.guild_id == fake_guild
        people = await add_joined(j, NAMES)
        organiser = j.member("olivia", j.fake.add_role("Organisers", MANAGE_GUILD))
        before = len(j.fake.calls)
        await j.slash(organiser, "setup", optin_channel=(7, j.fake.optin_channel_id))
        await j.slash(people["alice"], "ask")
        await j.slash(people["alice"], "help")
        await j.slash(organiser, "admin", "round")
        j.core.clock.advance(hours=2)
        await j.core.jobs.run_due(j.core)
        made = j.fake.calls[before:]
        assert not [c for c in made if "/channels/" in c.path or "/webhooks/" in c.path], [
            c.path for c in made
        ]
        callbacks = [c.body for c in made if c.path.endswith("/callback")]
        assert callbacks and all(
            set(body) <= {"type", "data"} and body["type"] in (5, 6) for body in callbacks
        )
        assert all(not (body.get("data") or {}).get("content") for body in callbacks)
        assert not [c for c in made if c.path == "/users/@me/channels"], "not even a DM channel is opened"
