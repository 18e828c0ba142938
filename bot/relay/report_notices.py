"""What the person a report is about hears: that their message was reported, an organiser's
warning, a suspension. Each goes through the relay's one way out (bot/relay/sending.py), to
that person's DM only, so organisers act without ever learning who it is.

A notice the platform cannot take now goes again from the job queue ("relay.reported_notice",
keyed under the thread so a purge deletes it); a notice about a report that has since been
deleted is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.clock import Clock
from bot.kernel.jobs import enqueue
from bot.kernel.messages import Message
from bot.kernel.outbox import Delivery
from bot.kernel.retry_policy import backoff
from bot.kernel.storage.database import Database
from bot.relay import report_texts
from bot.relay.job_keys import report_notice_job
from bot.relay.models import RelayMessage, RelayReport
from bot.relay.parties import Party
from bot.relay.sending import RelaySender
from bot.relay.store import ThreadStore

NOTICES = ("reported", "warned", "suspended")


@dataclass(frozen=True)
class _Sent:
    delivery: Delivery
    thread_id: str


class ReportNotices:
    """Tells the person behind a report, through the relay, what became of it."""

    def __init__(self, db: Database, clock: Clock, store: ThreadStore, sender: RelaySender):
        self._db, self._clock, self._store, self._sender = db, clock, store, sender

    async def tell(self, report_id: int, notice: str) -> str:
        """Send a notice now; on a platform failure book a retry. Returns the delivery's status
        ("sent", "failed" or "refused"; "refused" too when the person is no longer there)."""
        sent = await self.send(report_id, notice)
        if sent is None:
            return "refused"
        if sent.delivery.status == "failed":
            now = self._clock.now()
            async with self._db.session() as session, session.begin():
                key = report_notice_job(sent.thread_id, report_id, notice)
                payload = {"report": report_id, "notice": notice}
                await enqueue(session, "relay.reported_notice", key, now + backoff(0, None), payload, now)
        return sent.delivery.status

    async def send(self, report_id: int, notice: str) -> _Sent | None:
        """Send one notice about a report to the person it is about; None when nobody is left to tell."""
        async with self._db.session() as session:
            report = await session.get(RelayReport, report_id)
            if report is None or report.reported_id is None or report.thread_id is None:
                return None
            view = await self._store.view(session, report.thread_id)
            person = view.parties.get(report.reported_id)
            if person is None:
                return None
            message = await session.get(RelayMessage, report.message_id) if report.message_id else None
        out = _notice(notice, report, person, message.kind if message else "")
        delivery = await self._sender.send_to(view, person, out, f"relay.{notice}")
        return _Sent(delivery, report.thread_id)


def _notice(notice: str, report: RelayReport, person: Party, kind: str) -> Message:
    """The notice's words: the person's own handle and the category, never the reporter nor any text."""
    if notice == "warned":
        return report_texts.warning(person.handle, report.category)
    if notice == "suspended" and report.suspended_until is not None:
        return report_texts.suspended_notice(person.handle, report.category, report.suspended_until)
    return report_texts.sender_notice(person.handle, kind, report.category, report.shared)
