"""The relay's scheduled work: delayed question delivery, answer redelivery, notices about
reports that could not go at once, and the purge.

Each job kind is registered by install(); handlers wait (RetryLater) while the key is
missing rather than lose anything, and never send to a thread closed, purged or blocked
since the job was booked, nor a question from or to someone suspended from the relay.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.core import Core
from bot.kernel.crypto import CannotDecrypt
from bot.kernel.errors import UserError
from bot.kernel.jobs import Cancelled, ClaimedJob, RetryLater, enqueue
from bot.kernel.quiet_hours import hold_for_quiet_hours
from bot.kernel.retry_policy import settle_delivery
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.relay import texts
from bot.relay.keys import RelayKeys
from bot.relay.models import RelayMessage, RelayParticipant, RelayThread
from bot.relay.parties import Party, in_flight
from bot.relay.report_notices import ReportNotices
from bot.relay.rules import peer_reachable, question_deliverable
from bot.relay.sending import RelaySender
from bot.relay.store import ThreadStore
from bot.relay.suspensions import Suspensions

KEY_WAIT = timedelta(hours=1)


class RelayJobs:
    """Job handlers bound to the relay's parts (registered as "relay.question", "relay.message",
    "relay.reported_notice", "relay.purge")."""

    def __init__(
        self,
        config: Config,
        db: Database,
        clock: Clock,
        store: ThreadStore,
        sender: RelaySender,
        purge: Callable[[], Awaitable[object]],
        notices: ReportNotices,
        suspensions: Suspensions,
    ):
        self._config, self._db, self._clock = config, db, clock
        self._store, self._sender, self._purge = store, sender, purge
        self._notices, self._suspensions = notices, suspensions

    @property
    def _keys(self) -> RelayKeys:
        return self._store.keys

    def _wait_for_key(self) -> None:
        if self._keys.crypto is None:
            raise RetryLater(self._clock.now() + KEY_WAIT, "relay key unavailable")

    async def deliver_question(self, core: Core, job: ClaimedJob) -> None:
        """Job "relay.question": after its random delay, send the question to one chosen peer."""
        self._wait_for_key()
        async with self._db.session() as session, session.begin():
            row = await session.get(RelayParticipant, job.payload["participant"])
            if row is None or row.delivered_at is not None:
                raise Cancelled()
            try:
                view = await self._store.view(session, row.thread_id)
                question = await self._store.question_of(session, row.thread_id)
                text = self._store.body(question)
                context = self._store.context(view.thread)
            except (CannotDecrypt, UserError):
                raise RetryLater(self._clock.now() + KEY_WAIT, "cannot open stored data") from None
            if not question_deliverable(view.thread.status, view.asker.row.blocked):
                raise Cancelled()
            peer = view.parties[row.id]
            for person in (view.asker, peer):
                if await self._suspensions.until(session, person.identity) is not None:
                    raise Cancelled()
            await self._hold_for_peer(session, peer)
            with in_flight(text):
                message = texts.question_message(
                    view.asker.handle, peer.handle, context, text, peer.id, question.id
                )
                delivery = await self._sender.send_to(view, peer, message, "relay.question")
            settle_delivery(core, job, delivery)
            row.delivered_at = self._clock.now()

    async def _hold_for_peer(self, session: AsyncSession, peer: Party) -> None:
        """A question waits for the peer's daytime (quiet hours), and never reaches a paused peer."""
        profile_id = peer.identity.profile_id
        profile = await session.get(Profile, profile_id) if profile_id else None
        if not peer_reachable(profile.status if profile else None):
            raise Cancelled()
        hold = hold_for_quiet_hours(self._config.checkins, profile.timezone, self._clock.now())
        if hold is not None:
            raise RetryLater(hold, "quiet hours")

    async def redeliver_message(self, core: Core, job: ClaimedJob) -> None:
        """Job "relay.message": try again to deliver an answer, follow-up or thanks."""
        self._wait_for_key()
        async with self._db.session() as session:
            message = await session.get(RelayMessage, job.payload["message"])
            if message is None or message.recipient_id is None:
                raise Cancelled()
            view = await self._store.view(session, message.thread_id)
            body = self._store.body(message)
            sender, recipient = view.parties[message.sender_id], view.parties[message.recipient_id]
            with in_flight(body):
                out = await self._sender.recipient_message(session, view, message, sender, recipient, body)
                delivery = await self._sender.send_to(view, recipient, out, f"relay.{message.kind}")
        settle_delivery(core, job, delivery)

    async def redeliver_report_notice(self, core: Core, job: ClaimedJob) -> None:
        """Job "relay.reported_notice": try again to tell someone about a report of their message,
        a warning or a suspension; dropped once the report is gone."""
        self._wait_for_key()
        sent = await self._notices.send(job.payload["report"], job.payload["notice"])
        if sent is None:
            raise Cancelled()
        settle_delivery(core, job, sent.delivery)

    async def scheduled_purge(self, core: Core, job: ClaimedJob) -> None:
        """Job "relay.purge": purge now, and book the next run for when a thread can next pass
        retention, [relay] purge_every later at the soonest.

        Nothing can fall due before the oldest last activity plus retention (a thread started
        later is due later still), so waking every hour in between only costs: a console's fake
        clock moved on by weeks walked through every one of those hours.
        """
        await self._purge()
        now = self._clock.now()
        async with self._db.session() as session:
            oldest = (await session.execute(select(func.min(RelayThread.last_activity_at)))).scalar_one()
        due = (oldest or now) + self._config.relay.retention
        await self.schedule_purge(max(now + self._config.relay.purge_every, due))

    async def schedule_purge(self, when: datetime) -> None:
        """Book a purge for the period of `when` (one job per period, however many processes run)."""
        period = int(when.timestamp() // self._config.relay.purge_every.total_seconds())
        async with self._db.session() as session, session.begin():
            await enqueue(session, "relay.purge", f"relay:purge:{period}", when, {}, self._clock.now())
