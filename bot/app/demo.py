"""The shipped demo community, so a newcomer sees matching and check-ins within a minute."""

from __future__ import annotations

import json
from importlib import resources

from bot.kernel.clock import Clock
from bot.profiles.import_export import check_rows
from bot.profiles.service import ProfileService

DEMO_COMMUNITY = "local"


def demo_rows() -> list[tuple[int, dict]]:
    """The demo practitioners (fictional), numbered like file records."""
    text = resources.files("bot.app.demo_data").joinpath("community.json").read_text("utf-8")
    return [(i, {**row, "consent": "yes"}) for i, row in enumerate(json.loads(text), 1)]


async def load_demo(profiles: ProfileService, clock: Clock) -> int:
    """Add the demo practitioners to the console community (skipping any already there)."""
    existing = await profiles.existing_keys()
    plan = check_rows(
        demo_rows(), platform="console", community=DEMO_COMMUNITY, now=clock.now(), existing=existing
    )
    return await profiles.insert_many(plan.records)
