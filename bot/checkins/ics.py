"""Calendar files (RFC 5545) for check-ins, so people can put them in their own calendar.

Times are written in UTC ("Z"), which every calendar converts to the reader's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Split a content line into pieces of at most 75 octets (continuations start with a space)."""
    pieces, current, limit = [], "", 75
    for char in line:
        if len((current + char).encode()) > limit:
            pieces.append(current)
            current, limit = " ", 75
        current += char
    pieces.append(current)
    return pieces


def calendar_event(
    uid: str,
    start: datetime,
    duration: timedelta,
    summary: str,
    description: str,
    stamp: datetime,
    sequence: int = 0,
) -> bytes:
    """One VEVENT in a VCALENDAR; a higher `sequence` with the same uid updates the event."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//peerbot//check-ins//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(start + duration)}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(piece for line in lines for piece in _fold(line)) + "\r\n").encode()
