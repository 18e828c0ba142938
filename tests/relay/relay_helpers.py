"""Helpers for the relay tests: a harness with an encryption key, a small community, markers."""

from __future__ import annotations

import copy

from cryptography.fernet import Fernet
from memory_platform import MemoryPlatform

from bot.kernel.clock import FakeClock
from bot.kernel.config import parse_config
from harness import Harness

KEY = Fernet.generate_key().decode()  # one per test run; imported from here only
MARKER_Q = "MARKERQUESTIONxyzzyplugh"
MARKER_A = "MARKERANSWERfrobnicatequux"
QUESTION = (
    "How did you persuade the acute trust to share discharge data with adult social care "
    f"before the winter pressures started? {MARKER_Q}"
)
RELAY_CONFIG = {
    "console": {"user": "organiser"},
    "relay": {"delay_seconds_min": 30, "delay_seconds_max": 300},
}

# name -> profile changes; alice asks. Challenges differ so ranking is meaningful.
PEOPLE = {
    "alice": {
        "display_name": "Alice Ashdown",
        "organisation": "Leeds City Council",
        "challenge": "Sharing hospital discharge data between the council and the acute trust.",
    },
    "bob": {
        "display_name": "Bob Brennan",
        "organisation": "Manchester University NHS Trust",
        "org_type": "nhs_trust",
        "region": "north_west",
        "challenge": "Discharge data sharing with adult social care before winter pressures.",
    },
    "carol": {
        "display_name": "Carol Cotton",
        "organisation": "Bristol City Council",
        "region": "south_west",
        "challenge": "Data sharing agreements for hospital discharge with the acute trust.",
    },
    "dan": {
        "display_name": "Dan Dorrell",
        "organisation": "Riverside Housing",
        "org_type": "housing",
        "challenge": "Aligning housing adaptations with occupational therapy waiting lists.",
    },
    "erin": {  # alice's own organisation, differently spelt: never chosen
        "display_name": "Erin Evans",
        "organisation": "leeds  city COUNCIL",
        "challenge": "Sharing hospital discharge data with the acute trust before winter pressures.",
    },
    "frank": {  # paused: never chosen
        "display_name": "Frank Foster",
        "organisation": "Sheffield Council",
        "challenge": "Discharge data sharing with social care and the acute trust in winter.",
    },
    "gina": {  # does not accept anonymous questions: never chosen
        "display_name": "Gina Gray",
        "organisation": "York Council",
        "accepts_questions": "no",
        "challenge": "Discharge data sharing with adult social care and the acute trust.",
    },
}


def make_harness(
    database_url: str, tmp_path, raw: dict | None = None, keys: tuple | None = (KEY,)
) -> Harness:
    """A harness whose config has the relay key (or not) in its environment."""
    raw = copy.deepcopy(RELAY_CONFIG if raw is None else raw)
    raw.setdefault("bot", {})["data_dir"] = str(tmp_path)
    env = {"PEERBOT_DATABASE_URL": database_url}
    if keys is not None:
        env["PEERBOT_ENCRYPTION_KEYS"] = ",".join(keys)
    config = parse_config(raw, env, "tests")
    return Harness(config=config, clock=FakeClock(), platform=MemoryPlatform())


async def restart(h: Harness, keys: tuple | None = (KEY,), raw: dict | None = None) -> Harness:
    """Stop a harness and start a new core on the same database and clock (e.g. with other keys)."""
    await h.stop()
    url = h.config.database_url()
    again = make_harness(url, h.config.bot.data_dir, raw, keys)
    again.clock, again.platform, again.actors = h.clock, h.platform, h.actors
    await again.start()
    return again


async def join_community(h: Harness, names=tuple(PEOPLE)) -> None:
    for name in names:
        await h.join(name, **PEOPLE[name])
    if "frank" in names:
        await h.say("frank", "pause")


async def ask(h: Harness, user: str, question: str = QUESTION, share_org="no", share_region="no"):
    opened = await h.say(user, "ask")
    assert opened.form is not None and opened.form.submit_command == "ask.submit", opened.text
    return await h.submit(
        user, "ask.submit", {"question": question, "share_org_type": share_org, "share_region": share_region}
    )


async def deliver(h: Harness, seconds: int = 301) -> None:
    """Let the random delay pass and run what is due."""
    h.clock.advance(seconds=seconds)
    await h.core.jobs.run_due(h.core)


def receivers_of_question(h: Harness) -> list[str]:
    return sorted(
        {d.user_id for d in h.platform.delivered if d.message.text.startswith("*An anonymous question*")}
    )


def handle_in(text: str, prefix: str) -> str:
    """The "Peer NNNN" that follows `prefix` in a message."""
    start = text.index(prefix) + len(prefix)
    return text[start : start + 9]
