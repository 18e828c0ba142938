"""How a profile is shown: as plain JSON-ready values (forms, /peer mydata) and in plain words
(the person's own profile, their matched peers, the home page).
"""

from __future__ import annotations

from typing import Any

from bot.kernel.storage.models import Profile
from bot.profiles.form import PROFILE_FIELD_NAMES
from matching.vocabulary import CADENCES, INTEGRATION_AREAS, ORG_TYPES, REGIONS, STAGES

PROFILE_EXPORT_FIELDS = (
    "platform",
    "community",
    "user_id",
    *PROFILE_FIELD_NAMES,
    "status",
    "paused_until",
    "consented_at",
    "privacy_notice_version",
    "unreachable_reason",
    "unreachable_since",
    "created_at",
    "updated_at",
)


def profile_as_dict(profile: Profile) -> dict[str, Any]:
    """A profile as plain JSON-ready values (dates as ISO text)."""
    out: dict[str, Any] = {}
    for name in PROFILE_EXPORT_FIELDS:
        value = getattr(profile, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def area_labels(areas: list[str] | tuple[str, ...]) -> str:
    """Integration areas by their labels, as people read them."""
    return ", ".join(INTEGRATION_AREAS[a] for a in areas)


def describe_profile(values: dict) -> str:
    """A profile in plain words, as the person and their matched peers see it."""
    status = values.get("status", "active")
    if status == "paused":
        until = values.get("paused_until")
        status = f"paused until {until}" if until else "paused"
    return "\n".join(
        [
            f"*{values['display_name']}*: {values['role']}, {values['organisation']} "
            f"({ORG_TYPES[values['org_type']]}, {REGIONS[values['region']]})",
            f"• Integration areas: {area_labels(values['areas'])}",
            f"• Stage: {STAGES[values['stage']]}",
            f"• Challenge: {values['challenge']}",
            f"• Check-ins: {CADENCES[values['cadence']]}, time zone {values['timezone']}",
            f"• Answers anonymous questions: {'yes' if values['accepts_questions'] else 'no'}",
            f"• Status: {status}",
        ]
    )
