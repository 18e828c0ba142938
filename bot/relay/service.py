"""The confidential relay's storage and delivery: drafts, threads, handles, messages, purge.

Everything a person writes and every link from a handle to a person is stored as a
Fernet token (bot/kernel/crypto.py). Plaintext exists only in memory while a message is in
flight, and is registered with the log scrubber for exactly that long. Relay messages
leave only through the outbox with Sensitivity.RELAY and the thread's participants as
the allowed recipients, so the guard, not this module, has the last word on where they go.
Commands that people use live in bot/relay/commands.py.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.config import Config
from bot.kernel.crypto import CannotDecrypt, KeyProblem, RelayCrypto
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.jobs import Cancelled, ClaimedJob, RetryLater, enqueue
from bot.kernel.logging_setup import SENSITIVE
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import Delivery, DirectMessage, Outbound
from bot.kernel.quiet_hours import hold_for_quiet_hours
from bot.kernel.retry_policy import backoff, settle_delivery
from bot.kernel.similarity import TfidfVectoriser, vector_from_storage
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.relay.models import (
    RelayKeyCheck,
    RelayMessage,
    RelayParticipant,
    RelayReport,
    RelayThread,
)
from bot.relay.routing import Candidate, community_scope, delivery_delay, new_handle, rank_peers

if TYPE_CHECKING:
    from bot.kernel.clock import Clock
    from bot.kernel.core import Core

log = logging.getLogger(__name__)

KEY_CHECK_TEXT = "peerbot relay key check v1"


class RelayUnavailable(UserError):
    """The relay is off (no key, a wrong key, or switched off); str() says why and what to do."""


@dataclass(frozen=True)
class Identity:
    """Who a participant is; only ever stored encrypted."""

    platform: str
    community: str
    user_id: str
    profile_id: int | None = None

    @classmethod
    def of(cls, actor: Actor, profile_id: int | None = None) -> Identity:
        return cls(actor.platform, actor.community, actor.user_id, profile_id)

    @property
    def key(self) -> str:
        return f"{self.platform}\x1f{self.community}\x1f{self.user_id}"

    def as_json(self) -> dict[str, Any]:
        return {"p": self.platform, "c": self.community, "u": self.user_id, "id": self.profile_id}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Identity:
        return cls(value["p"], value["c"], value["u"], value.get("id"))

    def dm(self) -> DirectMessage:
        return DirectMessage(self.platform, self.community, self.user_id)


@dataclass
class Party:
    """A decrypted participant: handle and identity, with the row to change flags on."""

    row: RelayParticipant
    identity: Identity
    handle: str

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def role(self) -> str:
        return self.row.role


@dataclass
class ThreadView:
    """A thread with its participants decrypted, for one action by one of them."""

    thread: RelayThread
    parties: dict[str, Party]

    @property
    def asker(self) -> Party:
        return next(p for p in self.parties.values() if p.role == "asker")

    @property
    def peers(self) -> list[Party]:
        return [p for p in self.parties.values() if p.role == "peer"]

    @property
    def recipients(self) -> frozenset[str]:
        """The user ids the guard may let this thread's content reach."""
        return frozenset(p.identity.user_id for p in self.parties.values())


@dataclass(frozen=True)
class PurgeCounts:
    threads: int
    messages: int
    participants: int


@contextmanager
def in_flight(*texts: str) -> Iterator[None]:
    """Mark plaintext as sensitive for as long as it is in memory, so no log can carry it."""
    for value in texts:
        SENSITIVE.add(value)
    try:
        yield
    finally:
        for value in texts:
            SENSITIVE.discard(value)


def _new_id() -> str:
    return secrets.token_urlsafe(16)


