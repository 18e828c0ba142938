"""Reports: a peer or asker reports a message they received, choosing why (a category).

Its sender can no longer write to the reporter in that thread and is told, through the relay,
that their message was reported, the category and what that means, never by whom; the
community's organisers are told the report's number and category, with the text only if the
reporter chose so. Organisers then see reports and act on them in bot/relay/moderation.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.messages import Sensitivity
from bot.kernel.outbox import DirectMessage, Outbound, Outbox
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Refusal
from bot.relay import report_texts
from bot.relay.models import RelayReport, RelayReportCount
from bot.relay.parties import in_flight
from bot.relay.report_notices import ReportNotices
from bot.relay.report_rows import already_reported
from bot.relay.rules import REPORT_CATEGORIES, check_reportable, organiser_ids, report_day
from bot.relay.store import ThreadStore

REFERENCE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_reference() -> str:
    """A random reference for one report's sender, shown to organisers: it stands for nobody else."""
    return "".join(secrets.choice(REFERENCE_LETTERS) for _ in range(4))


@dataclass(frozen=True)
class Reported:
    """The report's outcome: who is silenced towards the reporter, why, how many organisers heard,
    whether they were shown the text."""

    sender: str
    category: str
    told: int
    shown: bool


@dataclass(frozen=True)
class RefusalCounts:
    """For organisers: guard refusals by (reason, sensitivity), and relay reports."""

    refusals: list[tuple[str, str, int]]
    reports: int


class ReportService:
    """Reporting relay messages, and the counts organisers may see."""

    def __init__(
        self,
        config: Config,
        db: Database,
        clock: Clock,
        outbox: Outbox,
        store: ThreadStore,
        notices: ReportNotices,
    ):
        self._config, self._db, self._clock, self._outbox = config, db, clock, outbox
        self._store, self._notices = store, notices

    async def check(self, actor: Actor, message_id: str) -> None:
        """Refuse to open a report form for a message the caller did not receive."""
        async with self._db.session() as session:
            _, message, _ = await self._store.own_message(session, actor, message_id)
        check_reportable(message.kind)

    async def report(self, actor: Actor, message_id: str, category: str, include_text: bool) -> Reported:
        """Record the report, silence its sender towards the reporter, tell the sender and the organisers."""
        if category not in REPORT_CATEGORIES:
            raise UserError(report_texts.FIX_REPORT)
        async with self._db.session() as session, session.begin():
            view, message, me = await self._store.own_message(session, actor, message_id)
            check_reportable(message.kind)
            if await already_reported(session, message.id, me.id):
                raise UserError(report_texts.ALREADY_REPORTED)
            sender = view.parties[message.sender_id]
            body = self._store.body(message) if include_text else ""
            row = RelayReport(
                at=report_day(self._clock.now()),
                community_key=actor.community_key,
                thread_id=view.thread.id,
                category=category,
                message_id=message.id,
                reporter_id=me.id,
                reported_id=sender.id,
                reference=new_reference(),
                shared=include_text,
            )
            session.add(row)
            await session.flush()
            number = row.id
        with in_flight(body):
            told = await self._tell_organisers(actor, number, category, body if include_text else None)
        await self._notices.tell(number, "reported")
        return Reported(sender.handle, category, told, include_text)

    async def _tell_organisers(self, actor: Actor, number: int, category: str, body: str | None) -> int:
        """Each organiser's DM: relay content only when shown, and then only to them."""
        organisers = organiser_ids(self._config, actor.platform, actor.community)
        if body is not None:
            sensitivity, allowed = Sensitivity.RELAY, frozenset(organisers)
        else:
            sensitivity, allowed = Sensitivity.PERSONAL, frozenset()
        told = 0
        for organiser in organisers:
            delivery = await self._outbox.send(
                Outbound(
                    DirectMessage(actor.platform, actor.community, organiser),
                    report_texts.report_notice(number, category, body),
                    sensitivity,
                    "relay.report_notice",
                    allowed,
                )
            )
            told += delivery.sent
        return told

    async def refusal_counts(self, community_key: str) -> RefusalCounts:
        """How many messages the guard refused here, by reason, and how many relay reports."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(Refusal.reason, Refusal.sensitivity, func.count())
                .where(Refusal.community_key == community_key)
                .group_by(Refusal.reason, Refusal.sensitivity)
                .order_by(Refusal.reason, Refusal.sensitivity)
            )
            refusals = [(reason, sensitivity, count) for reason, sensitivity, count in rows]
            reports = (
                await session.execute(
                    select(func.count())
                    .select_from(RelayReport)
                    .where(RelayReport.community_key == community_key)
                )
            ).scalar_one()
            folded = await session.scalar(
                select(func.sum(RelayReportCount.reports)).where(
                    RelayReportCount.community_key == community_key
                )
            )
            reports += folded or 0
        return RefusalCounts(refusals, reports)
