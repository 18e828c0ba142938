"""Configuration: one TOML file for settings, environment variables for secrets.

Every key is declared once here, with its default, its check and a one-line comment;
config.example.toml is rendered from these declarations (a test keeps them in step), so
the documented defaults and the real ones cannot drift apart.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kernel.durations import format_duration, parse_duration

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


# --- checks: each returns the parsed value or raises ValueError(expected) ---------------


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("true or false")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("a string in quotes")


def _one_of(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value in choices:
            return value
        raise ValueError("one of " + ", ".join(f'"{c}"' for c in choices))

    return check


def _int_range(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        raise ValueError(f"a whole number from {low} to {high}")

    return check


def _float_range(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high:
            return float(value)
        raise ValueError(f"a number from {low} to {high}")

    return check


def _text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError('a list of strings, e.g. ["T0123", "T0456"]')


def _lists_by_name(value: Any) -> dict[str, tuple[str, ...]]:
    if isinstance(value, dict) and all(
        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in value.values()
    ):
        return {str(k): tuple(v) for k, v in value.items()}
    raise ValueError('a table of string lists, e.g. { T0123 = ["U111", "U222"] }')


def _text_by_name(value: Any) -> dict[str, str]:
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise ValueError('a table of strings, e.g. { introduction = "my-prompts/intro.txt" }')


def _number_by_name(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and all(isinstance(v, bool | int | float | str) for v in value.values()):
        return dict(value)
    raise ValueError("a table of rule names to values, e.g. { group_size = 2 }")


def _timezone(value: Any) -> str:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise ValueError('an IANA time zone such as "Europe/London"')


def _clock_time(value: Any) -> str:
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        hours, minutes = value[:2], value[3:]
        if hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60:
            return value
    raise ValueError('a 24-hour time "HH:MM", e.g. "08:00"')


def _duration_range(low: str, high: str) -> Callable[[Any], timedelta]:
    shortest, longest = parse_duration(low), parse_duration(high)

    def check(value: Any) -> timedelta:
        if isinstance(value, str):
            try:
                span = parse_duration(value)
            except ValueError:
                span = None
            if span is not None and shortest <= span <= longest:
                return span
        raise ValueError(f'a duration from "{low}" to "{high}", e.g. "90s", "15m", "24h" or "7d"')

    return check


def _cron(value: Any) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if isinstance(value, str):
        try:
            CronTrigger.from_crontab(value)
            return value
        except ValueError:
            pass
    raise ValueError('a cron expression "minute hour day month weekday", e.g. "0 9 * * mon"')


def _crons_by_name(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): _cron(v) for k, v in value.items()}
    raise ValueError('a table of cron expressions, e.g. { "slack:T0123" = "30 8 * * tue" }')


def _url(value: Any) -> str:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return value
    raise ValueError("an http:// or https:// URL")


# URL schemes people write, and the driver peerbot talks through (it is async only).
DATABASE_SCHEMES = {
    "postgresql://": "postgresql+asyncpg://",
    "postgres://": "postgresql+asyncpg://",
    "postgresql+asyncpg://": "postgresql+asyncpg://",
    "sqlite://": "sqlite+aiosqlite://",
    "sqlite+aiosqlite://": "sqlite+aiosqlite://",
}


def _database_url(value: Any) -> str:
    """A database URL with the driver peerbot uses: "postgresql://…" becomes "postgresql+asyncpg://…"."""
    if isinstance(value, str):
        if value == "":
            return value
        for scheme, with_driver in DATABASE_SCHEMES.items():
            if value.startswith(scheme):
                return with_driver + value[len(scheme) :]
    raise ValueError(
        '"" (the SQLite file in data_dir), or a URL of the form postgresql://user@host/db '
        "(postgresql+asyncpg:// is the same) or sqlite:///path/file.db; other drivers "
        "(psycopg, psycopg2, pg8000) are not used"
    )


def setting(default: Any, check: Callable[[Any], Any], help: str) -> Any:
    """Declare one key: its default, how to check a configured value, and its comment."""
    metadata = {"check": check, "help": help}
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def default_of(declared: Any) -> Any:
    """The default of a declared key, whether it was given as a value or a factory."""
    return declared.default_factory() if declared.default is MISSING else declared.default


# --- sections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BotSection:
    """General settings."""

    name: str = setting("Peer bot", _text, "Name the bot uses for itself in messages.")
    data_dir: str = setting(
        "peerbot-data", _text, "Folder for the default SQLite database and other local files."
    )
    log_level: str = setting(
        "INFO",
        _one_of("DEBUG", "INFO", "WARNING", "ERROR"),
        "Log level. Library loggers that print message bodies are always capped at WARNING.",
    )
    privacy_contact: str = setting(
        "your community organiser",
        _text,
        "Who people can contact about their data; shown in the privacy notice.",
    )


@dataclass(frozen=True)
class DatabaseSection:
    """Where data lives. PEERBOT_DATABASE_URL overrides url (it may hold a password)."""

    url: str = setting(
        "",
        _database_url,
        'Empty for a SQLite file in data_dir, or e.g. "postgresql+asyncpg://user@host/db".',
    )
    connect_timeout: timedelta = setting(
        timedelta(seconds=10),
        _duration_range("1s", "5m"),
        "Give up connecting to PostgreSQL after this long, with the reason, instead of waiting on a "
        "server that does not answer.",
    )
    on_old_schema: str = setting(
        "auto",
        _one_of("auto", "upgrade", "refuse"),
        'When the database schema is behind the code at start-up: "upgrade" it, "refuse" to '
        'start (run `peerbot db upgrade` yourself), or "auto": upgrade a SQLite file, refuse '
        "PostgreSQL (other replicas may still be running the old code).",
    )


@dataclass(frozen=True)
class ConsoleSection:
    """The terminal adapter, used when no Slack or Discord credentials are set."""

    user: str = setting("you", _text, "Who you are when the console starts (switch with /as).")
    admin: bool = setting(True, _boolean, "Whether console users may use /peer admin commands.")
    offer_demo: bool = setting(True, _boolean, "Offer to load the demo community when the database is empty.")


@dataclass(frozen=True)
class AdminsSection:
    """Who may use /peer admin commands, per Slack workspace or Discord server."""

    slack: dict = setting(
        {},
        _lists_by_name,
        'Slack user ids by workspace id, e.g. { T0123 = ["U111"] }. Workspace admins and '
        "owners are admins too.",
    )
    discord: dict = setting(
        {},
        _lists_by_name,
        'Discord user ids by server id, e.g. { "1234" = ["5678"] }. The server\'s admin role '
        "(set with /peer setup) counts too.",
    )


@dataclass(frozen=True)
class MatchingSection:
    """How peers are matched. Admins can change the rules at run time with /peer admin set."""

    backend: str = setting(
        "tfidf",
        _one_of("tfidf", "openai", "local"),
        'Challenge similarity: "tfidf" (offline, default), "openai" (embeddings through [llm]) '
        'or "local" (sentence embeddings; pip install "peerbot[local-embeddings]").',
    )
    embedding_model: str = setting(
        "text-embedding-3-small", _text, 'Embedding model name when backend = "openai".'
    )
    local_model: str = setting(
        "all-MiniLM-L6-v2", _text, 'Sentence-transformers model when backend = "local".'
    )
    rules: dict = setting(
        {},
        _number_by_name,
        "Starting rules, e.g. { group_size = 2, no_repeat_rounds = 6 }; see /peer admin rules.",
    )
    federations: dict = setting(
        {},
        _lists_by_name,
        'Communities matched together, e.g. { north = ["slack:T0123", "discord:98765"] }. '
        "Otherwise each workspace or server is matched on its own.",
    )


@dataclass(frozen=True)
class RoundsSection:
    """Scheduled matching rounds."""

    enabled: bool = setting(False, _boolean, "Start rounds on the schedule below.")
    cron: str = setting("0 9 * * mon", _cron, "When rounds start (cron: minute hour day month weekday).")
    every_weeks: int = setting(2, _int_range(1, 12), "Run on every Nth matching week (2 = fortnightly).")
    timezone: str = setting("Europe/London", _timezone, "Time zone of the schedule.")
    schedules: dict = setting(
        {},
        _crons_by_name,
        'A different cron per community or federation, e.g. { "slack:T0123" = "30 8 * * tue", '
        '"federation:north" = "0 9 * * wed" }.',
    )
    confirm_repeat_within: timedelta = setting(
        timedelta(days=1),
        _duration_range("0s", "90d"),
        "An admin starting a round this soon after the community's last one is asked to confirm "
        '(everyone would get a second partner at once); "0s" never asks.',
    )


@dataclass(frozen=True)
class CheckinsSection:
    """Check-ins, reminders and follow-ups."""

    quiet_start: str = setting(
        "18:00", _clock_time, "No scheduled messages from this time (person's own time zone)…"
    )
    quiet_end: str = setting("08:00", _clock_time, "…until this time.")
    reminder_before: timedelta = setting(
        timedelta(hours=24), _duration_range("1s", "7d"), "Remind this long before a check-in."
    )
    followup_after: timedelta = setting(
        timedelta(hours=2), _duration_range("0s", "7d"), 'Ask "did you meet?" this long after a check-in.'
    )
    lease: timedelta = setting(
        timedelta(seconds=60),
        _duration_range("1s", "1h"),
        "How long a bot process holds a claimed job before another may take it over.",
    )
    poll_interval: timedelta = setting(
        timedelta(seconds=15), _duration_range("100ms", "1h"), "How often to look for due work."
    )
    pause_after_silent_introductions: int = setting(
        3, _int_range(1, 20), "Pause someone after this many introductions with no response."
    )
    first_checkin_after: timedelta = setting(
        timedelta(days=7),
        _duration_range("1s", "60d"),
        "The first check-in comes this long after the introduction: whole days land at checkin_time "
        'in the group\'s time zone; anything shorter (e.g. "2m", to rehearse a cycle) lands exactly.',
    )
    checkin_time: str = setting("10:00", _clock_time, "Time of day of check-ins, in the group's time zone.")
    checkin_length: timedelta = setting(
        timedelta(minutes=30), _duration_range("5m", "4h"), "Length of a check-in in calendar files."
    )
    followup_window: timedelta = setting(
        timedelta(hours=72),
        _duration_range("1s", "14d"),
        "Answers to a follow-up count towards the round's outcome for this long.",
    )


@dataclass(frozen=True)
class DeliverySection:
    """How scheduled messages are sent (introductions, reminders, notices, relay deliveries)."""

    concurrency: int = setting(
        0,
        _int_range(0, 256),
        "Messages one bot process sends at once. 0: 1 on SQLite (one writer), 32 on PostgreSQL.",
    )
    per_platform: int = setting(
        0,
        _int_range(0, 256),
        "At most this many of a process's sends to one platform at once (0: no limit beyond "
        "concurrency); set it when Slack and Discord share a process, so a slow one cannot take "
        "every slot.",
    )
    send_timeout: timedelta = setting(
        timedelta(seconds=10),
        _duration_range("1s", "2m"),
        "Give up on one platform call after this long (it is retried); never more than half of "
        "[checkins] lease, so a send always ends while its job is still held.",
    )


@dataclass(frozen=True)
class RelaySection:
    """The confidential ask-a-peer relay."""

    enabled: bool = setting(True, _boolean, "Offer /peer ask. Needs PEERBOT_ENCRYPTION_KEYS.")
    max_peers: int = setting(3, _int_range(1, 10), "How many peers receive each question.")
    retention: timedelta = setting(
        timedelta(hours=72),
        _duration_range("1s", "30d"),
        "Delete questions, answers and handles this long after close or last activity.",
    )
    purge_every: timedelta = setting(
        timedelta(hours=1), _duration_range("1s", "1d"), "How often the purge of old threads runs."
    )
    asks_per_day: int = setting(3, _int_range(1, 50), "Questions one person may ask per day.")
    delay_min: timedelta = setting(
        timedelta(seconds=30),
        _duration_range("0s", "1h"),
        "Shortest random delay before a question is delivered.",
    )
    delay_max: timedelta = setting(
        timedelta(minutes=5),
        _duration_range("0s", "1d"),
        "Longest random delay before a question is delivered.",
    )


@dataclass(frozen=True)
class PrivacySection:
    """Places the bot must never post to: central government and regulators."""

    blocked_workspaces: tuple = setting((), _text_list, "Slack workspace (team) ids the bot never posts to.")
    blocked_guilds: tuple = setting((), _text_list, "Discord server ids the bot never posts to.")
    blocked_channels: tuple = setting((), _text_list, "Slack or Discord channel ids the bot never posts to.")


@dataclass(frozen=True)
class SlackSection:
    """Slack. Starts when SLACK_BOT_TOKEN is set (plus SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)."""

    mode: str = setting(
        "socket",
        _one_of("socket", "http"),
        '"socket" (Socket Mode, no public URL) or "http" (events at /slack/events).',
    )
    http_host: str = setting("127.0.0.1", _text, "Address to listen on in HTTP mode.")
    http_port: int = setting(3000, _int_range(1, 65535), "Port to listen on in HTTP mode.")
    api_url: str = setting(
        "https://slack.com/api/", _url, "Slack Web API base URL (tests point it at a fake)."
    )


@dataclass(frozen=True)
class DiscordSection:
    """Discord. Starts when DISCORD_BOT_TOKEN is set."""

    api_url: str = setting(
        "https://discord.com/api/v10", _url, "Discord REST base URL (tests point it at a fake)."
    )
    shards: int = setting(0, _int_range(0, 1024), "0 for one connection, or a shard count.")


@dataclass(frozen=True)
class LlmSection:
    """Optional LLM help through any OpenAI-compatible server. Key from PEERBOT_LLM_API_KEY."""

    enabled: bool = setting(False, _boolean, "Use an LLM for suggestions and introductions.")
    base_url: str = setting("http://127.0.0.1:8000/v1", _url, "OpenAI-compatible server, e.g. a local one.")
    model: str = setting("gpt-4o-mini", _text, "Chat model name.")
    timeout_seconds: float = setting(
        8.0, _float_range(0.5, 120), "Give up and use the template after this long."
    )
    allow_relay_content: bool = setting(
        False,
        _boolean,
        "Let the LLM read relay questions to spot identifying details. Off: they never leave the bot.",
    )
    prompt_overrides: dict = setting(
        {}, _text_by_name, 'Replace a prompt by name with your own file, e.g. { introduction = "x.txt" }.'
    )


@dataclass(frozen=True)
class Secrets:
    """Secrets, from the environment only; never printed (repr hides them)."""

    database_url: str = field(default="", repr=False)
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    discord_bot_token: str = field(default="", repr=False)
    llm_api_key: str = field(default="", repr=False)


SECRET_ENV = {
    "database_url": "PEERBOT_DATABASE_URL",
    "encryption_keys": "PEERBOT_ENCRYPTION_KEYS",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "discord_bot_token": "DISCORD_BOT_TOKEN",
    "llm_api_key": "PEERBOT_LLM_API_KEY",
}


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
            values["database_url"] = _database_url(values["database_url"])
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
