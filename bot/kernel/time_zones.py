"""Read a time zone as people write it: an IANA name in any case, a city, a country or an
abbreviation; an offset or an unknown name gets a suggestion instead of a silent guess.

Pure: no I/O beyond the installed zone list.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from zoneinfo import available_timezones

# Countries, regions and abbreviations people write instead of a zone name.
ALIASES: dict[str, str] = {
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "great britain": "Europe/London",
    "britain": "Europe/London",
    "england": "Europe/London",
    "scotland": "Europe/London",
    "wales": "Europe/London",
    "northern ireland": "Europe/London",
    "bst": "Europe/London",
    "gmt": "Europe/London",
    "ireland": "Europe/Dublin",
    "france": "Europe/Paris",
    "germany": "Europe/Berlin",
    "spain": "Europe/Madrid",
    "portugal": "Europe/Lisbon",
    "italy": "Europe/Rome",
    "netherlands": "Europe/Amsterdam",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "utc": "UTC",
}

_OFFSET = re.compile(r"^(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")


class TimeZoneError(ValueError):
    """The text names no time zone; the message says what to write instead."""


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Every zone by its folded full name and by its folded city (last part, spaces for _)."""
    by_name: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        by_name[zone.casefold()] = zone
    for zone in sorted(available_timezones()):
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/")):
            city = zone.rsplit("/", 1)[1].replace("_", " ").casefold()
            by_name.setdefault(city, zone)
    return by_name


def _offset_hint(sign: str, hours: str) -> str:
    """Offsets change with summer time, so suggest a place; Etc zones invert the sign."""
    etc = f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"
    fixed = f"UTC{sign}{int(hours)}"
    return f"offsets change with summer time, so write a city such as Europe/Paris (or {etc} for {fixed})"


def resolve_time_zone(text: str) -> str:
    """The IANA name for `text`, or raise TimeZoneError suggesting the closest names."""
    cleaned = " ".join(text.strip().split())
    folded = cleaned.casefold()
    offset = _OFFSET.match(folded)
    if offset:
        hint = _offset_hint(offset[1], offset[2])
        raise TimeZoneError(f"“{cleaned}” is an offset, not a time zone: {hint}.")
    if folded in ALIASES:
        return ALIASES[folded]
    zones = _zones()
    for key in (folded, folded.replace(" ", "_"), folded.replace("_", " ")):
        if key in zones:
            return zones[key]
    close = difflib.get_close_matches(folded.replace(" ", "_"), list(zones), n=3, cutoff=0.6)
    names = list(dict.fromkeys(zones[key] for key in close))
    hint = f"did you mean {' or '.join(names)}?" if names else "use one like Europe/London."
    raise TimeZoneError(f"“{cleaned}” is not a time zone name; {hint}")
