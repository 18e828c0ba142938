"""Configuration: defaults, validation messages, secrets and the documented example file."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.kernel.config import ConfigError, load_config, parse_config, render_example
from bot.kernel.durations import format_duration, parse_duration

ROOT = Path(__file__).resolve().parents[2]


def test_missing_default_file_means_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.source == "embedded defaults"
    assert config.database_url() == "sqlite+aiosqlite:///peerbot-data/peerbot.db"
    assert config.relay.retention == timedelta(hours=72) and config.llm.enabled is False


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
        ('[relay]\ndelay_min = "90s"\ndelay_max = "10s"\n', "no more than delay_max (10s)"),
        ("[relay]\ndelay_seconds_min = 90\ndelay_seconds_max = 10\n", "no more than delay_max (10s)"),
        (
            '[checkins]\nlease = "soon"\n',
            '[checkins] lease = \'soon\': expected a duration from "1s" to "1h"',
        ),
        ('[checkins]\nreminder_before = "9d"\n', 'expected a duration from "1s" to "7d"'),
        ('[relay]\nretention_hours = 2\nretention = "2h"\n', "only one of retention_hours (old name)"),
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


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("90s", timedelta(seconds=90)),
        ("7d", timedelta(days=7)),
        ("1h30m", timedelta(minutes=90)),
        ("500ms", timedelta(milliseconds=500)),
        (" 2w ", timedelta(weeks=2)),
        ("0s", timedelta()),
    ],
)
def test_durations_read_as_people_write_them_and_render_back(text, span):
    assert parse_duration(text) == span
    assert parse_duration(format_duration(span)) == span


@pytest.mark.parametrize("text", ["", "7", "d7", "1.5h", "7 days", "1h-30m", "h"])
def test_a_duration_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_every_scheduled_interval_is_a_duration_setting_and_old_whole_number_keys_still_work():
    rehearsal = parse_config(
        {
            "checkins": {
                "first_checkin_after": "2m",
                "reminder_before": "30s",
                "followup_after": "10s",
                "lease": "5s",
                "poll_interval": "500ms",
                "followup_window": "1m",
            },
            "relay": {"delay_min": "1s", "delay_max": "2s", "retention": "20s", "purge_every": "5s"},
        },
        {},
        "t",
    )
    assert rehearsal.checkins.first_checkin_after == timedelta(minutes=2)
    assert rehearsal.checkins.poll_interval == timedelta(milliseconds=500)
    assert rehearsal.relay.retention == timedelta(seconds=20)
    old = parse_config(
        {
            "checkins": {"reminder_hours_before": 6, "lease_seconds": 30, "first_checkin_days": 3},
            "relay": {"retention_hours": 12},
        },
        {},
        "t",
    )
    assert old.checkins.reminder_before == timedelta(hours=6)
    assert old.checkins.lease == timedelta(seconds=30)
    assert old.checkins.first_checkin_after == timedelta(days=3)
    assert old.relay.retention == timedelta(hours=12)
