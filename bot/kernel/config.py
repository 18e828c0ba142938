"""Configuration: one TOML file for settings, environment variables for secrets.

Every key is declared once (config_sections.py), with its default, its check
(config_values.py) and a one-line comment; config.example.toml is rendered from these
declarations (a test keeps them in step), so the documented defaults and the real ones
cannot drift apart. This module loads, checks and renders the whole.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.kernel.config_sections import (
    SECRET_ENV,
    AdminsSection,
    BotSection,
    CheckinsSection,
    ConsoleSection,
    DatabaseSection,
    DeliverySection,
    DiscordSection,
    LlmSection,
    MatchingSection,
    PrivacySection,
    RelaySection,
    RoundsSection,
    Secrets,
    SlackSection,
)
from bot.kernel.config_values import database_url, default_of
from bot.kernel.durations import format_duration

# Sections are declared in config_sections.py; they are named here too, for importers.
__all__ = [
    "Config",
    "ConfigError",
    "CredentialsError",
    "AdminsSection",
    "BotSection",
    "CheckinsSection",
    "ConsoleSection",
    "DatabaseSection",
    "DeliverySection",
    "DiscordSection",
    "LlmSection",
    "MatchingSection",
    "PrivacySection",
    "RelaySection",
    "RoundsSection",
    "SlackSection",
    "Secrets",
    "load_config",
    "parse_config",
    "render_example",
    "with_section",
]

CONFIG_ENV = "PEERBOT_CONFIG"
DEFAULT_CONFIG_PATH = Path("peerbot.toml")


class ConfigError(Exception):
    """A setting with a bad value; str() is the one line shown to the person running the bot."""

    NO_VALUE = object()

    def __init__(self, key: str, value: Any, expected: str):
        self.key, self.value, self.expected = key, value, expected
        shown = "" if value is ConfigError.NO_VALUE else f" = {value!r}"
        super().__init__(f"config error: {key}{shown}: expected {expected}")


class CredentialsError(Exception):
    """Credentials in the environment are only partly set; str() names what is missing."""


@dataclass(frozen=True)
class Config:
    """The whole configuration, built once at start-up and passed down."""

    bot: BotSection = field(default_factory=BotSection)
    database: DatabaseSection = field(default_factory=DatabaseSection)
    console: ConsoleSection = field(default_factory=ConsoleSection)
    admins: AdminsSection = field(default_factory=AdminsSection)
    matching: MatchingSection = field(default_factory=MatchingSection)
    rounds: RoundsSection = field(default_factory=RoundsSection)
    checkins: CheckinsSection = field(default_factory=CheckinsSection)
    delivery: DeliverySection = field(default_factory=DeliverySection)
    relay: RelaySection = field(default_factory=RelaySection)
    privacy: PrivacySection = field(default_factory=PrivacySection)
    slack: SlackSection = field(default_factory=SlackSection)
    discord: DiscordSection = field(default_factory=DiscordSection)
    llm: LlmSection = field(default_factory=LlmSection)
    secrets: Secrets = field(default_factory=Secrets)
    source: str = "embedded defaults"

    def send_timeout(self) -> timedelta:
        """How long one platform call may take: the setting, capped at half the job lease."""
        return min(self.delivery.send_timeout, self.checkins.lease / 2)

    def database_url(self) -> str:
        """The URL to connect to: the secret, then the file setting, then SQLite in data_dir."""
        if self.secrets.database_url:
            return self.secrets.database_url
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{Path(self.bot.data_dir) / 'peerbot.db'}"


# Slack mode -> (environment variable, Secrets field) of the credential that mode needs.
SLACK_MODE_SECRET = {
    "socket": ("SLACK_APP_TOKEN", "slack_app_token"),
    "http": ("SLACK_SIGNING_SECRET", "slack_signing_secret"),
}


def slack_credentials_problem(config: Config) -> str | None:
    """What is missing when Slack credentials are only partly set, or None.

    Half a set used to start the console with "no Slack or Discord credentials set", which
    sent people looking in the wrong place; this names the missing variable and the mode.
    """
    secrets, mode = config.secrets, config.slack.mode
    needed, field_name = SLACK_MODE_SECRET[mode]
    other = "http" if mode == "socket" else "socket"
    if secrets.slack_bot_token and not getattr(secrets, field_name):
        return (
            f'SLACK_BOT_TOKEN is set but {needed} is not: [slack] mode = "{mode}" needs {needed}. '
            f'Set it, or set [slack] mode = "{other}" and {SLACK_MODE_SECRET[other][0]}, '
            "or unset SLACK_BOT_TOKEN to use the console."
        )
    stray = [name for name, field_name in SLACK_MODE_SECRET.values() if getattr(secrets, field_name)]
    if stray and not secrets.slack_bot_token:
        named = " and ".join(stray)
        return (
            f"{named} set but SLACK_BOT_TOKEN (xoxb-…) is not: Slack needs the bot token as well. "
            f"Set SLACK_BOT_TOKEN, or unset {named} to use the console."
        )
    return None


SECTIONS: dict[str, type] = {
    f.name: f.default_factory for f in fields(Config) if f.name not in ("secrets", "source")
}


# Keys that were whole numbers of one unit before every interval became a duration setting:
# old name → (new name, unit). Old config files keep working.
RENAMED = {
    ("checkins", "reminder_hours_before"): ("reminder_before", "h"),
    ("checkins", "followup_hours_after"): ("followup_after", "h"),
    ("checkins", "lease_seconds"): ("lease", "s"),
    ("checkins", "poll_seconds"): ("poll_interval", "s"),
    ("checkins", "first_checkin_days"): ("first_checkin_after", "d"),
    ("checkins", "checkin_minutes"): ("checkin_length", "m"),
    ("checkins", "followup_window_hours"): ("followup_window", "h"),
    ("relay", "retention_hours"): ("retention", "h"),
    ("relay", "delay_seconds_min"): ("delay_min", "s"),
    ("relay", "delay_seconds_max"): ("delay_max", "s"),
}


def _renamed_keys(name: str, raw: dict) -> dict:
    """Old whole-number keys as their duration settings ("reminder_hours_before = 24" → "24h")."""
    result = {}
    for key, value in raw.items():
        new = RENAMED.get((name, key))
        if new is None:
            result[key] = value
            continue
        new_key, unit = new
        if new_key in raw:
            raise ConfigError(f"[{name}] {key}", value, f"only one of {key} (old name) and {new_key}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"[{name}] {key}", value, f'a whole number, or use {new_key} = "{value}{unit}"')
        result[new_key] = f"{value}{unit}"
    return result


def _parse_section(name: str, raw: Any) -> Any:
    section_type = SECTIONS[name]
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}]", raw, "a table of settings")
    raw = _renamed_keys(name, raw)
    known = {f.name: f for f in fields(section_type)}
    values = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"[{name}] {key}", value, "one of the keys " + ", ".join(known))
        try:
            values[key] = known[key].metadata["check"](value)
        except ValueError as expected:
            raise ConfigError(f"[{name}] {key}", value, str(expected)) from None
    return section_type(**values)


def _check_cross_field(config: Config) -> None:
    relay = config.relay
    if relay.delay_min > relay.delay_max:
        raise ConfigError(
            "[relay] delay_min",
            format_duration(relay.delay_min),
            f"no more than delay_max ({format_duration(relay.delay_max)})",
        )
    from matching.rules import RuleError, rules_from_mapping

    try:
        rules_from_mapping(config.matching.rules)
    except RuleError as problem:
        rule, _, detail = str(problem).partition(": expected ")
        raise ConfigError(f"[matching] rules.{rule}", ConfigError.NO_VALUE, detail) from None


def secrets_from_env(environ: Mapping[str, str]) -> Secrets:
    """Read secrets from the environment; keys are comma-separated so old ones can be kept."""
    values: dict[str, Any] = {name: environ.get(var, "") for name, var in SECRET_ENV.items()}
    raw_keys = values["encryption_keys"]
    values["encryption_keys"] = tuple(k.strip() for k in raw_keys.split(",") if k.strip())
    if values["database_url"]:
        try:
            values["database_url"] = database_url(values["database_url"])
        except ValueError as expected:
            raise ConfigError("PEERBOT_DATABASE_URL", "(hidden)", str(expected)) from None
    return Secrets(**values)


def parse_config(raw: Mapping[str, Any], environ: Mapping[str, str], source: str) -> Config:
    """Build a Config from parsed TOML and the environment, or raise ConfigError."""
    sections = {}
    for name, value in raw.items():
        if name not in SECTIONS:
            raise ConfigError(f"[{name}]", ConfigError.NO_VALUE, "one of the sections " + ", ".join(SECTIONS))
        sections[name] = _parse_section(name, value)
    config = Config(**sections, secrets=secrets_from_env(environ), source=source)
    _check_cross_field(config)
    return config


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Load the config file (or embedded defaults when there is none) and the secrets.

    An explicitly named file that is missing is an error; the default file being absent
    just means the embedded defaults, so a newcomer needs no file at all.
    """
    environ = os.environ if environ is None else environ
    named = path or environ.get(CONFIG_ENV)
    config_path = Path(named) if named else DEFAULT_CONFIG_PATH
    if not config_path.exists():
        if named:
            raise ConfigError("config file", str(config_path), "an existing TOML file")
        return parse_config({}, environ, "embedded defaults")
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as problem:
        raise ConfigError("config file", str(config_path), f"valid TOML ({problem})") from None
    return parse_config(raw, environ, str(config_path))


def with_section(config: Config, name: str, **changes: Any) -> Config:
    """A copy of config with some keys of one section changed (tests and the CLI use it)."""
    return replace(config, **{name: replace(getattr(config, name), **changes)})


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, timedelta):
        return f'"{format_duration(value)}"'
    return repr(value)


def render_example() -> str:
    """The documented example config: every key, its comment and its default."""
    lines = [
        "# peerbot configuration. Every key is optional: this file shows the defaults.",
        "# Copy it to peerbot.toml (or point PEERBOT_CONFIG at it) and change what you need.",
        "# Secrets never go here; set them in the environment:",
    ]
    lines += [f"#   {var}" for var in SECRET_ENV.values()]
    for name, section_type in SECTIONS.items():
        lines += ["", f"# {section_type.__doc__.strip()}", f"[{name}]"]
        for f in fields(section_type):
            lines.append(f"# {f.metadata['help']}")
            lines.append(f"{f.name} = {_toml_value(default_of(f))}")
    return "\n".join(lines) + "\n"
