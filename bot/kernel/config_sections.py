"""The config file's sections: every key declared once, with its default, its check and
its comment (config.example.toml is rendered from these declarations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.kernel.config_values import (
    boolean,
    clock_time,
    cron,
    crons_by_name,
    database_url,
    duration_range,
    float_range,
    int_range,
    lists_by_name,
    number_by_name,
    one_of,
    setting,
    text,
    text_by_name,
    text_list,
    timezone,
    url,
)


@dataclass(frozen=True)
class BotSection:
    """General settings."""

    name: str = setting("Peer bot", text, "Name the bot uses for itself in messages.")
    data_dir: str = setting(
        "peerbot-data", text, "Folder for the default SQLite database and other local files."
    )
    log_level: str = setting(
        "INFO",
        one_of("DEBUG", "INFO", "WARNING", "ERROR"),
        "Log level. Library loggers that print message bodies are always capped at WARNING.",
    )
    privacy_contact: str = setting(
        "your community organiser",
        text,
        "Who people can contact about their data; shown in the privacy notice.",
    )


@dataclass(frozen=True)
class DatabaseSection:
    """Where data lives. PEERBOT_DATABASE_URL overrides url (it may hold a password)."""

    url: str = setting(
        "",
        database_url,
        'Empty for a SQLite file in data_dir, or e.g. "postgresql+asyncpg://user@host/db".',
    )
    connect_timeout: timedelta = setting(
        timedelta(seconds=10),
        duration_range("1s", "5m"),
        "Give up connecting to PostgreSQL after this long, with the reason, instead of waiting on a "
        "server that does not answer.",
    )
    on_old_schema: str = setting(
        "auto",
        one_of("auto", "upgrade", "refuse"),
        'When the database schema is behind the code at start-up: "upgrade" it, "refuse" to '
        'start (run `peerbot db upgrade` yourself), or "auto": upgrade a SQLite file, refuse '
        "PostgreSQL (other replicas may still be running the old code).",
    )


@dataclass(frozen=True)
class ConsoleSection:
    """The terminal adapter, used when no Slack or Discord credentials are set."""

    user: str = setting("you", text, "Who you are when the console starts (switch with /as).")
    admin: bool = setting(True, boolean, "Whether console users may use /peer admin commands.")
    offer_demo: bool = setting(True, boolean, "Offer to load the demo community when the database is empty.")


@dataclass(frozen=True)
class AdminsSection:
    """Who may use /peer admin commands, per Slack workspace or Discord server."""

    slack: dict = setting(
        {},
        lists_by_name,
        'Slack user ids by workspace id, e.g. { T0123 = ["U111"] }. Workspace admins and '
        "owners are admins too.",
    )
    discord: dict = setting(
        {},
        lists_by_name,
        'Discord user ids by server id, e.g. { "1234" = ["5678"] }. The server\'s admin role '
        "(set with /peer setup) counts too.",
    )


@dataclass(frozen=True)
class MatchingSection:
    """How peers are matched. Admins can change the rules at run time with /peer admin set."""

    backend: str = setting(
        "tfidf",
        one_of("tfidf", "openai", "local"),
        'Challenge similarity: "tfidf" (offline, default), "openai" (embeddings through [llm]) '
        'or "local" (sentence embeddings; pip install "peerbot[local-embeddings]").',
    )
    embedding_model: str = setting(
        "text-embedding-3-small", text, 'Embedding model name when backend = "openai".'
    )
    local_model: str = setting(
        "all-MiniLM-L6-v2", text, 'Sentence-transformers model when backend = "local".'
    )
    rules: dict = setting(
        {},
        number_by_name,
        "Starting rules, e.g. { group_size = 2, no_repeat_rounds = 6 }; see /peer admin rules.",
    )
    federations: dict = setting(
        {},
        lists_by_name,
        'Communities matched together, e.g. { north = ["slack:T0123", "discord:98765"] }. '
        "Otherwise each workspace or server is matched on its own.",
    )


@dataclass(frozen=True)
class RoundsSection:
    """Scheduled matching rounds."""

    enabled: bool = setting(False, boolean, "Start rounds on the schedule below.")
    cron: str = setting("0 9 * * mon", cron, "When rounds start (cron: minute hour day month weekday).")
    every_weeks: int = setting(2, int_range(1, 12), "Run on every Nth matching week (2 = fortnightly).")
    timezone: str = setting("Europe/London", timezone, "Time zone of the schedule.")
    schedules: dict = setting(
        {},
        crons_by_name,
        'A different cron per community or federation, e.g. { "slack:T0123" = "30 8 * * tue", '
        '"federation:north" = "0 9 * * wed" }.',
    )
    confirm_repeat_within: timedelta = setting(
        timedelta(days=1),
        duration_range("0s", "90d"),
        "An admin starting a round this soon after the community's last one is asked to confirm "
        '(everyone would get a second partner at once); "0s" never asks.',
    )


@dataclass(frozen=True)
class CheckinsSection:
    """Check-ins, reminders and follow-ups."""

    quiet_start: str = setting(
        "18:00", clock_time, "No scheduled messages from this time (person's own time zone)…"
    )
    quiet_end: str = setting("08:00", clock_time, "…until this time.")
    reminder_before: timedelta = setting(
        timedelta(hours=24), duration_range("1s", "7d"), "Remind this long before a check-in."
    )
    followup_after: timedelta = setting(
        timedelta(hours=2), duration_range("0s", "7d"), 'Ask "did you meet?" this long after a check-in.'
    )
    lease: timedelta = setting(
        timedelta(seconds=60),
        duration_range("1s", "1h"),
        "How long a bot process holds a claimed job before another may take it over.",
    )
    poll_interval: timedelta = setting(
        timedelta(seconds=15), duration_range("100ms", "1h"), "How often to look for due work."
    )
    pause_after_silent_introductions: int = setting(
        3, int_range(1, 20), "Pause someone after this many introductions with no response."
    )
    first_checkin_after: timedelta = setting(
        timedelta(days=7),
        duration_range("1s", "60d"),
        "The first check-in comes this long after the introduction: whole days land at checkin_time "
        'in the group\'s time zone; anything shorter (e.g. "2m", to rehearse a cycle) lands exactly.',
    )
    checkin_time: str = setting("10:00", clock_time, "Time of day of check-ins, in the group's time zone.")
    checkin_length: timedelta = setting(
        timedelta(minutes=30), duration_range("5m", "4h"), "Length of a check-in in calendar files."
    )
    followup_window: timedelta = setting(
        timedelta(hours=72),
        duration_range("1s", "14d"),
        "Answers to a follow-up count towards the round's outcome for this long.",
    )


@dataclass(frozen=True)
class DeliverySection:
    """How scheduled messages are sent (introductions, reminders, notices, relay deliveries)."""

    concurrency: int = setting(
        0,
        int_range(0, 256),
        "Messages one bot process sends at once. 0: 1 on SQLite (one writer), 32 on PostgreSQL.",
    )
    per_platform: int = setting(
        0,
        int_range(0, 256),
        "At most this many of a process's sends to one platform at once (0: no limit beyond "
        "concurrency); set it when Slack and Discord share a process, so a slow one cannot take "
        "every slot.",
    )
    send_timeout: timedelta = setting(
        timedelta(seconds=10),
        duration_range("1s", "2m"),
        "Give up on one platform call after this long (it is retried); never more than half of "
        "[checkins] lease, so a send always ends while its job is still held.",
    )


@dataclass(frozen=True)
class RelaySection:
    """The confidential ask-a-peer relay."""

    enabled: bool = setting(True, boolean, "Offer /peer ask. Needs PEERBOT_ENCRYPTION_KEYS.")
    max_peers: int = setting(3, int_range(1, 10), "How many peers receive each question.")
    retention: timedelta = setting(
        timedelta(hours=72),
        duration_range("1s", "30d"),
        "Delete questions, answers and handles this long after close or last activity.",
    )
    purge_every: timedelta = setting(
        timedelta(hours=1),
        duration_range("1s", "1d"),
        "How often at most the purge of old threads runs (it wakes when a thread can next be due).",
    )
    asks_per_day: int = setting(3, int_range(1, 50), "Questions one person may ask per day.")
    checks_per_hour: int = setting(
        10,
        int_range(1, 100),
        "Drafts (questions, answers, follow-ups) one person may have checked for identifying "
        "details per hour, so nobody can probe the directory by drafting.",
    )
    delay_min: timedelta = setting(
        timedelta(seconds=30),
        duration_range("0s", "1h"),
        "Shortest random delay before a question is delivered.",
    )
    delay_max: timedelta = setting(
        timedelta(minutes=5),
        duration_range("0s", "1d"),
        "Longest random delay before a question is delivered.",
    )


@dataclass(frozen=True)
class PrivacySection:
    """Places the bot must never post to: central government and regulators."""

    blocked_workspaces: tuple = setting((), text_list, "Slack workspace (team) ids the bot never posts to.")
    blocked_guilds: tuple = setting((), text_list, "Discord server ids the bot never posts to.")
    blocked_channels: tuple = setting(
        (),
        text_list,
        "Slack or Discord conversation ids the bot never posts to, whatever the message: "
        "channels, direct messages and group DMs.",
    )


@dataclass(frozen=True)
class SlackSection:
    """Slack. Starts when SLACK_BOT_TOKEN is set (plus SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)."""

    mode: str = setting(
        "socket",
        one_of("socket", "http"),
        '"socket" (Socket Mode, no public URL) or "http" (events at /slack/events).',
    )
    http_host: str = setting("127.0.0.1", text, "Address to listen on in HTTP mode.")
    http_port: int = setting(3000, int_range(1, 65535), "Port to listen on in HTTP mode.")
    api_url: str = setting(
        "https://slack.com/api/", url, "Slack Web API base URL (tests point it at a fake)."
    )


@dataclass(frozen=True)
class DiscordSection:
    """Discord. Starts when DISCORD_BOT_TOKEN is set."""

    api_url: str = setting(
        "https://discord.com/api/v10", url, "Discord REST base URL (tests point it at a fake)."
    )
    shards: int = setting(0, int_range(0, 1024), "0 for one connection, or a shard count.")


@dataclass(frozen=True)
class LlmSection:
    """Optional LLM help through any OpenAI-compatible server. Key from PEERBOT_LLM_API_KEY."""

    enabled: bool = setting(False, boolean, "Use an LLM for suggestions and introductions.")
    base_url: str = setting("http://127.0.0.1:8000/v1", url, "OpenAI-compatible server, e.g. a local one.")
    model: str = setting("gpt-4o-mini", text, "Chat model name.")
    timeout_seconds: float = setting(
        8.0, float_range(0.5, 120), "Give up and use the template after this long."
    )
    allow_relay_content: bool = setting(
        False,
        boolean,
        "Let the LLM read relay questions to spot identifying details. Off: they never leave the bot.",
    )
    prompt_overrides: dict = setting(
        {}, text_by_name, 'Replace a prompt by name with your own file, e.g. { introduction = "x.txt" }.'
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
