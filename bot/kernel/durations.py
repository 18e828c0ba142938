"""Durations as people write them in config ("90s", "7d", "1h30m"), and back again.

Every scheduled interval is a duration setting so an organiser can rehearse a whole cycle
(introduction, check-in, reminder, follow-up, relay delivery and purge) in minutes, and the
end-to-end tests can run it on the real clock.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
    "ms": timedelta(milliseconds=1),
}
_PART = re.compile(r"(\d+)(ms|w|d|h|m|s)")
_WORDS = {"w": "week", "d": "day", "h": "hour", "m": "minute", "s": "second", "ms": "millisecond"}


def parse_duration(text: str) -> timedelta:
    """ "90s", "15m", "24h", "7d", "2w", "1h30m", "500ms" → a timedelta; ValueError otherwise."""
    compact = text.strip().replace(" ", "").lower()
    if not compact:
        raise ValueError("an empty duration")
    position, total = 0, timedelta()
    for part in _PART.finditer(compact):
        if part.start() != position:
            break
        total += int(part.group(1)) * UNITS[part.group(2)]
        position = part.end()
    if position != len(compact):
        raise ValueError(f"not a duration: {text!r}")
    return total


def format_duration(span: timedelta) -> str:
    """The exact config form, largest units first: 72 hours → "3d", 90 seconds → "1m30s"."""
    if span == timedelta():
        return "0s"
    parts, rest = [], span
    for unit in ("d", "h", "m", "s", "ms"):
        count, rest = divmod(rest, UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def describe_duration(span: timedelta) -> str:
    """Plain words for people, in the largest exact unit up to hours: "72 hours", "90 seconds"."""
    for unit in ("h", "m", "s"):
        count, rest = divmod(span, UNITS[unit])
        if count and not rest:
            return f"{count} {_WORDS[unit]}{'s' if count != 1 else ''}"
    return f"{span.total_seconds():g} seconds"


def describe_roughly(span: timedelta) -> str:
    """An elapsed time as people say it, in its largest whole unit: "2 minutes", "3 hours"."""
    for unit in ("d", "h", "m", "s"):
        count = span // UNITS[unit]
        if count:
            return f"{count} {_WORDS[unit]}{'s' if count != 1 else ''}"
    return "moments"
