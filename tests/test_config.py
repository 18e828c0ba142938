"""Configuration: defaults, validation messages, secrets and the documented example file."""

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config, render_example

ROOT = Path(__file__).parent.parent


def test_missing_default_file_means_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.source == "embedded defaults"
    assert config.database_url() == "sqlite+aiosqlite:///peerbot-data/peerbot.db"
    assert config.relay.retention_hours == 72 and config.llm.enabled is False


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[slack]\nmode = "pigeon"\n', """[slack] mode = 'pigeon': expected one of "socket", "http\""""),
        ("[relay]\nmax_peers = 0\n", "[relay] max_peers = 0: expected a whole number from 1 to 10"),
        ('[relay]\nmax_peers = "3"\n', "[relay] max_peers = '3': expected a whole number from 1 to 10"),
        ("[bot]\ncolour = 1\n", "[bot] colour = 1: expected one of the keys"),
        ("[nonsense]\n", "[nonsense]: expected one of the sections"),
        ('[rounds]\ntimezone = "Mars/Olympus"\n', "expected an IANA time zone"),
        ("[matching]\nrules = { group_size = 4 }\n", "[matching] rules.group_size = 4: expected 2 or 3"),
        ("[relay]\ndelay_seconds_min = 90\ndelay_seconds_max = 10\n", "no more than delay_seconds_max"),
        ("x = = 1\n", "expected valid TOML"),
    ],
)
def test_bad_values_name_the_key_the_value_and_what_is_expected(tmp_path, toml, message):
    path = tmp_path / "peerbot.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as problem:
        load_config(path, environ={})
    assert message in str(problem.value)
    assert "\n" not in str(problem.value)


def test_a_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="expected an existing TOML file"):
        load_config(tmp_path / "nope.toml", environ={})


def test_secrets_come_from_the_environment_and_never_show_in_repr():
    config = parse_config({}, {"SLACK_BOT_TOKEN": "xoxb-secret", "PEERBOT_ENCRYPTION_KEYS": "k1, k2"}, "t")
    assert config.secrets.slack_bot_token == "xoxb-secret"
    assert config.secrets.encryption_keys == ("k1", "k2")
    assert "xoxb-secret" not in repr(config)


def test_a_bad_database_url_in_the_environment_is_reported_without_its_value():
    with pytest.raises(ConfigError) as problem:
        parse_config({}, {"PEERBOT_DATABASE_URL": "mysql://root:hunter2@db/x"}, "t")
    assert "hunter2" not in str(problem.value) and "PEERBOT_DATABASE_URL" in str(problem.value)


def test_example_file_documents_every_key_with_its_default():
    assert (ROOT / "config.example.toml").read_text() == render_example(), (
        "regenerate with: python -m bot config example > config.example.toml"
    )


def test_example_file_parses_to_the_defaults(tmp_path):
    loaded = load_config(ROOT / "config.example.toml", environ={})
    defaults = parse_config({}, {}, "embedded defaults")
    assert {k: v for k, v in loaded.__dict__.items() if k != "source"} == {
        k: v for k, v in defaults.__dict__.items() if k != "source"
    }
