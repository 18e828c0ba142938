"""When a question reaches peers: after its random delay, and only in their daytime."""

from datetime import UTC, datetime

from relay_helpers import MARKER_Q, ask


def peers_reached(h) -> list[str]:
    return [d.user_id for d in h.platform.delivered if MARKER_Q in d.message.text and d.user_id != "alice"]


async def test_a_question_asked_at_night_waits_for_the_peers_morning(rh):
    rh.clock.set(datetime(2026, 1, 5, 23, 0, tzinfo=UTC))  # 23:00 in London
    await ask(rh, "alice")
    rh.clock.advance(minutes=10)
    await rh.core.jobs.run_due(rh.core)
    assert peers_reached(rh) == [], "nothing at night"
    rh.clock.set(datetime(2026, 1, 6, 8, 0, tzinfo=UTC))  # 08:00 in London
    await rh.core.jobs.run_due(rh.core)
    assert len(peers_reached(rh)) == 3
