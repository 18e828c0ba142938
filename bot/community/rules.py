"""Community settings as plain values and the rules on them: what a member's roles grant,
which typed values are valid, and what a submitted setup changes. No database, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from apscheduler.triggers.cron import CronTrigger

SETUP_PLATFORMS = ("discord",)
SNOWFLAKE = re.compile(r"^(?:<[@#]&?)?(\d{5,25})>?$")
EVERYONE = ("", "everyone", "@everyone")
JOIN_REFUSED = (
    "This server's organisers have limited the peer network to members with a particular "
    "role. Ask an organiser if you would like to take part."
)


@dataclass(frozen=True)
class CommunitySettings:
    """One server's choices; None means the default (everyone may join, [rounds] cron)."""

    community: str
    participant_role_id: str | None = None
    optin_channel_id: str | None = None
    join_message_id: str | None = None
    admin_role_id: str | None = None
    round_cron: str | None = None


@dataclass(frozen=True)
class RoleFacts:
    """What a member's roles mean here: admin rights and whether they may join."""

    is_admin: bool
    may_join: bool


def roles_grant(settings: CommunitySettings, role_ids: set[str]) -> RoleFacts:
    """Admin if the member holds the admin role; may join if no role is required or they hold it."""
    admin = settings.admin_role_id is not None and settings.admin_role_id in role_ids
    may_join = settings.participant_role_id is None or settings.participant_role_id in role_ids or admin
    return RoleFacts(is_admin=admin, may_join=may_join)


def parse_snowflake(text: str, what: str, allow_empty: bool) -> str | None:
    """An id from a pasted id or a mention (<@&id>, <#id>); empty means none when allowed."""
    text = text.strip()
    if not text and allow_empty:
        return None
    match = SNOWFLAKE.match(text)
    if match is None:
        raise ValueError(f"“{text[:40]}” is not a {what}: pick one, paste its id or mention it.")
    return match.group(1)


def parse_cron(text: str, timezone: str) -> str | None:
    """A five-field cron line the scheduler accepts, or None for the configured default."""
    text = " ".join(text.split())
    if not text:
        return None
    if len(text.split()) != 5:
        raise ValueError("Use five cron fields: minute hour day month weekday, e.g. 0 9 * * mon.")
    try:
        CronTrigger.from_crontab(text, timezone=timezone)
    except ValueError as problem:
        raise ValueError(f"“{text}” is not a schedule the bot understands ({problem}).") from None
    return text


def parse_participant_role(text: str) -> str | None:
    if text.strip().casefold() in EVERYONE:
        return None
    return parse_snowflake(text, "role", allow_empty=True)


def may_set_up(platform: str) -> bool:
    """Whether a platform's communities keep their settings in the chat (else in the config file)."""
    return platform in SETUP_PLATFORMS


def settings_after(current: CommunitySettings, values: dict[str, Any]) -> CommunitySettings:
    """The settings once submitted values apply (absent ones keep theirs); a new opt-in channel
    forgets the old join post, so a new one is posted there."""
    updated = CommunitySettings(
        current.community,
        values.get("participant_role", current.participant_role_id),
        values.get("optin_channel", current.optin_channel_id),
        current.join_message_id,
        values.get("admin_role", current.admin_role_id),
        values.get("round_cron", current.round_cron),
    )
    if updated.optin_channel_id != current.optin_channel_id:
        updated = replace(updated, join_message_id=None)
    return updated


def needs_join_post(settings: CommunitySettings) -> bool:
    """An opt-in channel without its join-button post yet."""
    return bool(settings.optin_channel_id) and settings.join_message_id is None
