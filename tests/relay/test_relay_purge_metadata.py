"""A purged thread leaves no metadata behind: no job row (when it was asked, when each copy was
delivered, whose copy it was) and no report row refers to it; organisers keep only a count."""

from __future__ import annotations

import json

from relay_helpers import ask, deliver
from sqlalchemy import func, select

from bot.kernel.storage.job_models import Job
from bot.relay.models import RelayMessage, RelayParticipant, RelayReport, RelayThread


async def _ids_of_threads(h) -> dict[str, set[str]]:
    """Each thread's id, with its participants' and messages' ids."""
    async with h.core.db.session() as session:
        found = {
            thread_id: {thread_id} for thread_id in (await session.execute(select(RelayThread.id))).scalars()
        }
        for model in (RelayParticipant, RelayMessage):
            for row_id, thread_id in await session.execute(select(model.id, model.thread_id)):
                found[thread_id].add(row_id)
    return found


async def _job_texts(h) -> list[str]:
    async with h.core.db.session() as session:
        jobs = (await session.execute(select(Job))).scalars().all()
    return [f"{job.key} {json.dumps(job.payload)} {job.last_error}" for job in jobs]


async def _report_rows(h) -> int:
    async with h.core.db.session() as session:
        return (await session.execute(select(func.count()).select_from(RelayReport))).scalar_one()


async def _first_thread_with_every_kind_of_job(rh) -> None:
    """Alice asks (question jobs, delivered); bob's answer cannot reach her (a retry job); bob reports."""
    await ask(rh, "alice")
    await deliver(rh)
    rh.platform.refuses_dms.add("alice")
    form = await rh.press("bob", "Answer")
    await rh.submit("bob", "relay.answer.submit", {"answer": "We pooled budgets."}, form.form.args)
    report = await rh.press("bob", "Report")
    fields = {"category": "abusive", "include_text": "no"}
    await rh.submit("bob", "relay.report.submit", fields, report.form.args)


async def test_purge_deletes_every_job_and_report_of_the_thread_and_keeps_a_count(rh):
    await _first_thread_with_every_kind_of_job(rh)
    first = await _ids_of_threads(rh)
    (first_ids,) = first.values()
    texts = await _job_texts(rh)
    assert sum(any(i in t for i in first_ids) for t in texts) >= 4, "question and retry jobs refer to it"
    assert await _report_rows(rh) == 1
    rh.clock.advance(hours=73)
    await ask(rh, "dan", "Has anyone aligned housing adaptations with occupational therapy waiting lists?")
    second_ids = set().union(
        *(ids for thread_id, ids in (await _ids_of_threads(rh)).items() if thread_id not in first)
    )

    assert (await rh.app.relay.purge()).threads == 1

    texts = await _job_texts(rh)
    assert [t for t in texts if any(i in t for i in first_ids)] == []
    assert sum(any(i in t for i in second_ids) for t in texts) >= 1, "the other thread's jobs stay"
    assert await _report_rows(rh) == 0
    counts = await rh.say("organiser", "admin refusals")
    assert "Reports of anonymous-question messages:* 1" in counts.text, "the count stays, not the row"


async def test_leaving_deletes_the_jobs_of_ones_threads_and_of_ones_part_in_others(rh):
    await _first_thread_with_every_kind_of_job(rh)
    (ids,) = (await _ids_of_threads(rh)).values()
    await rh.say("bob", "leave")
    await rh.press("bob", "Erase my data")
    left = set().union(*(await _ids_of_threads(rh)).values())
    gone = ids - left
    assert len(gone) >= 2, "bob's handle and answer are gone"
    assert [t for t in await _job_texts(rh) if any(i in t for i in gone)] == []
    await rh.say("alice", "leave")
    await rh.press("alice", "Erase my data")
    assert [t for t in await _job_texts(rh) if any(i in t for i in ids)] == []
    assert await _report_rows(rh) == 0
