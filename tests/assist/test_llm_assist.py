"""The Assistant with the real openai client against the fake server: minimisation, and a
clean fallback within the timeout when the server is off, slow, erroring or talking nonsense."""

import json
import logging
import socket
import time

import pytest
from fake_openai import llm_settings

from bot.assist.service import IntroMember, TagSuggestion, assistant_from_config
from bot.kernel.config import parse_config
from bot.kernel.logging_setup import clamp_library_loggers

TIMEOUT = 0.5
RELAY_MARKER = "RELAY-MARKER-5b1e"
MEMBERS = [
    IntroMember(
        "Alice Smith",
        "Discharge lead",
        "Leeds City Council",
        "council",
        "yorkshire_humber",
        "implementing",
        ["social_care", "health"],
        "Joining up discharge between Leeds City Council and the trust; Alice keeps the tracker.",
    ),
    IntroMember(
        "Bob Jones",
        "Housing options officer",
        "Acme Housing Trust",
        "housing",
        "north_west",
        "planning",
        ["housing"],
        "Getting hospital discharge to check housing first; Bob's team at Acme Housing Trust is new.",
    ),
]
REASONS = ["Both work on hospital discharge", "Alice Smith is a stage ahead of Bob Jones"]
PRIVATE = ("Alice", "Smith", "Bob", "Jones", "Leeds City Council", "Acme Housing Trust")


def make(base_url: str, **llm):
    return assistant_from_config(parse_config({"llm": llm_settings(base_url, **llm)}, {}, "tests"))


async def exercise(assistant) -> dict:
    """Use every feature once, as the bot would."""
    try:
        return {
            "tags": await assistant.suggest_tags(
                "Alice Smith at Leeds City Council: hospital discharge and housing checks keep failing.",
                name="Alice Smith",
                organisation="Leeds City Council",
            ),
            "intro": await assistant.introduction(MEMBERS, REASONS),
            "questions": await assistant.checkin_questions("planning", ["housing", "health"]),
            "details": await assistant.identifying_details(f"On Rose Ward {RELAY_MARKER} a nurse said..."),
        }
    finally:
        await assistant.close()


async def test_llm_answers_are_used_and_no_name_organisation_or_relay_text_is_sent(fake):
    out = await exercise(make(fake.base_url))
    assert out["tags"] == TagSuggestion(("health", "housing"), out["tags"].summary)
    assert 0 < len(out["tags"].summary) <= 140
    assert "Alice Smith and Bob Jones" in out["intro"], "names are put back locally"
    assert "Compare notes" in out["intro"] and "1. Two minutes each" in out["intro"]
    assert out["questions"][0] == "What changed since you last spoke?"
    assert out["details"] == [], "relay text is not checked unless allow_relay_content is on"
    assert fake.paths() == ["/v1/chat/completions"] * 3
    sent = fake.sent_text()
    for private in PRIVATE:
        assert private not in sent
    assert RELAY_MARKER not in sent
    assert "Person A" in sent and "Person B" in sent
    intro_request = fake.requests[1].json()
    assert "Discharge lead" in intro_request["messages"][0]["content"], "allowed fields are sent"


async def test_relay_text_is_sent_only_when_an_admin_allows_it_and_invented_phrases_are_dropped(fake):
    fake.reply = lambda body: json.dumps({"details": ["Rose Ward", "Invented Hospital"]})
    assistant = make(fake.base_url, allow_relay_content=True)
    try:
        details = await assistant.identifying_details(f"On Rose Ward {RELAY_MARKER} a nurse said...")
    finally:
        await assistant.close()
    assert details == ["Rose Ward"]
    assert RELAY_MARKER in fake.sent_text()


async def test_disabled_sends_nothing_and_every_feature_uses_its_template(fake):
    out = await exercise(make(fake.base_url, enabled=False, allow_relay_content=True))
    assert fake.requests == []
    assert out["tags"] is None and out["details"] == []
    assert "Hello Alice Smith and Bob Jones" in out["intro"]
    assert "Leeds City Council" in out["intro"], "the local template may show organisations"
    assert "*A first-conversation agenda*" in out["intro"]
    assert out["questions"][0] == "What have you tried on your housing, health work since you last spoke?"
    assert len(out["questions"]) == 3


@pytest.mark.parametrize(
    ("mode", "logged"),
    [
        ("slow", "llm timeout"),
        ("error", "llm error status 500"),
        ("malformed", "llm malformed output"),
        ("broken", "llm failed"),
    ],
)
async def test_failures_fall_back_within_the_timeout_and_log_no_content(fake, caplog, mode, logged):
    clamp_library_loggers()
    caplog.set_level(logging.DEBUG)
    fake.mode = mode
    assistant = make(fake.base_url, allow_relay_content=True)
    try:
        for feature in ("suggest_tags", "introduction", "checkin_questions", "identifying_details"):
            started = time.monotonic()
            if feature == "suggest_tags":
                assert (
                    await assistant.suggest_tags("Hospital discharge and housing checks keep failing.")
                    is None
                )
            elif feature == "introduction":
                assert "Hello Alice Smith and Bob Jones" in await assistant.introduction(MEMBERS, REASONS)
            elif feature == "checkin_questions":
                assert len(await assistant.checkin_questions("planning", ["housing"])) == 3
            else:
                assert await assistant.identifying_details(f"On Rose Ward {RELAY_MARKER}") == []
            assert time.monotonic() - started < TIMEOUT + 0.3, f"{feature} waited too long"
    finally:
        await assistant.close()
    assert len(fake.requests) == 4
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.llm"]
    assert len(warnings) == 4 and all(logged in w for w in warnings)
    for content in (*PRIVATE, RELAY_MARKER, "Hospital discharge", "Person A", "integration areas"):
        assert content not in caplog.text


async def test_an_unreachable_server_falls_back_quickly(caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = await exercise(make(f"http://127.0.0.1:{port}/v1"))
    assert out["tags"] is None and "Hello Alice Smith" in out["intro"]
    assert "llm unreachable" in caplog.text


async def test_the_api_key_comes_from_the_environment_and_is_sent_as_a_bearer_token(fake):
    config = parse_config({"llm": llm_settings(fake.base_url)}, {"PEERBOT_LLM_API_KEY": "sk-test-123"}, "t")
    assistant = assistant_from_config(config)
    try:
        await assistant.checkin_questions("planning", ["housing"])
    finally:
        await assistant.close()
    assert fake.requests[0].authorization == "Bearer sk-test-123"
    assert "sk-test-123" not in repr(config)