class RelayService:
    """Stores and moves relay content; built by install(), checked by start()."""

    def __init__(self, config: Config, db: Database, clock: Clock):
        self.config, self.db, self.clock = config, db, clock
        self.crypto: RelayCrypto | None = None
        self.problem: str | None = None
        if not config.relay.enabled:
            self.problem = "Anonymous questions are switched off in this community."
            return
        try:
            self.crypto = RelayCrypto(config.secrets.encryption_keys)
        except KeyProblem as problem:
            self.problem = f"The anonymous relay is off: {problem}"

    # --- availability and keys -------------------------------------------------------------

    def require(self) -> RelayCrypto:
        """The crypto, or RelayUnavailable: without a working key nothing is stored or sent."""
        if self.crypto is None or self.problem:
            raise RelayUnavailable(self.problem or "The anonymous relay is off.")
        return self.crypto

    async def check_key(self) -> None:
        """Refuse to run when the key cannot open what an earlier run stored (a wrong key)."""
        if self.crypto is None:
            return
        async with self.db.session() as session, session.begin():
            row = await session.get(RelayKeyCheck, 1)
            if row is None:
                token = self.crypto.encrypt(KEY_CHECK_TEXT)
                session.add(RelayKeyCheck(id=1, token=token, created_at=self.clock.now()))
                return
            try:
                ok = self.crypto.decrypt(row.token) == KEY_CHECK_TEXT
            except CannotDecrypt:
                ok = False
        if not ok:
            self.crypto = None
            self.problem = (
                "The anonymous relay is off: PEERBOT_ENCRYPTION_KEYS does not include the key "
                "the stored questions were encrypted with. Put the old key back (after the new "
                "one, then run `peerbot relay rotate-keys`), or, to abandon the stored questions, "
                "run `peerbot purge --everything`."
            )

    def tags(self, identity: Identity) -> list[str]:
        return self.require().tags(identity.key)

    # --- reading ---------------------------------------------------------------------------

    def _party(self, row: RelayParticipant) -> Party:
        crypto = self.require()
        identity = Identity.from_json(crypto.decrypt_json(row.identity_token))
        return Party(row, identity, crypto.decrypt(row.handle_token))

    async def view(self, session: AsyncSession, thread_id: str) -> ThreadView:
        thread = await session.get(RelayThread, thread_id)
        if thread is None:
            raise UserError("That question thread no longer exists: threads are deleted after a while.")
        rows = (
            await session.execute(select(RelayParticipant).where(RelayParticipant.thread_id == thread_id))
        ).scalars()
        return ThreadView(thread, {row.id: self._party(row) for row in rows})

    async def own_party(
        self, session: AsyncSession, actor: Actor, participant_id: str
    ) -> tuple[ThreadView, Party]:
        """The caller's own place in a thread; anyone else gets the same "not yours" answer."""
        row = await session.get(RelayParticipant, participant_id)
        if row is None or row.tag not in self.tags(Identity.of(actor)):
            raise UserError("That isn't one of your question threads, or it has been deleted.")
        view = await self.view(session, row.thread_id)
        return view, view.parties[row.id]

    async def own_message(
        self, session: AsyncSession, actor: Actor, message_id: str
    ) -> tuple[ThreadView, RelayMessage, Party]:
        """A message the caller received, with the caller's party."""
        message = await session.get(RelayMessage, message_id)
        if message is None:
            raise UserError("That message no longer exists: threads are deleted after a while.")
        view = await self.view(session, message.thread_id)
        tags = set(self.tags(Identity.of(actor)))
        for party in view.parties.values():
            if party.row.tag not in tags or party.id == message.sender_id:
                continue
            if message.recipient_id == party.id or (message.recipient_id is None and party.role == "peer"):
                return view, message, party
        raise UserError("That isn't a message you received.")

    def body(self, message: RelayMessage) -> str:
        return self.require().decrypt(message.body_token)

    def context(self, thread: RelayThread) -> dict[str, Any]:
        return self.require().decrypt_json(thread.context_token)

    async def question_of(self, session: AsyncSession, thread_id: str) -> RelayMessage:
        return (
            await session.execute(
                select(RelayMessage).where(
                    (RelayMessage.thread_id == thread_id) & (RelayMessage.kind == "question")
                )
            )
        ).scalar_one()

    async def own_parties(self, session: AsyncSession, actor: Actor) -> list[RelayParticipant]:
        """Every participant row of the caller, in any thread."""
        query = select(RelayParticipant).where(RelayParticipant.tag.in_(self.tags(Identity.of(actor))))
        return list((await session.execute(query)).scalars())

    # --- asking ----------------------------------------------------------------------------

    async def asks_in_last_day(self, session: AsyncSession, actor: Actor) -> list[datetime]:
        """When the caller's questions of the last 24 hours were sent (for the daily limit)."""
        since = self.clock.now() - timedelta(days=1)
        query = (
            select(RelayThread.sent_at)
            .join(RelayParticipant, RelayParticipant.thread_id == RelayThread.id)
            .where(
                (RelayParticipant.role == "asker")
                & RelayParticipant.tag.in_(self.tags(Identity.of(actor)))
                & (RelayThread.sent_at > since)
            )
            .order_by(RelayThread.sent_at)
        )
        return list((await session.execute(query)).scalars())

    async def next_ask_allowed(self, session: AsyncSession, actor: Actor) -> datetime | None:
        """None when the caller may ask now, else when they may ask again."""
        sent = await self.asks_in_last_day(session, actor)
        if len(sent) < self.config.relay.asks_per_day:
            return None
        return sent[len(sent) - self.config.relay.asks_per_day] + timedelta(days=1)

    async def save_draft(
        self, actor: Actor, profile: Profile, question: str, context: dict[str, Any], draft_id: str | None
    ) -> str:
        """Keep the question encrypted while the asker reviews what the check found."""
        crypto = self.require()
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            if draft_id:
                view, party = await self.own_party_of_thread(session, actor, draft_id)
                if view.thread.status != "draft":
                    raise UserError("That question has already been sent.")
                message = await self.question_of(session, draft_id)
                message.body_token = crypto.encrypt(question)
                view.thread.context_token = crypto.encrypt_json(context)
                view.thread.last_activity_at = now
                return draft_id
            thread = RelayThread(
                id=_new_id(),
                status="draft",
                context_token=crypto.encrypt_json(context),
                created_at=now,
                last_activity_at=now,
            )
            identity = Identity.of(actor, profile.id)
            asker = self._participant(thread.id, "asker", identity, new_handle(set()), now)
            session.add(thread)
            await session.flush()
            session.add(asker)
            await session.flush()
            session.add(
                RelayMessage(
                    id=_new_id(),
                    thread_id=thread.id,
                    sender_id=asker.id,
                    recipient_id=None,
                    kind="question",
                    body_token=crypto.encrypt(question),
                    created_at=now,
                )
            )
            return thread.id

    async def own_party_of_thread(
        self, session: AsyncSession, actor: Actor, thread_id: str
    ) -> tuple[ThreadView, Party]:
        """The caller's party in a thread given by its id (asker's buttons carry thread ids)."""
        tags = set(self.tags(Identity.of(actor)))
        thread = await session.get(RelayThread, thread_id)
        if thread is not None:
            view = await self.view(session, thread_id)
            for party in view.parties.values():
                if party.row.tag in tags:
                    return view, party
        raise UserError("That isn't one of your question threads, or it has been deleted.")

    def _participant(
        self, thread_id: str, role: str, identity: Identity, handle: str, now: datetime
    ) -> RelayParticipant:
        crypto = self.require()
        return RelayParticipant(
            id=_new_id(),
            thread_id=thread_id,
            role=role,
            tag=crypto.tag(identity.key),
            identity_token=crypto.encrypt_json(identity.as_json()),
            handle_token=crypto.encrypt(handle),
            blocked=False,
            asker_offers_reveal=False,
            peer_offers_reveal=False,
            created_at=now,
        )

    async def candidates(self, session: AsyncSession, asker: Profile) -> list[Candidate]:
        """Active people in the asker's community scope who accept anonymous questions."""
        scope = community_scope(self.config, asker.platform, asker.community)
        rows = await session.execute(
            select(
                Profile.id,
                Profile.platform,
                Profile.community,
                Profile.organisation,
                Profile.challenge,
                Profile.vector,
                Profile.vector_backend,
            ).where(
                (Profile.status == "active") & Profile.accepts_questions.is_(True) & (Profile.id != asker.id)
            )
        )
        return [
            Candidate(pid, organisation, challenge, _hashed_vector(vector, backend))
            for pid, platform, community, organisation, challenge, vector, backend in rows
            if f"{platform}:{community}" in scope
        ]

    async def send_draft(self, actor: Actor, asker_profile: Profile, thread_id: str) -> tuple[int, str]:
        """Choose peers, give everyone a handle and schedule delivery; returns (peers, asker handle)."""
        crypto = self.require()
        now = self.clock.now()
        relay = self.config.relay
        async with self.db.session() as session, session.begin():
            view, party = await self.own_party_of_thread(session, actor, thread_id)
            if party.role != "asker" or view.thread.status != "draft":
                raise UserError("That question has already been sent or closed.")
            when = await self.next_ask_allowed(session, actor)
            if when is not None:
                raise UserError(limit_text(relay.asks_per_day, when, asker_profile.timezone))
            question = crypto.decrypt((await self.question_of(session, thread_id)).body_token)
            with in_flight(question):
                chosen = rank_peers(
                    question,
                    asker_profile.challenge,
                    asker_profile.organisation,
                    await self.candidates(session, asker_profile),
                    relay.max_peers,
                )
            if not chosen:
                return 0, party.handle
            peers = (await session.execute(select(Profile).where(Profile.id.in_(chosen)))).scalars().all()
            taken = {party.handle}
            for peer in peers:
                handle = new_handle(taken)
                taken.add(handle)
                identity = Identity(peer.platform, peer.community, peer.user_id, peer.id)
                row = self._participant(thread_id, "peer", identity, handle, now)
                session.add(row)
                await session.flush()
                due = now + delivery_delay(relay.delay_min, relay.delay_max)
                await enqueue(
                    session, "relay.question", f"relay:q:{row.id}", due, {"participant": row.id}, now
                )
            view.thread.status = "open"
            view.thread.sent_at = now
            view.thread.last_activity_at = now
        return len(peers), party.handle

    async def discard_draft(self, actor: Actor, thread_id: str) -> None:
        async with self.db.session() as session, session.begin():
            view, party = await self.own_party_of_thread(session, actor, thread_id)
            if party.role != "asker" or view.thread.status != "draft":
                raise UserError("That question has already been sent; close it from `/peer threads`.")
            await _delete_threads(session, [thread_id])

    # --- sending ---------------------------------------------------------------------------

    async def send_to(self, core: Core, view: ThreadView, to: Party, message: Message, kind: str) -> Delivery:
        """Send relay content to one participant's direct messages, through the guard."""
        return await core.outbox.send(
            Outbound(to.identity.dm(), message, Sensitivity.RELAY, kind, view.recipients)
        )

    async def store_message(
        self, session: AsyncSession, view: ThreadView, sender: Party, recipient: Party, kind: str, body: str
    ) -> RelayMessage:
        now = self.clock.now()
        message = RelayMessage(
            id=_new_id(),
            thread_id=view.thread.id,
            sender_id=sender.id,
            recipient_id=recipient.id,
            kind=kind,
            body_token=self.require().encrypt(body),
            created_at=now,
        )
        session.add(message)
        view.thread.last_activity_at = now
        return message

    async def retry_later(self, message_id: str) -> None:
        """A message the platform could not take now goes again from the job queue."""
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            await enqueue(
                session,
                "relay.message",
                f"relay:m:{message_id}",
                now + backoff(0, None),
                {"message": message_id},
                now,
            )

    # --- purge and rotation ----------------------------------------------------------------

    async def purge(self, everything: bool = False) -> PurgeCounts:
        """Delete every thread quiet or closed for longer than the retention period."""
        cutoff = self.clock.now() - self.config.relay.retention
        async with self.db.session() as session, session.begin():
            if self.db.is_sqlite:
                await session.execute(text("PRAGMA secure_delete = ON"))
            query = select(RelayThread.id)
            if not everything:
                query = query.where(RelayThread.last_activity_at < cutoff)
            ids = list((await session.execute(query)).scalars())
            counts = await _delete_threads(session, ids)
        log.log(
            logging.INFO if any(counts) else logging.DEBUG,
            "relay purge: %d threads, %d messages, %d handles",
            *counts,
        )
        return PurgeCounts(*counts)

    async def rotate_keys(self) -> int:
        """Re-encrypt every token with the first key and re-tag every participant, in one transaction."""
        crypto = self.require()
        changed = 0
        async with self.db.session() as session, session.begin():
            for thread in (await session.execute(select(RelayThread))).scalars():
                thread.context_token = crypto.rotate(thread.context_token)
                changed += 1
            for row in (await session.execute(select(RelayParticipant))).scalars():
                identity = Identity.from_json(crypto.decrypt_json(row.identity_token))
                row.identity_token = crypto.rotate(row.identity_token)
                row.handle_token = crypto.rotate(row.handle_token)
                row.tag = crypto.tag(identity.key)
                changed += 2
            for message in (await session.execute(select(RelayMessage))).scalars():
                message.body_token = crypto.rotate(message.body_token)
                changed += 1
            check = await session.get(RelayKeyCheck, 1)
            if check is not None:
                check.token = crypto.rotate(check.token)
                changed += 1
        return changed

    async def report_count(self, community_key: str) -> int:
        async with self.db.session() as session:
            return (
                await session.execute(
                    select(func.count())
                    .select_from(RelayReport)
                    .where(RelayReport.community_key == community_key)
                )
            ).scalar_one()


