"""Asking: a question is checked for identifying details, kept as an encrypted draft while the
asker decides, then sent to a few ranked peers after a random delay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.jobs import enqueue
from bot.kernel.people import People
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.relay import texts
from bot.relay.detail_check import Checked, DetailCheck
from bot.relay.job_keys import question_job
from bot.relay.models import RelayMessage, RelayThread
from bot.relay.parties import Identity, in_flight
from bot.relay.routing import delivery_delay, new_handle, rank_peers
from bot.relay.rules import (
    ask_window_start,
    check_draft,
    community_scope,
    next_ask_allowed,
    shared_context,
    shares_of,
)
from bot.relay.store import ThreadStore, delete_threads, new_id


@dataclass(frozen=True)
class Sent:
    """The question is on its way to `peers` peers; the asker is `handle` in the thread."""

    draft_id: str
    peers: int
    handle: str


@dataclass(frozen=True)
class Draft:
    """A draft as its asker edits it again."""

    profile: Profile
    question: str
    shares: tuple[str, ...]


class AskService:
    """The asker's side: open the form, check, keep a draft, send, cancel."""

    def __init__(
        self,
        config: Config,
        db: Database,
        clock: Clock,
        people: People,
        store: ThreadStore,
        check: DetailCheck,
    ):
        self._config, self._db, self._clock, self._people = config, db, clock, people
        self._store, self.detail_check = store, check

    async def asker(self, actor: Actor) -> Profile:
        """The caller's profile, once the relay is known to be on and the caller a member."""
        self._store.keys.require()
        return await self._people.require(actor)

    async def open_ask(self, actor: Actor) -> Profile:
        """The asker's profile for the question form, unless they reached the daily limit."""
        profile = await self.asker(actor)
        async with self._db.session() as session:
            await self._check_limit(session, actor, profile)
        return profile

    async def _check_limit(self, session, actor: Actor, profile: Profile) -> None:
        sent = await self._store.asks_since(session, actor, ask_window_start(self._clock.now()))
        when = next_ask_allowed(sent, self._config.relay.asks_per_day)
        if when is not None:
            raise UserError(texts.limit_text(self._config.relay.asks_per_day, when, profile.timezone))

    async def submit(
        self, actor: Actor, question: str, share_org_type: bool, share_region: bool, draft_id: str | None
    ) -> Checked | Sent:
        """Check the question, keep it as a draft, and send it unless the check found something."""
        profile = await self.asker(actor)
        context = shared_context(profile.org_type, profile.region, share_org_type, share_region)
        findings = await self.detail_check.find(actor, question)
        draft = await self.save_draft(actor, profile, question, context, draft_id)
        if findings:
            return Checked(draft, findings)
        return await self._send(actor, profile, draft)

    async def send(self, actor: Actor, draft_id: str) -> Sent:
        """Send a checked draft as it is (the asker's "Send anyway")."""
        return await self._send(actor, await self.asker(actor), draft_id)

    async def _send(self, actor: Actor, profile: Profile, draft_id: str) -> Sent:
        count, handle = await self.send_draft(actor, profile, draft_id)
        if count == 0:
            await self.discard_draft(actor, draft_id)
            raise UserError(texts.NOBODY_CAN_TAKE)
        return Sent(draft_id, count, handle)

    async def draft(self, actor: Actor, draft_id: str) -> Draft:
        """A draft's question and shared facts, for the asker to edit."""
        profile = await self.asker(actor)
        async with self._db.session() as session:
            view, party = await self._store.own_party_of_thread(session, actor, draft_id)
            check_draft(party.role, view.thread.status, "That question has already been sent.")
            question = await self._store.question_text(session, draft_id)
            context = self._store.context(view.thread)
        return Draft(profile, question, shares_of(context))

    async def cancel(self, actor: Actor, draft_id: str) -> None:
        """Delete a draft the asker no longer wants to send."""
        await self.asker(actor)
        await self.discard_draft(actor, draft_id)

    async def save_draft(
        self, actor: Actor, profile: Profile, question: str, context: dict[str, Any], draft_id: str | None
    ) -> str:
        """Keep the question encrypted while the asker reviews what the check found."""
        keys = self._store.keys
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            if draft_id:
                view, _ = await self._store.own_party_of_thread(session, actor, draft_id)
                if view.thread.status != "draft":
                    raise UserError("That question has already been sent.")
                message = await self._store.question_of(session, draft_id)
                box = keys.content(view.thread)
                message.body_token = box.encrypt(question)
                view.thread.context_token = box.encrypt_json(context)
                view.thread.last_activity_at = now
                return draft_id
            key = keys.new_thread_key(session)
            box = keys.content_of_key(key)
            thread = RelayThread(
                id=new_id(),
                key_id=key.id,
                data_key=key,
                status="draft",
                context_token=box.encrypt_json(context),
                created_at=now,
                last_activity_at=now,
            )
            asker = self._store.participant(
                thread, "asker", Identity.of(actor, profile.id), new_handle(set()), now
            )
            session.add(thread)
            await session.flush()
            session.add(asker)
            await session.flush()
            session.add(
                RelayMessage(
                    id=new_id(),
                    thread_id=thread.id,
                    key_id=key.id,
                    data_key=key,
                    sender_id=asker.id,
                    recipient_id=None,
                    kind="question",
                    body_token=box.encrypt(question),
                    created_at=now,
                )
            )
            return thread.id

    async def send_draft(self, actor: Actor, asker_profile: Profile, thread_id: str) -> tuple[int, str]:
        """Choose peers, give everyone a handle and schedule delivery; returns (peers, asker handle)."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            view, party = await self._store.own_party_of_thread(session, actor, thread_id)
            check_draft(party.role, view.thread.status, "That question has already been sent or closed.")
            await self._check_limit(session, actor, asker_profile)
            question = await self._store.question_text(session, thread_id)
            with in_flight(question):
                chosen = rank_peers(
                    question,
                    asker_profile.challenge,
                    asker_profile.organisation,
                    await self._store.candidates(session, asker_profile, self._scope(asker_profile)),
                    self._config.relay.max_peers,
                )
            if not chosen:
                return 0, party.handle
            peers = (await session.execute(select(Profile).where(Profile.id.in_(chosen)))).scalars().all()
            await self._add_peers(session, view.thread, peers, {party.handle}, now)
            view.thread.status = "open"
            view.thread.sent_at = now
            view.thread.last_activity_at = now
        return len(peers), party.handle

    def _scope(self, profile: Profile) -> set[str]:
        return community_scope(self._config, profile.platform, profile.community)

    async def _add_peers(self, session, thread: RelayThread, peers, taken: set[str], now: datetime) -> None:
        """A fresh handle for each peer, and their question's delivery after a random delay."""
        relay = self._config.relay
        for peer in peers:
            handle = new_handle(taken)
            taken.add(handle)
            identity = Identity(peer.platform, peer.community, peer.user_id, peer.id)
            row = self._store.participant(thread, "peer", identity, handle, now)
            session.add(row)
            await session.flush()
            due = now + delivery_delay(relay.delay_min, relay.delay_max)
            key = question_job(thread.id, row.id)
            await enqueue(session, "relay.question", key, due, {"participant": row.id}, now)

    async def discard_draft(self, actor: Actor, thread_id: str) -> None:
        """Delete a draft (its question and asker row) that was never sent."""
        async with self._db.session() as session, session.begin():
            view, party = await self._store.own_party_of_thread(session, actor, thread_id)
            check_draft(
                party.role,
                view.thread.status,
                "That question has already been sent; close it from `/peer threads`.",
            )
            await delete_threads(session, [thread_id])
        await self._db.compact_data_keys()
