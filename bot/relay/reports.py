"""Reports: a peer or asker reports a message they received; its sender is blocked from the
thread and the community's organisers are told, with the text only if the reporter chose so.
Organisers see counts only (reports, and messages the privacy guard refused)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.invocation import Actor
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import DirectMessage, Outbound, Outbox
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Refusal
from bot.relay import texts
from bot.relay.models import RelayReport, RelayReportCount
from bot.relay.parties import in_flight
from bot.relay.rules import organiser_ids
from bot.relay.store import ThreadStore


@dataclass(frozen=True)
class Reported:
    """The report's outcome: whose messages are blocked, how many organisers heard, text shown."""

    sender: str
    told: int
    shown: bool


@dataclass(frozen=True)
class RefusalCounts:
    """For organisers: guard refusals by (reason, sensitivity), and relay reports."""

    refusals: list[tuple[str, str, int]]
    reports: int


class ReportService:
    """Reporting relay messages, and the counts organisers may see."""

    def __init__(self, config: Config, db: Database, clock: Clock, outbox: Outbox, store: ThreadStore):
        self._config, self._db, self._clock, self._outbox, self._store = config, db, clock, outbox, store

    async def check(self, actor: Actor, message_id: str) -> None:
        """Refuse to open a report form for a message the caller did not receive."""
        async with self._db.session() as session:
            await self._store.own_message(session, actor, message_id)

    async def report(self, actor: Actor, message_id: str, include_text: bool) -> Reported:
        """Block the sender from the thread, count the report and tell the organisers."""
        async with self._db.session() as session, session.begin():
            view, message, _ = await self._store.own_message(session, actor, message_id)
            sender = view.parties[message.sender_id]
            sender.row.blocked = True
            body = self._store.body(message) if include_text else ""
            session.add(
                RelayReport(at=self._clock.now(), community_key=actor.community_key, thread_id=view.thread.id)
            )
        with in_flight(body):
            told = await self._tell_organisers(actor, body if include_text else None)
        return Reported(sender.handle, told, include_text)

    async def _tell_organisers(self, actor: Actor, body: str | None) -> int:
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
                    Message(texts.report_notice(body)),
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
            folded = await session.get(RelayReportCount, community_key)
            reports += folded.reports if folded else 0
        return RefusalCounts(refusals, reports)