def _hashed_vector(stored: Any, backend: str | None) -> dict[int, float] | None:
    """A profile's stored vector when it is the offline hashed kind the relay ranks with."""
    if backend != TfidfVectoriser.name or not isinstance(stored, dict):
        return None
    return vector_from_storage(stored)


async def _delete_threads(session: AsyncSession, thread_ids: list[str]) -> tuple[int, int, int]:
    """Delete threads with their messages and participants (children first, on every database)."""
    threads = messages = participants = 0
    for start in range(0, len(thread_ids), 500):
        chunk = thread_ids[start : start + 500]
        messages += (
            await session.execute(delete(RelayMessage).where(RelayMessage.thread_id.in_(chunk)))
        ).rowcount
        participants += (
            await session.execute(delete(RelayParticipant).where(RelayParticipant.thread_id.in_(chunk)))
        ).rowcount
        threads += (await session.execute(delete(RelayThread).where(RelayThread.id.in_(chunk)))).rowcount
    return threads, messages, participants


def limit_text(per_day: int, when: datetime, timezone: str) -> str:
    """The daily-limit message, with when the person may ask again in their own time zone."""
    from zoneinfo import ZoneInfo

    local = when.astimezone(ZoneInfo(timezone or "Europe/London"))
    return (
        f"You can ask {per_day} anonymous question{'s' if per_day != 1 else ''} a day, and you have "
        f"reached that. You can ask again from {local:%H:%M} on {local:%A %d %B} ({timezone})."
    )


