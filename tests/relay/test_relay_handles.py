"""Handles are random per question: across many questions they say nothing about the asker."""

from __future__ import annotations

import secrets
from collections import defaultdict

import numpy as np
from relay_helpers import RELAY_CONFIG, make_harness
from sqlalchemy import select

from bot.kernel.invocation import Actor
from bot.relay.models import RelayParticipant
from bot.relay.routing import new_handle

ASKERS, QUESTIONS_EACH = 100, 5


async def test_handles_are_unrelated_to_asker_ids_across_500_questions(empty_database, tmp_path):
    raw = {**RELAY_CONFIG, "relay": {"asks_per_day": 50}}
    h = make_harness(empty_database, tmp_path, raw)
    await h.start()
    try:
        records = []
        for n in range(ASKERS + 5):
            records.append(
                {
                    "platform": "console",
                    "community": "local",
                    "user_id": f"U{n:05d}",
                    "display_name": f"Person {n}",
                    "organisation": f"Organisation {n}",
                    "org_type": "council",
                    "region": "london",
                    "role": "Lead",
                    "areas": ["health"],
                    "challenge": f"Joining up discharge and reablement, variant {n % 7}.",
                    "stage": "planning",
                    "timezone": "Europe/London",
                    "cadence": "monthly",
                    "accepts_questions": True,
                    "consented_at": h.clock.now(),
                }
            )
        await h.app.profiles.insert_many(records)
        relay = h.app.relay
        for n in range(ASKERS):
            actor = Actor("console", "local", f"U{n:05d}")
            profile = await h.core.people.require(actor)
            for q in range(QUESTIONS_EACH):
                draft = await relay.asking.save_draft(
                    actor, profile, f"Question {q} about reablement?", {}, None
                )
                count, _ = await relay.asking.send_draft(actor, profile, draft)
                assert count == 3
        async with h.core.db.session() as session:
            rows = (await session.execute(select(RelayParticipant))).scalars().all()
            parties = [relay.store.party(row) for row in rows]
        by_asker: dict[int, list[int]] = defaultdict(list)
        by_thread: dict[str, list[str]] = defaultdict(list)
        for party in parties:
            by_thread[party.row.thread_id].append(party.handle)
            if party.role == "asker":
                by_asker[int(party.identity.user_id[1:])].append(int(party.handle.split()[1]))
        assert sum(len(v) for v in by_asker.values()) == ASKERS * QUESTIONS_EACH
        assert all(len(set(handles)) == len(handles) for handles in by_thread.values()), "unique in a thread"
        ids = np.array([asker for asker, handles in by_asker.items() for _ in handles], dtype=float)
        numbers = np.array([number for handles in by_asker.values() for number in handles], dtype=float)
        correlation = float(np.corrcoef(ids, numbers)[0, 1])
        assert abs(correlation) < 0.15, correlation
        repeated = sum(len(set(handles)) < QUESTIONS_EACH for handles in by_asker.values())
        assert repeated <= 10, "an asker's handle changes with every question"
        assert len(set(numbers)) > 400, "handles spread over the whole range"
        assert numbers.min() >= 1000 and numbers.max() <= 9999
        # The same id never maps to the same handle by formula: the low digits of the id
        # match the handle's no more often than chance (1 in 100).
        same_digits = sum(int(a) % 100 == int(n) % 100 for a, n in zip(ids, numbers, strict=True))
        assert same_digits < 25
        # Stored handles are tokens, not "Peer NNNN".
        assert all(not row.handle_token.startswith("Peer") for row in rows)
    finally:
        await h.stop()


def test_new_handle_avoids_taken_handles():
    taken = {f"Peer {n}" for n in range(1000, 9999)}
    assert new_handle(taken) == "Peer 9999"
    draws = {new_handle(set()) for _ in range(2000)}
    assert len(draws) > 1500, "random, not a sequence or a function of anything"
    assert secrets  # handles use the secrets module, the OS's random source
