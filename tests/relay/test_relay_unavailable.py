"""When the relay is off, the person refused hears only that it is unavailable; the operator
gets the why (the log, standard error at start). The console's local key file is made only
where it is safe: no key in the environment, no platform, SQLite in the data folder."""

from __future__ import annotations

import logging
import os
import stat

import pytest
from cryptography.fernet import Fernet
from relay_helpers import join_community, make_harness

from bot.kernel.config import parse_config
from bot.kernel.crypto import KeyProblem, key_from_file
from bot.relay.keys import CONSOLE_KEY_FILE, console_key_file, with_console_key
from bot.relay.texts import RELAY_UNAVAILABLE

OPERATOR_WORDS = ("PEERBOT_ENCRYPTION_KEYS", "purge", "new-key", "rotate-keys", "key")


async def _refusals(h) -> list[str]:
    texts = [(await h.say("alice", "ask")).text, (await h.say("alice", "threads")).text]
    texts.append((await h.submit("alice", "ask.submit", {"question": "x" * 40})).text)
    return texts


async def test_practitioners_see_only_that_the_relay_is_unavailable(empty_database, tmp_path, caplog):
    """Without a key (a key that is not one, or a wrong one, stops the bot at start instead:
    tests/relay/test_relay_keys_and_retention.py)."""
    h = make_harness(empty_database, tmp_path, keys=None)
    await h.start()
    try:
        await join_community(h, ("alice", "bob"))
        with caplog.at_level(logging.WARNING, logger="bot.relay.keys"):
            refusals = await _refusals(h)
        assert refusals == [RELAY_UNAVAILABLE] * 3
        told = [r.getMessage() for r in caplog.records if r.name == "bot.relay.keys"]
        assert len(told) == 1 and "PEERBOT_ENCRYPTION_KEYS" in told[0], "the operator is told, once"
    finally:
        await h.stop()


async def test_a_relay_switched_off_on_purpose_says_so_without_operator_text(empty_database, tmp_path):
    h = make_harness(empty_database, tmp_path, raw={"relay": {"enabled": False}})
    await h.start()
    try:
        await join_community(h, ("alice", "bob"))
        for text in await _refusals(h):
            assert text == "Anonymous questions are switched off in this community."
    finally:
        await h.stop()


def _config(tmp_path, raw: dict | None = None, **env: str):
    raw = {**(raw or {}), "bot": {"data_dir": str(tmp_path / "data")}}
    return parse_config(raw, env, "tests")


@pytest.mark.parametrize(
    "raw, env",
    [
        ({}, {"PEERBOT_ENCRYPTION_KEYS": Fernet.generate_key().decode()}),
        ({}, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}),
        ({}, {"DISCORD_BOT_TOKEN": "token"}),
        ({}, {"PEERBOT_DATABASE_URL": "postgresql+asyncpg://bot@127.0.0.1:5432/peerbot"}),
        ({"database": {"url": "postgresql+asyncpg://bot@127.0.0.1:5432/peerbot"}}, {}),
        ({"database": {"url": "sqlite+aiosqlite:////srv/elsewhere/peerbot.db"}}, {}),
        ({"relay": {"enabled": False}}, {}),
    ],
)
def test_no_key_file_for_a_deployment_an_environment_key_or_postgresql(tmp_path, raw, env):
    config = _config(tmp_path, raw, **env)
    assert console_key_file(config) is None
    assert with_console_key(config) == (config, None)
    assert not (tmp_path / "data").exists()


def test_the_console_key_file_is_made_0600_once_and_used_after(tmp_path):
    config = _config(tmp_path)
    (tmp_path / "data").mkdir()
    assert console_key_file(config) == tmp_path / "data" / CONSOLE_KEY_FILE
    old_umask = os.umask(0)
    try:
        first, note = with_console_key(config)
    finally:
        os.umask(old_umask)
    path = tmp_path / "data" / CONSOLE_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (key,) = first.secrets.encryption_keys
    assert key not in note and str(path) in note and "PEERBOT_ENCRYPTION_KEYS" in note
    again, _ = with_console_key(config)
    assert again.secrets.encryption_keys == (key,)


def test_a_key_file_without_a_valid_key_is_named_and_its_content_not_shown(tmp_path):
    path = tmp_path / CONSOLE_KEY_FILE
    path.write_text("secret-looking-junk\n")
    with pytest.raises(KeyProblem) as problem:
        key_from_file(path)
    assert str(path) in str(problem.value) and "secret-looking-junk" not in str(problem.value)
    assert key_from_file(tmp_path / "new.key")[1] is True