def service(core: Core) -> RelayService:
    return core.services["relay"]


# --- scheduled work ----------------------------------------------------------------------


async def deliver_question(core: Core, job: ClaimedJob) -> None:
    """Job "relay.question": after its random delay, send the question to one chosen peer."""
    from bot.relay.commands import question_message

    relay = service(core)
    if relay.crypto is None:
        raise RetryLater(core.clock.now() + timedelta(hours=1), "relay key unavailable")
    async with core.db.session() as session, session.begin():
        row = await session.get(RelayParticipant, job.payload["participant"])
        if row is None or row.delivered_at is not None:
            raise Cancelled()
        try:
            view = await relay.view(session, row.thread_id)
            question = await relay.question_of(session, row.thread_id)
            text_ = relay.body(question)
            context = relay.context(view.thread)
        except (CannotDecrypt, UserError):
            raise RetryLater(core.clock.now() + timedelta(hours=1), "cannot open stored data") from None
        if view.thread.status != "open" or view.asker.row.blocked:
            raise Cancelled()
        peer = view.parties[row.id]
        await _hold_for_peer(core, session, peer)
        with in_flight(text_):
            message = question_message(view.asker.handle, peer.handle, context, text_, peer.id, question.id)
            delivery = await relay.send_to(core, view, peer, message, "relay.question")
        settle_delivery(core, job, delivery)
        row.delivered_at = core.clock.now()


