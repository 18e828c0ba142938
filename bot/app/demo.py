"""The shipped demo community, so a newcomer sees matching and check-ins within a minute."""

from __future__ import annotations

import json
from importlib import resources

from bot.kernel.core import Core
from bot.profiles.import_export import check_rows

DEMO_COMMUNITY = "local"


def demo_rows() -> list[tuple[int, dict]]:
    """The demo practitioners (fictional), numbered like file records."""
    text = resources.files("bot.app.demo_data").joinpath("community.json").read_text("utf-8")
    return [(i, {**row, "consent": "yes"}) for i, row in enumerate(json.loads(text), 1)]


async def load_demo(core: Core) -> int:
    """Add the demo practitioners to the console community (skipping any already there)."""
    existing = await core.profiles.existing_keys()
    plan = check_rows(
        demo_rows(), platform="console", community=DEMO_COMMUNITY, now=core.clock.now(), existing=existing
    )
    return await core.profiles.insert_many(plan.records)
