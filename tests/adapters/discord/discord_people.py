"""Members of the fake server who have already joined: profiles written straight into the table
(joining through the modals is covered by test_discord_journeys.py)."""

from __future__ import annotations

from bot.kernel.storage.models import Profile

CHALLENGES = (
    "Sharing hospital discharge data between the council and the acute trust.",
    "Discharge data sharing with adult social care before winter pressures.",
    "Data sharing agreements for hospital discharge with the acute trust.",
    "Aligning housing adaptations with occupational therapy waiting lists.",
    "Joining up welfare advice with GP social prescribing.",
    "Housing first for people leaving hospital with nowhere to go.",
)


async def add_joined(j, names: list[str], **changes) -> dict[str, str]:
    """Fake-server members with active, consented profiles; returns name → Discord user id."""
    now = j.core.clock.now()
    ids: dict[str, str] = {}
    rows = []
    for index, name in enumerate(names):
        user_id = j.member(name)
        ids[name] = user_id
        values = {
            "platform": "discord",
            "community": j.fake.guild_id,
            "user_id": user_id,
            "display_name": name.title(),
            "organisation": f"{name.title()} Borough Council",
            "org_type": "council",
            "region": "london",
            "role": "Integration lead",
            "areas": ["health", "social_care"],
            "challenge": CHALLENGES[index % len(CHALLENGES)],
            "stage": "implementing",
            "timezone": "Europe/London",
            "cadence": "fortnightly",
            "accepts_questions": True,
            "status": "active",
            "dont_pair_with": [],
            "consented_at": now,
            "privacy_notice_version": 1,
            "created_at": now,
            "updated_at": now,
            **changes,
        }
        rows.append(Profile(**values))
    async with j.core.db.session() as session, session.begin():
        session.add_all(rows)
    return ids
