"""The checks behind every setting: each parses a configured value or raises
ValueError(what was expected), which the loader turns into a ConfigError naming the key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kernel.durations import parse_duration


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("true or false")


def text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("a string in quotes")


def one_of(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value in choices:
            return value
        raise ValueError("one of " + ", ".join(f'"{c}"' for c in choices))

    return check


def int_range(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        raise ValueError(f"a whole number from {low} to {high}")

    return check


def float_range(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high:
            return float(value)
        raise ValueError(f"a number from {low} to {high}")

    return check


def text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError('a list of strings, e.g. ["T0123", "T0456"]')


def lists_by_name(value: Any) -> dict[str, tuple[str, ...]]:
    if isinstance(value, dict) and all(
        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in value.values()
    ):
        return {str(k): tuple(v) for k, v in value.items()}
    raise ValueError('a table of string lists, e.g. { T0123 = ["U111", "U222"] }')


def text_by_name(value: Any) -> dict[str, str]:
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise ValueError('a table of strings, e.g. { introduction = "my-prompts/intro.txt" }')


def number_by_name(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and all(isinstance(v, bool | int | float | str) for v in value.values()):
        return dict(value)
    raise ValueError("a table of rule names to values, e.g. { group_size = 2 }")


def timezone(value: Any) -> str:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise ValueError('an IANA time zone such as "Europe/London"')


def clock_time(value: Any) -> str:
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        hours, minutes = value[:2], value[3:]
        if hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60:
            return value
    raise ValueError('a 24-hour time "HH:MM", e.g. "08:00"')


def duration_range(low: str, high: str) -> Callable[[Any], timedelta]:
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


def cron(value: Any) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if isinstance(value, str):
        try:
            CronTrigger.from_crontab(value)
            return value
        except ValueError:
            pass
    raise ValueError('a cron expression "minute hour day month weekday", e.g. "0 9 * * mon"')


def crons_by_name(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): cron(v) for k, v in value.items()}
    raise ValueError('a table of cron expressions, e.g. { "slack:T0123" = "30 8 * * tue" }')


def url(value: Any) -> str:
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


def database_url(value: Any) -> str:
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