async def _hold_for_peer(core: Core, session, peer: Party) -> None:
    """A question waits for the peer's daytime (quiet hours), and never reaches a paused peer."""

    profile = await session.get(Profile, peer.identity.profile_id) if peer.identity.profile_id else None
    if profile is None or profile.status != "active":
        raise Cancelled()
    hold = hold_for_quiet_hours(core.config.checkins, profile.timezone, core.clock.now())
    if hold is not None:
        raise RetryLater(hold, "quiet hours")


async def redeliver_message(core: Core, job: ClaimedJob) -> None:
    """Job "relay.message": try again to deliver an answer, follow-up or thanks."""
    from bot.relay.commands import message_for_recipient

    relay = service(core)
    if relay.crypto is None:
        raise RetryLater(core.clock.now() + timedelta(hours=1), "relay key unavailable")
    async with core.db.session() as session:
        message = await session.get(RelayMessage, job.payload["message"])
        if message is None or message.recipient_id is None:
            raise Cancelled()
        view = await relay.view(session, message.thread_id)
        body = relay.body(message)
        sender, recipient = view.parties[message.sender_id], view.parties[message.recipient_id]
        with in_flight(body):
            out = await message_for_recipient(relay, session, view, message, sender, recipient, body)
            delivery = await relay.send_to(core, view, recipient, out, f"relay.{message.kind}")
    settle_delivery(core, job, delivery)


