"""The relay service: the feature's parts built once, each owning its own units of work.

`RelayService` is what the composition root hands out (`App.relay`): the key check and
purge booking at start-up, the purge and key rotation for the command line, and one part
per purpose for the commands (asking, conversation, reveal, reports, and the organisers'
moderation of reports with its suspensions).
"""

from __future__ import annotations

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.crypto import RelayCrypto
from bot.kernel.outbox import Outbox
from bot.kernel.people import People
from bot.kernel.storage.database import Database
from bot.relay.asking import AskService
from bot.relay.conversation import ConversationService
from bot.relay.detail_check import DetailCheck, IdentifyingDetailsFinder
from bot.relay.jobs import RelayJobs
from bot.relay.keys import RelayKeys
from bot.relay.moderation import Moderation
from bot.relay.report_notices import ReportNotices
from bot.relay.reports import ReportService
from bot.relay.retention import PurgeCounts, Retention
from bot.relay.reveal import RevealService
from bot.relay.sending import RelaySender
from bot.relay.store import ThreadStore
from bot.relay.suspensions import Suspensions


class RelayService:
    """The confidential relay, built by install() and checked by start()."""

    def __init__(
        self,
        config: Config,
        db: Database,
        clock: Clock,
        outbox: Outbox,
        people: People,
        assistant: IdentifyingDetailsFinder | None,
    ):
        self.keys = RelayKeys(config, db, clock)
        self.store = ThreadStore(self.keys, clock)
        self.sender = RelaySender(outbox, db, clock, self.store)
        self.detail_check = DetailCheck(config, db, clock, assistant)
        self.asking = AskService(config, db, clock, people, self.store, self.detail_check)
        self.conversation = ConversationService(
            db, clock, self.keys, self.store, self.sender, self.detail_check, config.relay.retention
        )
        self.reveal = RevealService(db, clock, self.store, self.sender)
        self.notices = ReportNotices(db, clock, self.store, self.sender)
        self.reports = ReportService(config, db, clock, outbox, self.store, self.notices)
        self.suspensions = Suspensions(db, clock, self.keys)
        self.moderation = Moderation(db, clock, self.store, self.notices, self.suspensions)
        self.retention = Retention(config, db, clock, self.keys)
        self.jobs = RelayJobs(
            config, db, clock, self.store, self.sender, self.purge, self.notices, self.suspensions
        )
        self._clock = clock

    def require(self) -> RelayCrypto:
        """The crypto, or RelayUnavailable saying why the relay is off and what to do."""
        return self.keys.require()

    async def start(self) -> str | None:
        """Check the key against stored data and book the purge; a note when the relay is off."""
        await self.keys.check()
        if self.keys.crypto is None:
            return self.keys.problem
        await self.jobs.schedule_purge(self._clock.now())
        return None

    async def purge(self, everything: bool = False) -> PurgeCounts:
        """Delete threads past the retention period now (or every thread), and ended suspensions
        (or every one)."""
        counts = await self.retention.purge(everything)
        await self.suspensions.forget_ended(everything)
        return counts

    async def rotate_keys(self) -> int:
        """Re-encrypt everything stored with the first configured key; returns tokens changed."""
        return await self.retention.rotate_keys()
