"""The shipped demo community is valid and loads once."""

from datetime import UTC, datetime

from bot.app.demo import demo_rows, load_demo
from bot.profiles.import_export import check_rows


def test_every_demo_row_is_valid():
    plan = check_rows(
        demo_rows(),
        platform="console",
        community="local",
        now=datetime(2026, 1, 1, tzinfo=UTC),
        existing=set(),
    )
    assert plan.problems == [] and len(plan.records) == 30


async def test_the_demo_loads_once_and_can_be_matched(harness):
    assert await load_demo(harness.app.profiles, harness.clock) == 30
    assert await load_demo(harness.app.profiles, harness.clock) == 0, "loading again adds nobody twice"
    preview = await harness.say("admin", "admin preview seed 1")
    assert "30 of 30 matched" in preview.text