async def scheduled_purge(core: Core, job: ClaimedJob) -> None:
    """Job "relay.purge": purge now, and book the next run [relay] purge_every later."""
    await service(core).purge()
    await schedule_purge(core, core.clock.now() + core.config.relay.purge_every)


async def schedule_purge(core: Core, when: datetime) -> None:
    """Book a purge for the period of `when` (one job per period, however many processes run)."""
    period = int(when.timestamp() // core.config.relay.purge_every.total_seconds())
    async with core.db.session() as session, session.begin():
        await enqueue(session, "relay.purge", f"relay:purge:{period}", when, {}, core.clock.now())


# --- personal data -----------------------------------------------------------------------


class RelayPersonalData:
    """The relay's share of /peer mydata (the person's own words only) and of /peer leave."""

    name = "anonymous_questions"

    def __init__(self, relay: RelayService):
        self._relay = relay

    def _identity(self, profile: Profile) -> Identity:
        return Identity(profile.platform, profile.community, profile.user_id, profile.id)

    async def export(self, session: AsyncSession, profile: Profile) -> Any:
        relay = self._relay
        if relay.crypto is None:
            return {"note": "Anonymous question threads cannot be read while the relay's key is missing."}
        rows = (
            await session.execute(
                select(RelayParticipant).where(RelayParticipant.tag.in_(relay.tags(self._identity(profile))))
            )
        ).scalars()
        threads = []
        for row in rows:
            thread = await session.get(RelayThread, row.thread_id)
            written = (
                await session.execute(
                    select(RelayMessage)
                    .where(RelayMessage.sender_id == row.id)
                    .order_by(RelayMessage.created_at)
                )
            ).scalars()
            threads.append(
                {
                    "role": row.role,
                    "your_handle": relay.crypto.decrypt(row.handle_token),
                    "status": thread.status,
                    "started": thread.created_at.isoformat(),
                    "last_activity": thread.last_activity_at.isoformat(),
                    "what_you_wrote": [
                        {
                            "kind": m.kind,
                            "at": m.created_at.isoformat(),
                            "text": relay.crypto.decrypt(m.body_token),
                        }
                        for m in written
                        if m.kind != "thanks"
                    ],
                }
            )
        return threads

    async def erase(self, session: AsyncSession, profile: Profile) -> None:
        relay = self._relay
        if relay.crypto is None:
            return
        rows = list(
            (
                await session.execute(
                    select(RelayParticipant).where(
                        RelayParticipant.tag.in_(relay.tags(self._identity(profile)))
                    )
                )
            ).scalars()
        )
        await _delete_threads(session, [row.thread_id for row in rows if row.role == "asker"])
        peer_ids = [row.id for row in rows if row.role == "peer"]
        if peer_ids:
            await session.execute(
                delete(RelayMessage).where(
                    RelayMessage.sender_id.in_(peer_ids) | RelayMessage.recipient_id.in_(peer_ids)
                )
            )
            await session.execute(delete(RelayParticipant).where(RelayParticipant.id.in_(peer_ids)))


# --- wiring ------------------------------------------------------------------------------


def install(core: Core) -> None:
    """Build the relay service and hook it into jobs and personal data (no I/O here)."""
    relay = RelayService(core.config, core.db, core.clock)
    core.services["relay"] = relay
    core.jobs.register("relay.question", deliver_question)
    core.jobs.register("relay.message", redeliver_message)
    core.jobs.register("relay.purge", scheduled_purge)
    core.hooks.personal_data.append(RelayPersonalData(relay))


async def start(core: Core) -> str | None:
    """Check the key against stored data and book the purge; a note when the relay is off."""
    relay = service(core)
    await relay.check_key()
    if relay.crypto is None:
        return relay.problem
    await schedule_purge(core, core.clock.now())
    return None
